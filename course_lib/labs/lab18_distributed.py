"""Checks of lab 18_distributed (the lesson's module: `course_lib.distributed`). Hand-written, not exported: the library
holds only what a practitioner imports.

Besides the checks, two things the lab needs that the lesson's module does not have: `run_ranks`, which starts
`world_size` processes in this one (the lesson uses torchrun) so that a notebook kernel can run real `torch.distributed`
code, and the references of the two exercises that run inside a process group (`lab_allreduce_gradients`,
`lab_ddp_worker`)."""
from __future__ import annotations
import io, multiprocessing, os, tempfile, time, traceback
from pathlib import Path
import torch
from course_lib.distributed import DistConfig, average_gradients, lm_loss, make_model, shard_batch, zero_memory

def _t(*shape, seed:int=0): return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))

def _rank_main(rank:int, world_size:int, folder:str, worker, args:tuple):
    "One rank (in a forked process): run worker(rank, world_size, init_method, *args), save its result or its error."
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    torch.set_num_threads(1)
    init_method = "file://" + str(Path(folder)/"rendezvous")
    try:
        result = worker(rank, world_size, init_method, *args)
        buf = io.BytesIO()
        torch.save(result, buf)
        (Path(folder)/f"rank{rank}.pt").write_bytes(buf.getvalue())
    except BaseException as e:
        message = f"rank {rank}: {type(e).__name__}: {e}\n{traceback.format_exc()[-1500:]}"
        (Path(folder)/f"rank{rank}.err").write_text(message)
    finally:
        os._exit(0)

_WARM = []

def _warm_up():
    "Import what an optimizer pulls in (torch._dynamo: seconds) once here, so that every forked rank inherits it."
    if not _WARM:
        param = torch.zeros(1, requires_grad=True)
        torch.optim.SGD([param], lr=0.1, momentum=0.9)
        import torch.distributed as _dist  # noqa: F401
        _WARM.append(True)

def run_ranks(worker,                # worker(rank, world_size, init_method, *args) -> a result (tensors, lists, dicts)
              world_size:int, *args,
              timeout:float=240.0,   # seconds for all ranks together; then every rank is killed
             ) -> list:
    "Run `worker` in `world_size` processes on this machine (gloo over loopback); return each rank's result, by rank."
    if not isinstance(world_size, int) or world_size < 1:
        raise ValueError(f"world_size must be a positive int, got {world_size!r}")
    _warm_up()
    ctx = multiprocessing.get_context("fork")  # forked ranks inherit the notebook's functions: nothing to pickle
    with tempfile.TemporaryDirectory(prefix="ranks-") as folder:
        procs = [ctx.Process(target=_rank_main, args=(r, world_size, folder, worker, args)) for r in range(world_size)]
        for p in procs: p.start()
        deadline = time.monotonic() + timeout
        try:
            for p in procs: p.join(max(0.0, deadline - time.monotonic()))
        finally:
            late = [p for p in procs if p.is_alive()]
            for p in late: p.kill()
            for p in late: p.join()
        errors = sorted(Path(folder).glob("rank*.err"))
        if errors: raise RuntimeError(errors[0].read_text())
        if late: raise TimeoutError(f"{len(late)} of {world_size} ranks did not finish in {timeout:g} s "
                                    "(a rank that waits in a collective the others never join hangs)")
        missing = [r for r in range(world_size) if not (Path(folder)/f"rank{r}.pt").exists()]
        if missing: raise RuntimeError(f"ranks {missing} ended without a result")
        return [torch.load(Path(folder)/f"rank{r}.pt", weights_only=False) for r in range(world_size)]

# ---- references of the exercises that run inside a process group
_REFERENCE_CALLS = [0]  # how often the references ran in this process (a forked rank reports its count back)

def lab_allreduce_gradients(model) -> None:
    "Replace every parameter's gradient by its mean over the ranks (all-reduce sum, then / world_size), in place."
    import torch.distributed as dist
    _REFERENCE_CALLS[0] += 1
    world = dist.get_world_size()
    for p in model.parameters():
        if p.grad is not None:
            dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
            p.grad /= world

def lab_ddp_worker(rank:int, world_size:int, init_method:str, cfg:DistConfig, batches:torch.Tensor,
                   vocab_size:int) -> dict:
    "One rank of data-parallel SGD: {'losses': the global mean loss of each step, 'state': the final weights}."
    import torch.distributed as dist
    _REFERENCE_CALLS[0] += 1
    dist.init_process_group("gloo", init_method=init_method, rank=rank, world_size=world_size)
    try:
        model = make_model(cfg, vocab_size)
        opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum)
        losses = []
        for batch in batches:
            loss = lm_loss(model, shard_batch(batch, rank, world_size))
            loss.backward()
            lab_allreduce_gradients(model)
            opt.step()
            opt.zero_grad()
            mean = loss.detach().clone()
            dist.all_reduce(mean)
            losses.append(mean.item() / world_size)
        return {"losses": losses, "state": {k: v.detach().clone() for k, v in model.state_dict().items()}}
    finally:
        dist.destroy_process_group()

# ---- the harnesses: they run the student's function inside real process groups
def lab_config(seed:int=0, steps:int=3, global_batch:int=8) -> DistConfig:
    "A tiny run for the checks: 2 blocks of width 32 on 16-token examples."
    return DistConfig(d_model=32, n_layers=2, n_heads=2, seq_len=16, global_batch=global_batch, steps=steps, lr=0.1,
                      momentum=0.9, seed=seed)

def lab_batches(cfg:DistConfig, vocab_size:int=64, seed:int=0) -> torch.Tensor:
    "Random token ids (steps, global_batch, seq_len + 1): the checks need no tokenizer."
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, vocab_size, (cfg.steps, cfg.global_batch, cfg.seq_len + 1), generator=g)

def _guarded(fn, *args):
    "Call fn in a rank and report whether it ran one of the course's references."
    before = _REFERENCE_CALLS[0]
    out = fn(*args)
    return out, _REFERENCE_CALLS[0] != before

def _grads_worker(rank, world_size, init_method, fn, cfg, batch, vocab_size):
    "Gradients of one rank's shard, after `fn(model)` (the student's all-reduce) ran."
    import torch.distributed as dist
    dist.init_process_group("gloo", init_method=init_method, rank=rank, world_size=world_size)
    try:
        model = make_model(cfg, vocab_size)
        lm_loss(model, shard_batch(batch, rank, world_size)).backward()
        _, used = _guarded(fn, model)
        return {"grads": [p.grad.clone() for p in model.parameters()], "used_reference": used}
    finally:
        dist.destroy_process_group()

def _check_reference(fn, results:list, reference) -> None:
    if fn is not reference and any(r["used_reference"] for r in results):
        raise RuntimeError("calls course_lib's own implementation: write your own")

def _digest(t:torch.Tensor) -> list[float]:
    "A tensor in a few numbers (its sum, norm and first values), so that feedback stays short."
    flat = t.detach().double().flatten()
    return [round(flat.sum().item(), 4), round(flat.norm().item(), 4)] + [round(v, 4) for v in flat[:3].tolist()]

_MEMO = {}  # (harness, reference, args) -> its result (see `_memoized`)

def _memoized(harness):
    """The grader judges in its own process and recomputes the reference's results (and the do-nothing stubs') at each
    judgement: run the reference's processes once per input, and none for the stubs. A student's function always
    runs."""
    def run(fn, *args):
        from course_lib.grading import TRIVIAL
        if any(fn is stub for stub in TRIVIAL.values()):  # none of them can make the ranks agree: spare the processes
            raise RuntimeError("a do-nothing function leaves every rank with its own gradients")
        if fn not in (lab_allreduce_gradients, lab_ddp_worker):
            return harness(fn, *args)
        key = (harness.__name__, id(fn), args)
        if key not in _MEMO: _MEMO[key] = harness(fn, *args)
        return _MEMO[key]
    run.__name__, run.__doc__ = harness.__name__, harness.__doc__
    return run

@_memoized
def allreduce_harness(fn, world_size:int=2, seed:int=0, global_batch:int=8) -> list:
    "Run `fn(model)` after one backward on each rank's shard; per rank, a digest of every gradient."
    cfg = lab_config(seed, steps=1, global_batch=global_batch)
    batch = lab_batches(cfg, seed=seed)[0]
    results = run_ranks(_grads_worker, world_size, fn, cfg, batch, 64)
    _check_reference(fn, results, lab_allreduce_gradients)
    return [[_digest(g) for g in r["grads"]] for r in results]

def _ddp_worker_guarded(rank, world_size, init_method, fn, cfg, batches, vocab_size):
    out, used = _guarded(fn, rank, world_size, init_method, cfg, batches, vocab_size)
    return {"out": out, "used_reference": used}

@_memoized
def ddp_harness(fn, world_size:int=2, seed:int=0, steps:int=3, global_batch:int=8) -> list:
    "Run `fn` as every rank of a DDP run; per rank, its losses and a digest of every final weight."
    cfg = lab_config(seed, steps=steps, global_batch=global_batch)
    results = run_ranks(_ddp_worker_guarded, world_size, fn, cfg, lab_batches(cfg, seed=seed), 64)
    _check_reference(fn, results, lab_ddp_worker)
    out = []
    for r in results:
        res = r["out"]
        if not isinstance(res, dict) or not {"losses", "state"} <= set(res):
            raise ValueError("return a dict with the keys 'losses' and 'state'")
        out.append({"losses": [round(float(l), 4) for l in res["losses"]],
                    "state": {k: _digest(v) for k, v in sorted(res["state"].items())}})
    return out

def lab_checks() -> list:
    "The checks of lab 18 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    grads = lambda W, seed: [[_t(3, 4, seed=seed + r), _t(5, seed=seed + 10 + r)] for r in range(W)]
    fp32 = {"param_bytes": 4, "grad_bytes": 4, "optim_bytes": 8}
    return [
        Check("shard_batch", shard_batch, points=1, hint="each rank gets an equal, contiguous share, in rank order; "
              "refuse what cannot be split", cases=[
            Case("8 examples, rank 1 of 2", (torch.arange(8), 1, 2)),
            Case("12 examples, rank 2 of 3", (torch.arange(12), 2, 3)),
            Case("a (6, 3) batch, rank 0 of 3", (torch.arange(18).view(6, 3), 0, 3)),
            Case("a single rank gets everything", (torch.arange(5), 0, 1)),
            Case("a list of 4 strings, rank 3 of 4", (["a", "b", "c", "d"], 3, 4)),
            Case("7 examples on 2 ranks", (torch.arange(7), 0, 2), raises="ValueError", match="divide"),
            Case("rank 2 of 2", (torch.arange(8), 2, 2), raises="ValueError", match="rank"),
            Case("rank -1", (torch.arange(8), -1, 2), raises="ValueError", match="rank")]),
        Check("average_gradients", average_gradients, points=2, tol=1e-6,
              hint="per parameter, the element-wise mean over the ranks; every rank must hold the same parameters",
              cases=[
            Case("two ranks, one scalar", ([[torch.tensor(1.0)], [torch.tensor(3.0)]],)),
            Case("two ranks, two tensors", (grads(2, 0),)), Case("three ranks", (grads(3, 7),)),
            Case("one rank: nothing changes", (grads(1, 5),)),
            Case("no ranks", ([],), raises="ValueError"),
            Case("rank 1 has one gradient fewer", ([grads(1, 0)[0], grads(1, 0)[0][:1]],), raises="ValueError"),
            Case("shapes differ between ranks", ([[_t(2, 2)], [_t(4)]],), raises="ValueError", match="shape")]),
        Check("zero_memory", zero_memory, points=2, tol=1e-6,
              hint="DDP replicates everything; each ZeRO stage shards one more kind of state across the ranks", cases=[
            Case(f"7.5B parameters, 64 ranks, stage {s}", (7_500_000_000, 64, s)) for s in range(4)] + [
            Case("fp32 everything, 8 ranks, stage 2", (1000, 8, 2), fp32),
            Case("stage 4", (1000, 8, 4), raises="ValueError", match="stage"),
            Case("0 ranks", (1000, 0, 1), raises="ValueError", match="world_size")]),
        Check("allreduce_gradients", lab_allreduce_gradients, points=3, tol=2e-4, timeout=240,
              harness=allreduce_harness,
              hint="inside the process group, every rank must end with the same gradients: the mean over the ranks of "
                   "their local ones (a sum-all-reduce adds them up)", cases=[
            Case("2 ranks, 8 examples", (2, 0, 8)), Case("2 ranks, other weights and data", (2, 1, 4))]),
        Check("ddp_worker", lab_ddp_worker, points=3, tol=2e-4, timeout=300, harness=ddp_harness,
              hint="the same initial weights on every rank, a different shard on each, gradients averaged before every "
                   "step, fresh gradients each step; log the loss of the whole global batch", cases=[
            Case("2 ranks, 3 steps", (2, 0, 3, 8)), Case("2 ranks, 2 steps, other seed", (2, 3, 2, 4))]),
        Check("average_gradients (hidden)", average_gradients, points=1, tol=1e-6, hidden=True,
              func="average_gradients", hint="any number of ranks", cases=[
            Case("four ranks", (grads(4, 20),)), Case("five ranks", (grads(5, 40),))]),
        Check("zero_memory (hidden)", zero_memory, points=1, tol=1e-6, hidden=True, func="zero_memory",
              hint="one rank shards nothing", cases=[
            Case("one rank, stage 3", (10**6, 1, 3)), Case("Llama-2-7B, 8 ranks, stage 1", (6_738_415_616, 8, 1))]),
        Check("allreduce_gradients (hidden)", lab_allreduce_gradients, points=1, tol=2e-4, hidden=True, timeout=240,
              func="allreduce_gradients", harness=allreduce_harness, hint="any number of ranks",
              cases=[Case("4 ranks, 8 examples", (4, 2, 8))]),
        Check("ddp_worker (hidden)", lab_ddp_worker, points=1, tol=2e-4, hidden=True, timeout=300, func="ddp_worker",
              harness=ddp_harness, hint="any number of ranks", cases=[Case("4 ranks, 2 steps", (4, 5, 2, 8))]),
    ]
