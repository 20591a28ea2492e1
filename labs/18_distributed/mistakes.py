"""Plausible wrong answers to lab 18, several per exercise: `scripts/try_mistakes.py labs/18_distributed` proves each
loses visible points. Runs in the kernel that ran the solution (torch, dist, make_model, lm_loss, its functions)."""

@mistake("shard_batch")
def interleaved_not_contiguous(batch, rank, world_size):
    "Takes every world_size-th example (a strided share) instead of a contiguous block."
    if not 0 <= rank < world_size or len(batch) % world_size:
        raise ValueError(f"rank={rank} or world_size={world_size} does not divide the batch")
    return batch[rank::world_size]

@mistake("shard_batch")
def no_validation_drops_examples(batch, rank, world_size):
    "Slices without checking: an uneven batch silently drops examples, a bad rank gets an empty shard."
    size = len(batch) // world_size
    return batch[rank * size:(rank + 1) * size]

@mistake("shard_batch")
def ceil_share_last_rank_short(batch, rank, world_size):
    "Rounds the share up, so the ranks get unequal shards (and validation only of the rank)."
    if not 0 <= rank < world_size:
        raise ValueError(f"rank={rank} is out of range")
    size = -(-len(batch) // world_size)
    return batch[rank * size:(rank + 1) * size]

@mistake("shard_batch")
def off_by_one_rank(batch, rank, world_size):
    "Uses rank + 1's share (ranks counted from 1)."
    if not 0 <= rank < world_size or len(batch) % world_size:
        raise ValueError(f"rank={rank} or world_size={world_size} does not divide the batch")
    size = len(batch) // world_size
    r = (rank + 1) % world_size
    return batch[r * size:(r + 1) * size]

@mistake("average_gradients")
def sum_not_mean(grads_per_rank):
    "Adds the ranks' gradients (an all-reduce without the division)."
    if not grads_per_rank:
        raise ValueError("no ranks")
    return [torch.stack(gs).sum(0) for gs in zip(*grads_per_rank)]

@mistake("average_gradients")
def mean_over_parameters(grads_per_rank):
    "Averages each rank's gradients with each other (the wrong axis) when the shapes allow it."
    if not grads_per_rank:
        raise ValueError("no ranks")
    return [sum(grads) / len(grads) for grads in grads_per_rank][:len(grads_per_rank[0])]

@mistake("average_gradients")
def no_validation_zip_truncates(grads_per_rank):
    "Averages without checking: zip silently drops a parameter a rank is missing."
    return [torch.stack(gs).mean(0) for gs in zip(*grads_per_rank)]

@mistake("average_gradients")
def rank0_only(grads_per_rank):
    "Returns rank 0's gradients (no averaging at all)."
    if not grads_per_rank:
        raise ValueError("no ranks")
    return [g.clone() for g in grads_per_rank[0]]

@mistake("allreduce_gradients")
def sum_without_division(model):
    "All-reduces with the default sum and forgets to divide by the world size."
    for p in model.parameters():
        if p.grad is not None:
            dist.all_reduce(p.grad)

@mistake("allreduce_gradients")
def reduce_to_rank0_only(model):
    "Uses reduce (to rank 0) instead of all-reduce: the other ranks keep their own gradients."
    world_size = dist.get_world_size()
    for p in model.parameters():
        if p.grad is not None:
            dist.reduce(p.grad, dst=0)
            if dist.get_rank() == 0:
                p.grad /= world_size

@mistake("allreduce_gradients")
def averages_a_copy(model):
    "All-reduces a copy of each gradient and never writes the result back."
    world_size = dist.get_world_size()
    for p in model.parameters():
        if p.grad is not None:
            g = p.grad.clone()
            dist.all_reduce(g)
            g /= world_size

@mistake("allreduce_gradients")
def only_first_parameter(model):
    "Returns after the first parameter (a misplaced return in the loop)."
    world_size = dist.get_world_size()
    for p in model.parameters():
        if p.grad is not None:
            dist.all_reduce(p.grad)
            p.grad /= world_size
            return

@mistake("ddp_worker")
def no_gradient_sync(rank, world_size, init_method, cfg, batches, vocab_size):
    "Each rank steps on its own shard's gradient: the replicas drift apart."
    dist.init_process_group("gloo", init_method=init_method, rank=rank, world_size=world_size)
    try:
        model = make_model(cfg, vocab_size)
        opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum)
        losses = []
        for batch in batches:
            loss = lm_loss(model, shard_batch(batch, rank, world_size))
            loss.backward()
            opt.step()
            opt.zero_grad()
            mean = loss.detach().clone()
            dist.all_reduce(mean)
            losses.append(mean.item() / world_size)
        return {"losses": losses, "state": {k: v.detach().clone() for k, v in model.state_dict().items()}}
    finally:
        dist.destroy_process_group()

@mistake("ddp_worker")
def local_loss_logged(rank, world_size, init_method, cfg, batches, vocab_size):
    "Logs the rank's own shard loss instead of the global batch's."
    dist.init_process_group("gloo", init_method=init_method, rank=rank, world_size=world_size)
    try:
        model = make_model(cfg, vocab_size)
        opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum)
        losses = []
        for batch in batches:
            loss = lm_loss(model, shard_batch(batch, rank, world_size))
            loss.backward()
            allreduce_gradients(model)
            opt.step()
            opt.zero_grad()
            losses.append(loss.item())
        return {"losses": losses, "state": {k: v.detach().clone() for k, v in model.state_dict().items()}}
    finally:
        dist.destroy_process_group()

@mistake("ddp_worker")
def no_zero_grad(rank, world_size, init_method, cfg, batches, vocab_size):
    "Never clears the gradients, so each step adds the previous steps' gradients again."
    dist.init_process_group("gloo", init_method=init_method, rank=rank, world_size=world_size)
    try:
        model = make_model(cfg, vocab_size)
        opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum)
        losses = []
        for batch in batches:
            loss = lm_loss(model, shard_batch(batch, rank, world_size))
            loss.backward()
            allreduce_gradients(model)
            opt.step()
            mean = loss.detach().clone()
            dist.all_reduce(mean)
            losses.append(mean.item() / world_size)
        return {"losses": losses, "state": {k: v.detach().clone() for k, v in model.state_dict().items()}}
    finally:
        dist.destroy_process_group()

@mistake("ddp_worker")
def seed_per_rank(rank, world_size, init_method, cfg, batches, vocab_size):
    "Seeds each rank differently, so the replicas start from different weights."
    dist.init_process_group("gloo", init_method=init_method, rank=rank, world_size=world_size)
    try:
        model = make_model(DistConfig(**{**cfg.__dict__, "seed": cfg.seed + rank}), vocab_size)
        opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum)
        losses = []
        for batch in batches:
            loss = lm_loss(model, shard_batch(batch, rank, world_size))
            loss.backward()
            allreduce_gradients(model)
            opt.step()
            opt.zero_grad()
            mean = loss.detach().clone()
            dist.all_reduce(mean)
            losses.append(mean.item() / world_size)
        return {"losses": losses, "state": {k: v.detach().clone() for k, v in model.state_dict().items()}}
    finally:
        dist.destroy_process_group()

@mistake("ddp_worker")
def lr_scaled_by_world_size(rank, world_size, init_method, cfg, batches, vocab_size):
    "Multiplies the learning rate by the number of ranks (the linear-scaling rule, where the batch did not grow)."
    dist.init_process_group("gloo", init_method=init_method, rank=rank, world_size=world_size)
    try:
        model = make_model(cfg, vocab_size)
        opt = torch.optim.SGD(model.parameters(), lr=cfg.lr * world_size, momentum=cfg.momentum)
        losses = []
        for batch in batches:
            loss = lm_loss(model, shard_batch(batch, rank, world_size))
            loss.backward()
            allreduce_gradients(model)
            opt.step()
            opt.zero_grad()
            mean = loss.detach().clone()
            dist.all_reduce(mean)
            losses.append(mean.item() / world_size)
        return {"losses": losses, "state": {k: v.detach().clone() for k, v in model.state_dict().items()}}
    finally:
        dist.destroy_process_group()

@mistake("zero_memory")
def ddp_divides_too(n_params, world_size, stage, param_bytes=2, grad_bytes=2, optim_bytes=12):
    "Shards the optimizer state already at stage 0 (stages counted from 0 = ZeRO-1)."
    if world_size < 1 or stage not in (0, 1, 2, 3):
        raise ValueError(f"bad stage {stage} or world_size {world_size}")
    div = lambda s: world_size if stage + 1 >= s else 1
    p, g, o = n_params * param_bytes / div(3), n_params * grad_bytes / div(2), n_params * optim_bytes / div(1)
    return {"params": p, "grads": g, "optimizer": o, "total": p + g + o}

@mistake("zero_memory")
def stages_shard_in_reverse(n_params, world_size, stage, param_bytes=2, grad_bytes=2, optim_bytes=12):
    "Shards the parameters first and the optimizer state last."
    if world_size < 1 or stage not in (0, 1, 2, 3):
        raise ValueError(f"bad stage {stage} or world_size {world_size}")
    div = lambda s: world_size if stage >= s else 1
    p, g, o = n_params * param_bytes / div(1), n_params * grad_bytes / div(2), n_params * optim_bytes / div(3)
    return {"params": p, "grads": g, "optimizer": o, "total": p + g + o}

@mistake("zero_memory")
def no_stage_check(n_params, world_size, stage, param_bytes=2, grad_bytes=2, optim_bytes=12):
    "Accepts any stage and world size (stage 4 treated as 3, world size 0 divides by zero)."
    div = lambda s: max(world_size, 1) if stage >= s else 1
    p, g, o = n_params * param_bytes / div(3), n_params * grad_bytes / div(2), n_params * optim_bytes / div(1)
    return {"params": p, "grads": g, "optimizer": o, "total": p + g + o}

@mistake("zero_memory")
def ignores_byte_sizes(n_params, world_size, stage, param_bytes=2, grad_bytes=2, optim_bytes=12):
    "Uses the default byte sizes whatever the caller passes."
    if world_size < 1 or stage not in (0, 1, 2, 3):
        raise ValueError(f"bad stage {stage} or world_size {world_size}")
    div = lambda s: world_size if stage >= s else 1
    p, g, o = n_params * 2 / div(3), n_params * 2 / div(2), n_params * 12 / div(1)
    return {"params": p, "grads": g, "optimizer": o, "total": p + g + o}
