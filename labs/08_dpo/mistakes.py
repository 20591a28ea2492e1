# Plausible wrong answers to lab 08, each probed in place of its exercise (the solution's globals are in scope).
# `mistake` is injected by the grader. Each must lose visible points of its exercise.

def _fits(logits, input_ids, completion_mask):
    if logits.dim() != 3 or logits.shape[:2] != input_ids.shape or input_ids.shape != completion_mask.shape:
        raise ValueError("shapes do not fit")

@mistake("completion_logps")
def not_shifted(logits, input_ids, completion_mask):
    "Scores each token with the logits at its own position."
    _fits(logits, input_ids, completion_mask)
    logp = torch.gather(logits.log_softmax(-1), 2, input_ids.unsqueeze(-1)).squeeze(-1)
    return (logp * completion_mask).sum(-1)

@mistake("completion_logps")
def mask_not_shifted(logits, input_ids, completion_mask):
    "Shifts the logits and tokens but not the mask: scores the last prompt token, drops the last answer token."
    _fits(logits, input_ids, completion_mask)
    logp = torch.gather(logits[:, :-1].log_softmax(-1), 2, input_ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    return (logp * completion_mask[:, :-1]).sum(-1)

@mistake("completion_logps")
def mean_not_sum(logits, input_ids, completion_mask):
    "Averages over the answer's tokens (a per-token score, not the answer's log-probability)."
    _fits(logits, input_ids, completion_mask)
    logp = torch.gather(logits[:, :-1].log_softmax(-1), 2, input_ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    m = completion_mask[:, 1:]
    return (logp * m).sum(-1) / m.sum(-1)

@mistake("completion_logps")
def raw_logits(logits, input_ids, completion_mask):
    "Sums the raw logits of the tokens, without the log-softmax."
    _fits(logits, input_ids, completion_mask)
    picked = torch.gather(logits[:, :-1], 2, input_ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    return (picked * completion_mask[:, 1:]).sum(-1)

@mistake("completion_logps")
def prompt_included(logits, input_ids, completion_mask):
    "Ignores the completion mask: scores the prompt and the padding too."
    _fits(logits, input_ids, completion_mask)
    logp = torch.gather(logits[:, :-1].log_softmax(-1), 2, input_ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    return logp.sum(-1)

@mistake("completion_logps")
def no_validation(logits, input_ids, completion_mask):
    "Checks no shapes: misaligned inputs give numbers instead of an error."
    logp = torch.gather(logits[:, :-1].log_softmax(-1), 2, input_ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    return (logp * completion_mask[:, 1:]).sum(-1)

def _dpo(pc, pr, rc, rr, beta=0.1, loss_type="sigmoid", chosen_lengths=None, rejected_lengths=None, **change):
    "The right loss with one part changed (the mistakes below name the part)."
    if loss_type not in ("sigmoid", "ipo", "hinge") and not change.get("no_check"):
        raise ValueError(f"bad {loss_type!r}")
    if beta <= 0 and not change.get("no_check"): raise ValueError(f"beta must be > 0, got {beta}")
    c, r = pc - rc, pr - rr
    if change.get("swapped"): c, r = r, c
    if loss_type == "hinge":
        losses = torch.relu((1 / beta if change.get("hinge_margin") else 1) - beta * (c - r))
    elif loss_type == "ipo":
        clamp = (lambda x: x) if change.get("no_clamp") else (lambda x: x.clamp(min=1))
        nc = 1 if chosen_lengths is None or change.get("ipo_sum") else clamp(chosen_lengths)
        nr = 1 if rejected_lengths is None or change.get("ipo_sum") else clamp(rejected_lengths)
        target = 1 / beta if change.get("ipo_target") else 1 / (2 * beta)
        losses = (c / nc - r / nr - target) ** 2
    elif change.get("naive"):
        losses = -torch.log(torch.sigmoid(beta * (c - r)))
    elif change.get("beta_outside"):
        losses = -F.logsigmoid(c - r) * beta
    else:
        losses = -F.logsigmoid(beta * (c - r))
    scale = 1 if change.get("no_beta_reward") else beta
    if change.get("not_detached"): return losses, scale * c, scale * r
    return losses, scale * c.detach(), scale * r.detach()

@mistake("dpo_loss")
def naive_log_sigmoid(*args, **kwargs):
    "log(sigmoid(x)): -inf once the sigmoid underflows (float32, a badly wrong policy)."
    return _dpo(*args, **kwargs, naive=True)

@mistake("dpo_loss")
def beta_outside_the_sigmoid(*args, **kwargs):
    "beta multiplies the loss instead of the margin."
    return _dpo(*args, **kwargs, beta_outside=True)

@mistake("dpo_loss")
def rejected_minus_chosen(*args, **kwargs):
    "Prefers the rejected answer (the log-ratios swapped)."
    return _dpo(*args, **kwargs, swapped=True)

@mistake("dpo_loss")
def rewards_not_detached(*args, **kwargs):
    "Returns rewards that still carry the policy's graph."
    return _dpo(*args, **kwargs, not_detached=True)

@mistake("dpo_loss")
def rewards_without_beta(*args, **kwargs):
    "Logs the bare log-ratios as rewards."
    return _dpo(*args, **kwargs, no_beta_reward=True)

@mistake("dpo_loss")
def ipo_not_per_token(*args, **kwargs):
    "IPO on summed log-ratios, ignoring the answer lengths."
    return _dpo(*args, **kwargs, ipo_sum=True)

@mistake("dpo_loss")
def ipo_target_one_over_beta(*args, **kwargs):
    "IPO's target margin 1 / beta instead of 1 / (2 beta)."
    return _dpo(*args, **kwargs, ipo_target=True)

@mistake("dpo_loss")
def lengths_not_clamped(*args, **kwargs):
    "Divides by an answer length of 0."
    return _dpo(*args, **kwargs, no_clamp=True)

@mistake("dpo_loss")
def hinge_margin_one_over_beta(*args, **kwargs):
    "The hinge at 1 / beta - beta * margin."
    return _dpo(*args, **kwargs, hinge_margin=True)

@mistake("dpo_loss")
def no_validation_dpo(*args, **kwargs):
    "Accepts any loss_type and beta (an unknown type silently becomes the sigmoid)."
    return _dpo(*args, **kwargs, no_check=True)

def _step(policy, ref, optimizer, batch, beta, ref_model=None, zero=True, ties=False, sum_loss=False, swap=False):
    n = len(batch["input_ids"]) // 2
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
    pol = completion_logps(policy(**inputs).logits, batch["input_ids"], batch["completion_mask"])
    with torch.no_grad():
        rf = completion_logps((ref_model or ref)(**inputs).logits, batch["input_ids"], batch["completion_mask"])
    if swap: pol, rf = torch.cat([pol[n:], pol[:n]]), torch.cat([rf[n:], rf[:n]])
    losses, c, r = dpo_loss(pol[:n], pol[n:], rf[:n], rf[n:], beta)
    loss = losses.sum() if sum_loss else losses.mean()
    if zero: optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    acc = (c >= r) if ties else (c > r)
    return {"loss": loss.item(), "reward_accuracy": acc.float().mean().item(), "margin": (c - r).mean().item()}

@mistake("dpo_step")
def no_zero_grad(policy, ref, optimizer, batch, beta=0.1):
    "Never clears the gradients."
    return _step(policy, ref, optimizer, batch, beta, zero=False)

@mistake("dpo_step")
def ties_count_as_wins(policy, ref, optimizer, batch, beta=0.1):
    "Reward accuracy with >=: 100% at step 0, when every reward is 0."
    return _step(policy, ref, optimizer, batch, beta, ties=True)

@mistake("dpo_step")
def policy_as_reference(policy, ref, optimizer, batch, beta=0.1):
    "Computes the reference log-probs with the policy: every log-ratio is 0 and nothing is learnt."
    return _step(policy, ref, optimizer, batch, beta, ref_model=policy)

@mistake("dpo_step")
def summed_loss(policy, ref, optimizer, batch, beta=0.1):
    "Sums the pair losses instead of averaging them."
    return _step(policy, ref, optimizer, batch, beta, sum_loss=True)

@mistake("dpo_step")
def halves_swapped(policy, ref, optimizer, batch, beta=0.1):
    "Takes the second half of the batch as the chosen answers."
    return _step(policy, ref, optimizer, batch, beta, swap=True)
