# Plausible wrong answers to lab 07, each probed in place of its exercise (the solution's globals are in scope).
# `mistake` is injected by the grader. Each must lose visible points of its exercise.

@mistake("mask_labels")
def zero_not_ignore_index(input_ids, mask):
    "Masks with 0 instead of -100 (0 is a real token id)."
    if len(input_ids) != len(mask): raise ValueError("lengths differ")
    return [t if m else 0 for t, m in zip(input_ids, mask)]

@mistake("mask_labels")
def mask_inverted(input_ids, mask):
    "Keeps the user's tokens and ignores the assistant's."
    if len(input_ids) != len(mask): raise ValueError("lengths differ")
    return [-100 if m else t for t, m in zip(input_ids, mask)]

@mistake("mask_labels")
def no_validation(input_ids, mask):
    "zip silently drops the tokens a short mask does not cover."
    return [t if m else -100 for t, m in zip(input_ids, mask)]

@mistake("mask_labels")
def mask_as_labels(input_ids, mask):
    "Returns the mask times the tokens (0, not -100, where the user speaks)."
    if len(input_ids) != len(mask): raise ValueError("lengths differ")
    return [t * m for t, m in zip(input_ids, mask)]

@mistake("pad_batch")
def left_padding(examples, pad_token_id):
    "Pads on the left."
    n = max(len(e["input_ids"]) for e in examples)
    pad = lambda seq, v: [v] * (n - len(seq)) + list(seq)
    return {"input_ids": torch.tensor([pad(e["input_ids"], pad_token_id) for e in examples]),
            "attention_mask": torch.tensor([pad([1] * len(e["input_ids"]), 0) for e in examples]),
            "labels": torch.tensor([pad(e["labels"], -100) for e in examples])}

@mistake("pad_batch")
def labels_padded_with_pad_id(examples, pad_token_id):
    "Pads the labels with the pad id, so padding is learnt."
    n = max(len(e["input_ids"]) for e in examples)
    pad = lambda seq, v: list(seq) + [v] * (n - len(seq))
    return {"input_ids": torch.tensor([pad(e["input_ids"], pad_token_id) for e in examples]),
            "attention_mask": torch.tensor([pad([1] * len(e["input_ids"]), 0) for e in examples]),
            "labels": torch.tensor([pad(e["labels"], pad_token_id) for e in examples])}

@mistake("pad_batch")
def attention_mask_from_pad_ids(examples, pad_token_id):
    "Derives the attention mask by looking for pad ids (wrong when the pad id is also a real token)."
    n = max(len(e["input_ids"]) for e in examples)
    pad = lambda seq, v: list(seq) + [v] * (n - len(seq))
    ids = torch.tensor([pad(e["input_ids"], pad_token_id) for e in examples])
    return {"input_ids": ids, "attention_mask": (ids != pad_token_id).long(),
            "labels": torch.tensor([pad(e["labels"], -100) for e in examples])}

@mistake("pad_batch")
def int32_tensors(examples, pad_token_id):
    "Returns int32 tensors (embedding lookups and trl's collator use int64)."
    n = max(len(e["input_ids"]) for e in examples)
    pad = lambda seq, v: list(seq) + [v] * (n - len(seq))
    return {"input_ids": torch.tensor([pad(e["input_ids"], pad_token_id) for e in examples], dtype=torch.int32),
            "attention_mask": torch.tensor([pad([1] * len(e["input_ids"]), 0) for e in examples], dtype=torch.int32),
            "labels": torch.tensor([pad(e["labels"], -100) for e in examples], dtype=torch.int32)}

@mistake("sft_loss")
def labels_not_shifted(logits, labels):
    "Compares the logits at t with the label at t (predicting the current token, not the next)."
    if logits.dim() != 3 or logits.shape[:2] != labels.shape: raise ValueError("shapes")
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)

@mistake("sft_loss")
def shifted_the_wrong_way(logits, labels):
    "Drops the first logits and the last labels."
    if logits.dim() != 3 or logits.shape[:2] != labels.shape: raise ValueError("shapes")
    return F.cross_entropy(logits[:, 1:].reshape(-1, logits.shape[-1]), labels[:, :-1].reshape(-1), ignore_index=-100)

@mistake("sft_loss")
def ignored_tokens_in_the_mean(logits, labels):
    "Sums over the labelled tokens but divides by every position."
    if logits.dim() != 3 or logits.shape[:2] != labels.shape: raise ValueError("shapes")
    per_token = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1),
                                ignore_index=-100, reduction="none")
    return per_token.sum() / per_token.numel()

@mistake("sft_loss")
def mean_of_row_means(logits, labels):
    "Averages each conversation first, then the conversations (short answers weigh as much as long ones)."
    if logits.dim() != 3 or logits.shape[:2] != labels.shape: raise ValueError("shapes")
    rows = [F.cross_entropy(logits[b, :-1], labels[b, 1:], ignore_index=-100) for b in range(len(labels))]
    return torch.stack(rows).mean()

@mistake("sft_loss")
def sum_not_mean(logits, labels):
    "Sums the token losses."
    if logits.dim() != 3 or logits.shape[:2] != labels.shape: raise ValueError("shapes")
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1),
                           ignore_index=-100, reduction="sum")

@mistake("sft_loss")
def no_validation_loss(logits, labels):
    "Checks nothing: misaligned labels go through the loss (or fail with a confusing error)."
    vocab = logits.shape[-1]
    return F.cross_entropy(logits[:, :-1].reshape(-1, vocab), labels[:, 1:].reshape(-1), ignore_index=-100)

@mistake("sft_step")
def no_zero_grad(model, optimizer, batch):
    "Never clears the gradients: each step adds the new gradient to all the old ones."
    loss = sft_loss(model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits, batch["labels"])
    loss.backward()
    optimizer.step()
    return loss.item()

@mistake("sft_step")
def step_before_backward(model, optimizer, batch):
    "Steps with the previous gradient, then computes the new one."
    loss = sft_loss(model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits, batch["labels"])
    optimizer.step()
    optimizer.zero_grad()
    loss.backward()
    return loss.item()

@mistake("sft_step")
def loss_on_every_token(model, optimizer, batch):
    "Trains on the prompt and the padding too (labels = input_ids)."
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    loss = sft_loss(logits, batch["input_ids"])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()

@mistake("sft_step")
def zero_grad_after_backward(model, optimizer, batch):
    "Clears the gradient between backward and step: the weights never move."
    loss = sft_loss(model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits, batch["labels"])
    loss.backward()
    optimizer.zero_grad()
    optimizer.step()
    return loss.item()

@mistake("train_sft")
def ignores_lr(model, examples, pad_token_id, steps, lr, batch_size=16, seed=0):
    "Uses a fixed learning rate instead of `lr`."
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2, weight_decay=0.0)
    gen = torch.Generator().manual_seed(seed)
    model.train()
    out = []
    for _ in range(steps):
        picks = torch.randint(len(examples), (batch_size,), generator=gen).tolist()
        out.append(sft_step(model, optimizer, pad_batch([examples[i] for i in picks], pad_token_id)))
    return out

@mistake("train_sft")
def one_step_short(model, examples, pad_token_id, steps, lr, batch_size=16, seed=0):
    "Runs steps - 1 steps."
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.0)
    gen = torch.Generator().manual_seed(seed)
    model.train()
    out = []
    for _ in range(max(steps - 1, 0)):
        picks = torch.randint(len(examples), (batch_size,), generator=gen).tolist()
        out.append(sft_step(model, optimizer, pad_batch([examples[i] for i in picks], pad_token_id)))
    return out

@mistake("train_sft")
def returns_last_loss(model, examples, pad_token_id, steps, lr, batch_size=16, seed=0):
    "Returns only the last loss, not the list."
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.0)
    gen = torch.Generator().manual_seed(seed)
    model.train()
    loss = float("nan")
    for _ in range(steps):
        picks = torch.randint(len(examples), (batch_size,), generator=gen).tolist()
        loss = sft_step(model, optimizer, pad_batch([examples[i] for i in picks], pad_token_id))
    return loss

@mistake("train_sft")
def first_batch_only(model, examples, pad_token_id, steps, lr, batch_size=16, seed=0):
    "Trains on the first batch_size examples every step: the rest is never learnt."
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.0)
    model.train()
    batch = pad_batch(examples[:batch_size], pad_token_id)
    return [sft_step(model, optimizer, batch) for _ in range(steps)]

class _LoRABase(nn.Module):
    "The solution's layout with the parts a mistake changes as class attributes."
    SCALE = "alpha/r"
    B_INIT = "zeros"
    FREEZE = True
    MERGE_SCALE = True
    def __init__(self, base, r, alpha):
        nn.Module.__init__(self)
        if r < 1: raise ValueError("rank")
        self.base = base
        self.scaling = {"alpha/r": alpha / r, "1": 1.0, "r/alpha": r / alpha, "alpha": alpha}[self.SCALE]
        if self.FREEZE:
            for p in base.parameters(): p.requires_grad_(False)
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r) if self.B_INIT == "zeros"
                                   else torch.randn(base.out_features, r) * 0.1)
    def forward(self, x):
        return self.base(x) + (x @ self.lora_A.T @ self.lora_B.T) * self.scaling
    def merge(self):
        m = nn.Linear(self.base.in_features, self.base.out_features, bias=self.base.bias is not None)
        with torch.no_grad():
            m.weight.copy_(self.base.weight + (self.scaling if self.MERGE_SCALE else 1.0) * self.lora_B @ self.lora_A)
            if self.base.bias is not None: m.bias.copy_(self.base.bias)
        return m

@mistake("LoRALinear")
class no_scale(_LoRABase):
    "Forgets the alpha / r scale."
    SCALE = "1"

@mistake("LoRALinear")
class scale_r_over_alpha(_LoRABase):
    "Scales by r / alpha."
    SCALE = "r/alpha"

@mistake("LoRALinear")
class b_random_init(_LoRABase):
    "Starts B random: the fresh layer is not the base layer."
    B_INIT = "random"

@mistake("LoRALinear")
class base_not_frozen(_LoRABase):
    "Leaves the base weight trainable."
    FREEZE = False

@mistake("LoRALinear")
class merge_without_scale(_LoRABase):
    "Merges B @ A without the scale."
    MERGE_SCALE = False

@mistake("LoRALinear")
class merge_drops_bias(_LoRABase):
    "The merged layer loses the base's bias."
    def merge(self):
        m = nn.Linear(self.base.in_features, self.base.out_features, bias=False)
        with torch.no_grad(): m.weight.copy_(self.base.weight + self.scaling * self.lora_B @ self.lora_A)
        return m

@mistake("add_lora")
def targets_ignored(model, r, alpha, targets):
    "Always adapts q_proj and v_proj, whatever `targets` says."
    for p in model.parameters(): p.requires_grad_(False)
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if name in ("q_proj", "v_proj") and isinstance(child, nn.Linear):
                setattr(module, name, LoRALinear(child, r, alpha))
    return sum(p.numel() for p in model.parameters() if p.requires_grad)

@mistake("add_lora")
def rest_not_frozen(model, r, alpha, targets):
    "Freezes only the adapted layers: embeddings, norms and the other projections still train."
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if name in targets and isinstance(child, nn.Linear):
                setattr(module, name, LoRALinear(child, r, alpha))
    return sum(p.numel() for p in model.parameters() if p.requires_grad)

@mistake("add_lora")
def first_layer_only(model, r, alpha, targets):
    "Adapts the first decoder layer only."
    for p in model.parameters(): p.requires_grad_(False)
    layer = model.model.layers[0]
    for module in list(layer.modules()):
        for name, child in list(module.named_children()):
            if name in targets and isinstance(child, nn.Linear):
                setattr(module, name, LoRALinear(child, r, alpha))
    return sum(p.numel() for p in model.parameters() if p.requires_grad)

@mistake("add_lora")
def counts_every_parameter(model, r, alpha, targets):
    "Returns the model's total parameter count, not the trainable one."
    for p in model.parameters(): p.requires_grad_(False)
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if name in targets and isinstance(child, nn.Linear):
                setattr(module, name, LoRALinear(child, r, alpha))
    return sum(p.numel() for p in model.parameters())
