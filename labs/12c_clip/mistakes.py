# Plausible wrong answers to lab 12c. Each runs in the kernel that ran the solution (it sees its globals: math, torch,
# F, clip_loss, zero_shot_predict, recall_at_k, ...) and must lose visible points of its exercise. `mistake` is
# injected by the grader.

# --- clip_loss -------------------------------------------------------------------------------------------------------
@mistake("clip_loss")
def no_normalization(image_emb, text_emb, temperature):
    "Dot products of the raw embeddings: longer vectors get larger logits."
    logits = image_emb @ text_emb.T / temperature
    labels = torch.arange(len(logits))
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2


@mistake("clip_loss")
def image_to_text_only(image_emb, text_emb, temperature):
    "Only the image -> text cross-entropy: the rows, never the columns."
    logits = F.normalize(image_emb, dim=-1) @ F.normalize(text_emb, dim=-1).T / temperature
    return F.cross_entropy(logits, torch.arange(len(logits)))


@mistake("clip_loss")
def temperature_multiplied(image_emb, text_emb, temperature):
    "Multiplies the similarities by the temperature instead of dividing."
    logits = F.normalize(image_emb, dim=-1) @ F.normalize(text_emb, dim=-1).T * temperature
    labels = torch.arange(len(logits))
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2


@mistake("clip_loss")
def labels_reversed(image_emb, text_emb, temperature):
    "Labels n-1..0: the anti-diagonal is taken for the right pairs."
    logits = F.normalize(image_emb, dim=-1) @ F.normalize(text_emb, dim=-1).T / temperature
    labels = torch.arange(len(logits)).flip(0)
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2


@mistake("clip_loss")
def softmax_over_wrong_dim(image_emb, text_emb, temperature):
    "Both terms normalize over dim 0 (the images), so the text -> image term is counted twice."
    logits = F.normalize(image_emb, dim=-1) @ F.normalize(text_emb, dim=-1).T / temperature
    log_p = logits.log_softmax(dim=0)
    return -log_p.diagonal().mean()


@mistake("clip_loss")
def normalized_over_the_batch(image_emb, text_emb, temperature):
    "Normalizes the columns (dim 0) instead of each embedding (dim -1)."
    logits = F.normalize(image_emb, dim=0) @ F.normalize(text_emb, dim=0).T / temperature
    labels = torch.arange(len(logits))
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2


@mistake("clip_loss")
def sum_of_the_two(image_emb, text_emb, temperature):
    "Adds the two cross-entropies instead of averaging them."
    logits = F.normalize(image_emb, dim=-1) @ F.normalize(text_emb, dim=-1).T / temperature
    labels = torch.arange(len(logits))
    return F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)


# --- zero_shot_predict -----------------------------------------------------------------------------------------------
@mistake("zero_shot_predict")
def raw_dot_product(image_emb, text_emb):
    "Ranks captions by the raw dot product: the longest caption embedding wins."
    return (image_emb @ text_emb.T).argmax(dim=1)


@mistake("zero_shot_predict")
def best_image_per_caption(image_emb, text_emb):
    "Takes the argmax over dim 0: for each caption its best image."
    return (F.normalize(image_emb, dim=-1) @ F.normalize(text_emb, dim=-1).T).argmax(dim=0)


@mistake("zero_shot_predict")
def nearest_by_raw_distance(image_emb, text_emb):
    "The caption at the smallest Euclidean distance, without normalizing first."
    return torch.cdist(image_emb, text_emb).argmin(dim=1)


@mistake("zero_shot_predict")
def least_similar(image_emb, text_emb):
    "argmin of the cosine similarity: the caption that matches worst."
    return (F.normalize(image_emb, dim=-1) @ F.normalize(text_emb, dim=-1).T).argmin(dim=1)


# --- recall_at_k -----------------------------------------------------------------------------------------------------
@mistake("recall_at_k")
def smallest_scores(similarity, targets, k):
    "Takes the k lowest scores (topk with largest=False), as if the scores were distances."
    top = similarity.topk(k, dim=1, largest=False).indices
    return (top == targets[:, None]).any(dim=1).float().mean().item()


@mistake("recall_at_k")
def only_the_first(similarity, targets, k):
    "Checks only the best candidate, whatever k: recall@1 every time."
    return (similarity.argmax(dim=1) == targets).float().mean().item()


@mistake("recall_at_k")
def ranks_over_queries(similarity, targets, k):
    "Takes the top k over dim 0 (the queries of each candidate) and compares with the targets."
    top = similarity.topk(k, dim=0).indices.T
    n = min(len(top), len(targets))
    return (top[:n] == targets[:n, None]).any(dim=1).float().mean().item()


@mistake("recall_at_k")
def count_not_fraction(similarity, targets, k):
    "Returns how many queries found their target, not the fraction."
    top = similarity.topk(k, dim=1).indices
    return float((top == targets[:, None]).any(dim=1).sum())


@mistake("recall_at_k")
def off_by_one(similarity, targets, k):
    "Keeps the top k + 1 candidates."
    top = similarity.topk(min(k + 1, similarity.shape[1]), dim=1).indices
    return (top == targets[:, None]).any(dim=1).float().mean().item()
