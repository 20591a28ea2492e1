"""Checks of lab 12c_clip (the lesson's module: `course_lib.clip`): CLIP's symmetric contrastive loss, zero-shot
prediction from embeddings and recall@k, each compared with the lesson's function on visible and hidden embeddings.
Hand-written, not exported: the library holds only what a practitioner imports. Calling the lesson's functions or
transformers' contrastive loss scores 0."""
from __future__ import annotations
import torch
from course_lib import clip as lesson


# --- the references: the lesson's functions, in the lab's signatures --------------------------------------------------
def clip_loss(image_emb:torch.Tensor, text_emb:torch.Tensor, temperature:float) -> torch.Tensor:
    "The mean of image->text and text->image cross-entropy over cosine similarities / temperature, labels 0..n-1."
    return lesson.clip_loss(image_emb, text_emb, temperature)


def zero_shot_predict(image_emb:torch.Tensor, text_emb:torch.Tensor) -> torch.Tensor:
    "The index of each image's most cosine-similar caption, an int64 tensor of shape (n_images,)."
    return lesson.zero_shot_predict(image_emb, text_emb)


def recall_at_k(similarity:torch.Tensor, targets:torch.Tensor, k:int) -> float:
    "The fraction of rows whose target column is among the row's k highest scores, a Python float."
    return lesson.recall_at_k(similarity, targets, k)


# --- the inputs ------------------------------------------------------------------------------------------------------
def _randn(*shape, seed:int, scale:float=1.0) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed)) * scale


def _pairs(n:int, d:int, seed:int, noise:float=1.0) -> tuple[torch.Tensor, torch.Tensor]:
    "n image embeddings of different lengths and n text embeddings near them (text i goes with image i)."
    img = _randn(n, d, seed=seed) * (1 + 4 * torch.rand(n, 1, generator=torch.Generator().manual_seed(seed + 1)))
    return img, img * 0.5 + _randn(n, d, seed=seed + 2, scale=noise)


def _forbid(*ours) -> tuple:
    "The lesson's functions and, where transformers is installed, its contrastive losses: calling any scores 0."
    out = (*ours, lesson.clip_loss, lesson.zero_shot_predict, lesson.recall_at_k, lesson.zero_shot, lesson.retrieval)
    try:
        from transformers.models.clip import modeling_clip as mc
        return out + tuple(f for f in (getattr(mc, "clip_loss", None), getattr(mc, "contrastive_loss", None),
                                       getattr(mc, "image_text_contrastive_loss", None)) if f is not None)
    except ImportError: return out


def _loss_checks(Check, Case) -> list:
    a, b = _pairs(6, 8, seed=1)
    c, d = _pairs(16, 32, seed=5, noise=0.3)
    cases = [Case("6 pairs of 8-d embeddings of different lengths, T = 1", (a, b, 1.0)),
             Case("the same pairs, T = 0.07 (CLIP's starting temperature)", (a, b, 0.07)),
             Case("16 close pairs of 32-d embeddings, T = 0.1", (c, d, 0.1)),
             Case("one pair: nothing to contrast, the loss is 0", (a[:1], b[:1], 0.07)),
             Case("a perfect match (text = image), T = 0.05", (c, c.clone(), 0.05))]
    e, f = _pairs(64, 16, seed=9, noise=2.0)
    hidden = [Case("64 noisy pairs of 16-d embeddings, T = 0.2", (e, f, 0.2)),
              Case("texts scaled by 100 (the cosine ignores length), T = 0.5", (a, 100 * b, 0.5))]
    hint = ("normalize each row of both to length 1; logits = image @ text.T / temperature (row i: image i against "
            "every text); cross-entropy with labels 0..n-1 on the logits and on their transpose; the mean of the two")
    forbid = _forbid(clip_loss)
    return [Check("clip_loss", clip_loss, cases, points=3, tol=1e-5, hint=hint, forbid=forbid),
            Check("clip_loss (hidden)", clip_loss, hidden, points=1, tol=1e-5, hidden=True, func="clip_loss",
                  hint=hint, forbid=forbid)]


def _zero_shot_checks(Check, Case) -> list:
    texts = torch.tensor([[10., 0.], [0., 1.], [1., 1.]])
    imgs = torch.tensor([[1., 0.2], [0.1, 3.], [2., 1.8], [0.3, -1.]])
    a, b = _pairs(12, 16, seed=20)
    cases = [Case("4 images, 3 captions of different lengths in 2-d", (imgs, texts)),
             Case("12 images against their 12 noisy captions, 16-d", (a, b)),
             Case("12 images, only the first 5 captions", (a, b[:5])),
             Case("texts of very different lengths (the longest must not win for being long)",
                  (a[:7], b * torch.linspace(0.1, 20, 12)[:, None]))]
    c, d = _pairs(40, 24, seed=30, noise=1.5)
    lengths = torch.rand(25, 1, generator=torch.Generator().manual_seed(3))
    hidden = [Case("40 images, 25 captions of random lengths", (c, d[:25] * lengths))]
    hint = ("cosine similarity of every image (row) with every caption (column); for each image the column of the "
            "highest one: an int64 tensor with one index per image")
    forbid = _forbid(zero_shot_predict)
    return [Check("zero_shot_predict", zero_shot_predict, cases, points=2, hint=hint, forbid=forbid),
            Check("zero_shot_predict (hidden)", zero_shot_predict, hidden, points=1, hidden=True,
                  func="zero_shot_predict", hint=hint, forbid=forbid)]


def _recall_checks(Check, Case) -> list:
    sim = torch.tensor([[0.9, 0.1, 0.3], [0.2, 0.1, 0.8], [0.5, 0.6, 0.4]])
    r = _randn(20, 50, seed=40)
    t = torch.arange(20) * 2
    r[torch.arange(20), t] += 1.5  # the targets score higher, but not always highest
    cases = [Case("3 queries, 3 candidates, k = 1", (sim, torch.tensor([0, 2, 2]), 1)),
             Case("the same, k = 2", (sim, torch.tensor([0, 2, 2]), 2)),
             Case("the same, k = 3: every target is found", (sim, torch.tensor([0, 2, 2]), 3)),
             Case("20 queries, 50 candidates, k = 1", (r, t, 1)),
             Case("20 queries, 50 candidates, k = 5", (r, t, 5)),
             Case("negative scores, k = 2", (sim - 5, torch.tensor([1, 0, 0]), 2))]
    h = _randn(64, 30, seed=41)
    hidden = [Case("64 queries, 30 candidates, k = 3", (h, torch.arange(64) % 30, 3)),
              Case("the same, k = 10", (h, torch.arange(64) % 30, 10))]
    hint = ("per row (query): the columns of its k largest scores; the row counts when its target is among them; "
            "return the fraction of rows that count, as a float")
    forbid = _forbid(recall_at_k)
    return [Check("recall_at_k", recall_at_k, cases, points=2, tol=1e-6, hint=hint, forbid=forbid),
            Check("recall_at_k (hidden)", recall_at_k, hidden, points=1, tol=1e-6, hidden=True, func="recall_at_k",
                  hint=hint, forbid=forbid)]


def lab_checks() -> list:
    "The checks of lab 12c (see `course_lib.grading`)."
    from course_lib.grading import Case, Check
    return [*_loss_checks(Check, Case), *_zero_shot_checks(Check, Case), *_recall_checks(Check, Case)]
