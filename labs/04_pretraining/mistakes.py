# Plausible wrong answers to lab 04: each must lose visible points of its exercise (see course_lib.grading.mistake).
# Executed in the kernel that ran the solution: torch, math, get_batch and the solution's functions are in scope.

@mistake("get_lr")
def warmup_starts_at_zero(it, cfg):
    "Warmup from 0 (it / warmup_steps): step 0 does nothing and lr is reached one step late."
    if it < cfg.warmup_steps:
        return cfg.lr * it / cfg.warmup_steps
    if it >= cfg.max_steps:
        return cfg.min_lr
    progress = (it - cfg.warmup_steps) / (cfg.max_steps - cfg.warmup_steps)
    return cfg.min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (cfg.lr - cfg.min_lr)

@mistake("get_lr")
def cosine_to_zero(it, cfg):
    "The cosine decays to 0 instead of min_lr."
    if it < cfg.warmup_steps:
        return cfg.lr * (it + 1) / cfg.warmup_steps
    if it >= cfg.max_steps:
        return cfg.min_lr
    progress = (it - cfg.warmup_steps) / (cfg.max_steps - cfg.warmup_steps)
    return 0.5 * (1 + math.cos(math.pi * progress)) * cfg.lr

@mistake("get_lr")
def no_floor(it, cfg):
    "No floor: the cosine keeps going (and comes back up) after max_steps."
    if it < cfg.warmup_steps:
        return cfg.lr * (it + 1) / cfg.warmup_steps
    progress = (it - cfg.warmup_steps) / (cfg.max_steps - cfg.warmup_steps)
    return cfg.min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (cfg.lr - cfg.min_lr)

@mistake("get_lr")
def linear_decay(it, cfg):
    "A linear decay from lr to min_lr instead of the half cosine."
    if it < cfg.warmup_steps:
        return cfg.lr * (it + 1) / cfg.warmup_steps
    if it >= cfg.max_steps:
        return cfg.min_lr
    progress = (it - cfg.warmup_steps) / (cfg.max_steps - cfg.warmup_steps)
    return cfg.lr - progress * (cfg.lr - cfg.min_lr)

@mistake("pack_blocks")
def pads_the_tail(ids, block_size):
    "Keeps the incomplete tail, padded with zeros."
    n_blocks = -(-len(ids) // block_size)
    if len(ids) < block_size:
        raise ValueError(f"{len(ids)} tokens make no block of block_size={block_size}")
    padded = list(ids) + [0] * (n_blocks * block_size - len(ids))
    return torch.tensor(padded, dtype=torch.long).view(n_blocks, block_size)

@mistake("pack_blocks")
def int32_ids(ids, block_size):
    "Stores the ids as 32-bit integers (embedding tables index with torch.long)."
    n_blocks = len(ids) // block_size
    if n_blocks == 0:
        raise ValueError(f"{len(ids)} tokens make no block of block_size={block_size}")
    return torch.tensor(ids[:n_blocks * block_size], dtype=torch.int32).view(n_blocks, block_size)

@mistake("pack_blocks")
def no_validation(ids, block_size):
    "Returns an empty (0, block_size) tensor for a stream too short for one block."
    n_blocks = len(ids) // block_size
    return torch.tensor(ids[:n_blocks * block_size], dtype=torch.long).view(n_blocks, block_size)

@mistake("pack_blocks")
def blocks_transposed(ids, block_size):
    "Reshapes to (block_size, n_blocks) and transposes: the blocks are not runs of consecutive tokens."
    n_blocks = len(ids) // block_size
    if n_blocks == 0:
        raise ValueError(f"{len(ids)} tokens make no block of block_size={block_size}")
    return torch.tensor(ids[:n_blocks * block_size], dtype=torch.long).view(block_size, n_blocks).T.contiguous()

@mistake("causal_lm_loss")
def labels_not_shifted(logits, labels):
    "Scores position t against the token at t itself (no label shift)."
    scores, targets = logits.float(), labels
    counts = targets != -100
    picked = scores.gather(-1, targets.masked_fill(~counts, 0).unsqueeze(-1)).squeeze(-1)
    return ((torch.logsumexp(scores, dim=-1) - picked) * counts).sum() / counts.sum()

@mistake("causal_lm_loss")
def shifted_the_wrong_way(logits, labels):
    "Scores position t + 1 against the token at t."
    scores, targets = logits[:, 1:].float(), labels[:, :-1]
    counts = targets != -100
    picked = scores.gather(-1, targets.masked_fill(~counts, 0).unsqueeze(-1)).squeeze(-1)
    return ((torch.logsumexp(scores, dim=-1) - picked) * counts).sum() / counts.sum()

@mistake("causal_lm_loss")
def exp_overflows(logits, labels):
    "Sums exp(logits) without subtracting the maximum: inf/nan for large logits."
    scores, targets = logits[:, :-1].float(), labels[:, 1:]
    counts = targets != -100
    picked = scores.gather(-1, targets.masked_fill(~counts, 0).unsqueeze(-1)).squeeze(-1)
    return ((scores.exp().sum(-1).log() - picked) * counts).sum() / counts.sum()

@mistake("causal_lm_loss")
def mean_counts_ignored_positions(logits, labels):
    "Averages over every position, the ignored (-100) ones included."
    scores, targets = logits[:, :-1].float(), labels[:, 1:]
    counts = targets != -100
    picked = scores.gather(-1, targets.masked_fill(~counts, 0).unsqueeze(-1)).squeeze(-1)
    return ((torch.logsumexp(scores, dim=-1) - picked) * counts).sum() / counts.numel()

@mistake("causal_lm_loss")
def sum_not_mean(logits, labels):
    "Returns the sum of the cross-entropies, not their mean."
    scores, targets = logits[:, :-1].float(), labels[:, 1:]
    counts = targets != -100
    picked = scores.gather(-1, targets.masked_fill(~counts, 0).unsqueeze(-1)).squeeze(-1)
    return ((torch.logsumexp(scores, dim=-1) - picked) * counts).sum()

@mistake("make_optimizer")
def decay_everything(model, cfg):
    "One group: weight decay on the norm gains too."
    return torch.optim.AdamW(model.parameters(), lr=cfg.lr, betas=cfg.betas, weight_decay=cfg.weight_decay)

@mistake("make_optimizer")
def adam_with_l2(model, cfg):
    "Adam with L2 weight decay (coupled) instead of AdamW."
    matrices = [p for p in model.parameters() if p.dim() >= 2]
    others = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": matrices, "weight_decay": cfg.weight_decay}, {"params": others, "weight_decay": 0.0}]
    return torch.optim.Adam(groups, lr=cfg.lr, betas=cfg.betas)

@mistake("make_optimizer")
def default_betas(model, cfg):
    "Ignores cfg.betas (torch's default (0.9, 0.999))."
    matrices = [p for p in model.parameters() if p.dim() >= 2]
    others = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": matrices, "weight_decay": cfg.weight_decay}, {"params": others, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=cfg.lr)

@mistake("make_optimizer")
def norms_left_out(model, cfg):
    "Only the matrices are given to the optimizer: the norm gains never train."
    return torch.optim.AdamW([p for p in model.parameters() if p.dim() >= 2], lr=cfg.lr, betas=cfg.betas,
                             weight_decay=cfg.weight_decay)

def _step_with(model, optimizer, blocks, it, cfg, scale=True, clip_inside=False, schedule=True, zero=True):
    "The solution's step with one thing changed (for the mistakes below)."
    model.train()
    total = 0.0
    for micro in range(cfg.grad_accum):
        x = get_batch(blocks, it, micro, cfg)
        loss = causal_lm_loss(model(input_ids=x).logits, x)
        (loss / cfg.grad_accum if scale else loss).backward()
        total += loss.item() / cfg.grad_accum
        if clip_inside and cfg.grad_clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
    if cfg.grad_clip and not clip_inside:
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
    if schedule:
        for group in optimizer.param_groups:
            group["lr"] = get_lr(it, cfg)
    optimizer.step()
    if zero:
        optimizer.zero_grad()
    return total

@mistake("train_step")
def clip_inside_micro_loop(model, optimizer, blocks, it, cfg):
    "Clips the gradient after every micro-batch instead of once after accumulating."
    return _step_with(model, optimizer, blocks, it, cfg, clip_inside=True)

@mistake("train_step")
def loss_not_divided_by_accum(model, optimizer, blocks, it, cfg):
    "Back-propagates each micro-batch's full loss: the gradient is grad_accum times too large."
    return _step_with(model, optimizer, blocks, it, cfg, scale=False)

@mistake("train_step")
def lr_not_scheduled(model, optimizer, blocks, it, cfg):
    "Never sets the scheduled learning rate: the optimizer's initial lr throughout."
    return _step_with(model, optimizer, blocks, it, cfg, schedule=False)

@mistake("train_step")
def gradients_never_cleared(model, optimizer, blocks, it, cfg):
    "Forgets zero_grad: gradients keep adding up across steps."
    return _step_with(model, optimizer, blocks, it, cfg, zero=False)

@mistake("train_step")
def returns_last_micro_loss(model, optimizer, blocks, it, cfg):
    "Returns the last micro-batch's loss instead of the step's mean."
    model.train()
    for micro in range(cfg.grad_accum):
        x = get_batch(blocks, it, micro, cfg)
        loss = causal_lm_loss(model(input_ids=x).logits, x)
        (loss / cfg.grad_accum).backward()
    if cfg.grad_clip:
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
    for group in optimizer.param_groups:
        group["lr"] = get_lr(it, cfg)
    optimizer.step()
    optimizer.zero_grad()
    return loss.item()

@mistake("train")
def new_optimizer_every_step(model, blocks, cfg):
    "Makes a fresh optimizer at every step: AdamW's moment estimates are forgotten."
    losses = [train_step(model, make_optimizer(model, cfg), blocks, it, cfg) for it in range(cfg.max_steps)]
    model.eval()
    return losses

@mistake("train")
def steps_counted_from_one(model, blocks, cfg):
    "Runs steps 1 .. max_steps: the schedule and the batches are off by one."
    optimizer = make_optimizer(model, cfg)
    losses = [train_step(model, optimizer, blocks, it, cfg) for it in range(1, cfg.max_steps + 1)]
    model.eval()
    return losses

@mistake("train")
def left_in_training_mode(model, blocks, cfg):
    "Forgets to switch the model to evaluation mode at the end."
    optimizer = make_optimizer(model, cfg)
    return [train_step(model, optimizer, blocks, it, cfg) for it in range(cfg.max_steps)]

@mistake("train")
def one_step_short(model, blocks, cfg):
    "Stops one step early."
    optimizer = make_optimizer(model, cfg)
    losses = [train_step(model, optimizer, blocks, it, cfg) for it in range(cfg.max_steps - 1)]
    model.eval()
    return losses
