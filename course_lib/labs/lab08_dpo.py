"""Checks of lab 08_dpo (the lesson's module: `course_lib.dpo`). Hand-written, not exported: the library holds only what
a practitioner imports.

The lesson's `sequence_logps(model, batch)` runs a model; the lab's `completion_logps(logits, input_ids,
completion_mask)` is its arithmetic, and `dpo_step` one optimizer step of DPO; their references live here."""
from __future__ import annotations
import copy
import torch
from course_lib.dpo import LOSS_TYPES, dpo_loss, sequence_logps
from course_lib.generate import continuation_logprobs
from course_lib.labs.lab07_sft import reference_cache, tiny_llama

def _lab_logps(seed:int, n:int=5, dtype=torch.float64) -> tuple[torch.Tensor, ...]:
    "Four deterministic (n,) tensors of log-probabilities."
    g = torch.Generator().manual_seed(seed)
    return tuple((-torch.rand(n, generator=g, dtype=torch.float64) * 30).to(dtype) for _ in range(4))

def completion_logps(logits:torch.Tensor,          # (rows, seq, vocab) the model's outputs
                     input_ids:torch.Tensor,       # (rows, seq) the tokens
                     completion_mask:torch.Tensor, # (rows, seq) 1 on the answer's tokens
                    ) -> torch.Tensor:
    "Each row's summed log-probability of its answer tokens, (rows,): the logits at t predict the token at t + 1."
    if logits.dim() != 3 or logits.shape[:2] != input_ids.shape or input_ids.shape != completion_mask.shape:
        raise ValueError(f"logits {tuple(logits.shape)}, input_ids {tuple(input_ids.shape)} and completion_mask "
                         f"{tuple(completion_mask.shape)} must be (rows, seq, vocab), (rows, seq), (rows, seq)")
    logp = torch.gather(logits[:, :-1].log_softmax(-1), 2, input_ids[:, 1:, None]).squeeze(-1)
    return (logp * completion_mask[:, 1:]).sum(-1)

def dpo_step(policy, ref, optimizer, batch:dict, beta:float=0.1) -> dict:
    "One DPO step on a batch (chosen rows, then rejected rows): loss, reward accuracy, mean margin, as floats."
    n = len(batch["input_ids"]) // 2
    logits = policy(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    pol = completion_logps(logits, batch["input_ids"], batch["completion_mask"])
    with torch.no_grad():
        ref_logits = ref(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        rf = completion_logps(ref_logits, batch["input_ids"], batch["completion_mask"])
    losses, chosen, rejected = dpo_loss(pol[:n], pol[n:], rf[:n], rf[n:], beta)
    loss = losses.mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return {"loss": loss.item(), "reward_accuracy": (chosen > rejected).float().mean().item(),
            "margin": (chosen - rejected).mean().item()}

def _logit_case(seed:int, rows:int=4, seq:int=7, vocab:int=11) -> tuple:
    "Random float64 logits, tokens and completion masks (answers of different lengths, right padding)."
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(rows, seq, vocab, generator=g, dtype=torch.float64) * 2
    ids = torch.randint(vocab, (rows, seq), generator=g)
    mask = torch.zeros(rows, seq, dtype=torch.long)
    for r in range(rows):
        start = 1 + r % 3
        end = seq - (r % 2)  # odd rows end with a padding position
        mask[r, start:end] = 1
    return logits, ids, mask

def _pref_batch(seed:int, pairs:int=3, seq:int=9, vocab:int=48) -> dict:
    "A random preference batch like `course_lib.dpo.preference_batch`: chosen rows then rejected rows, right-padded."
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(3, vocab, (2 * pairs, seq), generator=g)
    att, comp = torch.ones_like(ids), torch.zeros_like(ids)
    for r in range(2 * pairs):
        prompt, length = 2 + r % 3, seq - (r % 2) * 2
        ids[r, length:], att[r, length:] = 0, 0
        comp[r, prompt:length] = 1
    return {"input_ids": ids, "attention_mask": att, "completion_mask": comp}

@reference_cache
def run_dpo_steps(fn, seed:int, steps:int=3, beta:float=0.1, lr:float=1e-2) -> list:
    "Harness: `steps` calls of `fn(policy, ref, optimizer, batch, beta)` on a tiny Llama and a random batch."
    policy = tiny_llama(seed)
    ref = copy.deepcopy(policy).eval()
    for p in ref.parameters(): p.requires_grad_(False)
    opt = torch.optim.AdamW(policy.parameters(), lr=lr)
    batch = _pref_batch(seed)
    return [fn(policy, ref, opt, batch, beta) for _ in range(steps)]

def _with_grad(fn, *args, **kwargs):
    "Harness: call fn with the policy's chosen log-probs requiring grad; report whether the rewards carry a graph."
    args = (args[0].clone().requires_grad_(True),) + tuple(args[1:])
    out = fn(*args, **kwargs)
    if isinstance(out, tuple) and len(out) == 3 and all(torch.is_tensor(x) for x in out):
        return [out[0], out[1], out[2], {"rewards detached": not (out[1].requires_grad or out[2].requires_grad)}]
    return out

def lab_checks() -> list:
    "The checks of lab 08 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    lens = {"chosen_lengths": torch.tensor([1., 3., 7., 2., 10.], dtype=torch.float64),
            "rejected_lengths": torch.tensor([4., 4., 1., 30., 2.], dtype=torch.float64)}
    zero_len = {"chosen_lengths": torch.tensor([0., 3., 7., 2., 10.], dtype=torch.float64),
                "rejected_lengths": torch.tensor([4., 0., 1., 30., 2.], dtype=torch.float64)}
    same = _lab_logps(2)[:2] * 2  # policy == reference
    far = _lab_logps(9, dtype=torch.float32)  # the policy much prefers the rejected answer: margin -200
    far = (far[0] - 200, far[1], far[2], far[3])
    no_dpo = (sequence_logps, dpo_loss)
    bad_shape = (torch.zeros(2, 5, 7), torch.zeros(2, 4, dtype=torch.long), torch.zeros(2, 4, dtype=torch.long))
    return [
        Check("completion_logps", completion_logps, points=3, tol=1e-9, hint="log-softmax over the vocabulary; the "
              "logits at one position score the token at the next; only the answer's tokens count, summed",
              forbid=(completion_logps, sequence_logps, continuation_logprobs), cases=[
            Case("4 rows, answers of different lengths", _logit_case(0)),
            Case("one row, the answer right after the first token", _logit_case(1, rows=1, seq=5)),
            Case("a bigger vocabulary", _logit_case(2, rows=3, seq=9, vocab=50)),
            Case("logits and tokens that do not align", bad_shape, raises="ValueError")]),
        Check("dpo_loss sigmoid", dpo_loss, points=3, tol=1e-6, func="dpo_loss", harness=_with_grad,
              hint="the loss of a logistic (Bradley-Terry) preference on beta times the difference of log-ratios, "
              "computed stably; the rewards are for logging", cases=[
            Case("beta 0.1", _lab_logps(0)), Case("beta 0.5", _lab_logps(1), {"beta": 0.5}),
            Case("policy == reference", same),
            Case("float32, the policy strongly prefers the rejected answer, beta 1", far, {"beta": 1.0})]),
        Check("dpo_loss ipo", dpo_loss, points=2, tol=1e-6, func="dpo_loss", harness=_with_grad,
              hint="a squared distance of the per-token margin from its target; missing lengths count as 1, "
              "an empty answer as 1 token", cases=[
            Case("no lengths", _lab_logps(3), {"loss_type": "ipo"}),
            Case("with lengths, beta 0.2", _lab_logps(4), {"loss_type": "ipo", "beta": 0.2, **lens}),
            Case("an answer of 0 tokens", _lab_logps(10), {"loss_type": "ipo", **zero_len})]),
        Check("dpo_loss hinge", dpo_loss, points=1, tol=1e-6, func="dpo_loss", harness=_with_grad,
              hint="zero once beta times the margin reaches 1, linear below", cases=[
            Case("beta 0.1", _lab_logps(5), {"loss_type": "hinge"}),
            Case("beta 1", _lab_logps(6), {"loss_type": "hinge", "beta": 1.0})]),
        Check("dpo_loss validation", dpo_loss, points=1, func="dpo_loss", hint="refuse what the loss cannot mean",
              cases=[Case("loss_type 'kto'", _lab_logps(0), {"loss_type": "kto"}, raises="ValueError", match="kto"),
                     Case("beta 0", _lab_logps(0), {"beta": 0.0}, raises="ValueError", match="beta"),
                     Case("a valid call, beta 0.3", _lab_logps(11), {"beta": 0.3})]),
        Check("dpo_step", dpo_step, points=4, tol=1e-4, harness=run_dpo_steps,
              forbid=(dpo_step, completion_logps, sequence_logps, continuation_logprobs, dpo_loss),
              hint="policy log-probs with gradients, the reference's without; the mean sigmoid loss; a fresh gradient "
              "every step; reward accuracy counts only pairs whose chosen reward is strictly higher", cases=[
            Case("3 steps, seed 0", (0,)), Case("2 steps, seed 1, beta 0.5", (1,), {"steps": 2, "beta": 0.5})]),
        Check("completion_logps (hidden)", completion_logps, points=1, tol=1e-9, hidden=True, func="completion_logps",
              forbid=(completion_logps, sequence_logps, continuation_logprobs), hint="new logits",
              cases=[Case("6 rows", _logit_case(7, rows=6, seq=8, vocab=13))]),
        Check("dpo_loss (hidden)", dpo_loss, points=1, tol=1e-6, hidden=True, func="dpo_loss", harness=_with_grad,
              hint="every loss type on new numbers",
              cases=[Case(f"{lt}, beta 0.3", _lab_logps(7 + i, 8), {"loss_type": lt, "beta": 0.3})
                     for i, lt in enumerate(LOSS_TYPES)]),
        Check("dpo_step (hidden)", dpo_step, points=1, tol=1e-4, hidden=True, func="dpo_step", harness=run_dpo_steps,
              forbid=(dpo_step, completion_logps, sequence_logps, continuation_logprobs, dpo_loss), hint="a new seed",
              cases=[Case("4 steps, seed 2", (2,), {"steps": 4})]),
    ]
