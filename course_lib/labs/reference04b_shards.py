"""The references and harnesses of lab 04b_shards, kept apart from the checks in `lab04b_shards.py`. Hand-written, not
exported. The references are the lesson's own code (`course_lib.shards`) behind the lab's signatures; the harnesses
call a function under test (the student's, or a reference) on data they make, and turn what it did into plain data:
the files it wrote and what a failure left behind, the slices it read after the files changed under it, the windows
every rank drew over two epochs."""
from __future__ import annotations
import json, shutil, tempfile, weakref
from pathlib import Path
import numpy as np
from course_lib import shards as lesson

ENOUGH = 10  # windows a rank needs before its order is judged (a correct shuffle is sorted with chance 1/10!)


# --- the references ---------------------------------------------------------------------------------------------------
def write_shards(arrays, folder, shard_tokens:int=2**24, vocab_size:int|None=None) -> dict:
    "The lesson's `write_shards`, except that an existing `folder` is refused (the lab never replaces one)."
    if Path(folder).exists(): raise ValueError(f"{folder} exists: pass a folder that does not exist yet")
    return lesson.write_shards(arrays, folder, shard_tokens=shard_tokens, vocab_size=vocab_size)


def batches(tokens, block_size:int, batch_size:int, seed:int=0, rank:int=0, world_size:int=1):
    "The lesson's `TokenShards.batches` over any token sequence (an array is written to temporary shards first)."
    if not isinstance(tokens, lesson.TokenShards):
        root = Path(tempfile.mkdtemp(prefix="lab04b-ref-"))
        lesson.write_shards([np.asarray(tokens)], root/"shards", shard_tokens=4096)
        tokens = lesson.TokenShards(root/"shards")
        weakref.finalize(tokens, shutil.rmtree, root, True)  # the folder goes when the iterator is done with it
    return tokens.batches(block_size, batch_size, seed=seed, rank=rank, world_size=world_size)


# --- write_shards: what the writer leaves on disk --------------------------------------------------------------------
def _listing(folder:Path) -> list:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _feed(arrays, folder:Path, parent:Path, fail_before:int|None, seen:list):
    "The arrays one at a time, noting what is on disk each time the writer asks for the next one."
    for k, a in enumerate(arrays):
        if k: seen.append((folder.exists(), any(p.is_file() for p in parent.rglob("*"))))
        if k == fail_before: raise RuntimeError(f"the tokenizer crashed before array {k}")
        yield a


def _observed(seen:list) -> dict:
    "What the generator saw go wrong while the writer read it ({} when the input was a list)."
    if not seen: return {}
    problems = ["the folder existed before it was complete"] if any(s[0] for s in seen) else []
    if not seen[0][1]: problems.append("no shard was on disk when the second array was asked for")
    return {"all or nothing, and streaming: what went wrong": problems}


def _written(folder:Path) -> dict:
    "What a shard folder holds: its index, its files and the ids in each shard (read as the index's dtype says)."
    try: index = json.loads((folder/"index.json").read_text())
    except (OSError, ValueError): index = None
    out = {"index.json": index, "files": _listing(folder)}
    if isinstance(index, dict) and index.get("dtype") in ("uint16", "uint32") and isinstance(index.get("files"), list):
        dtype, paths = np.dtype(index["dtype"]).newbyteorder("<"), [folder/str(f) for f in index["files"]]
        out["ids in each shard"] = [np.fromfile(p, dtype).tolist() if p.is_file() else None for p in paths]
        out["bytes of each shard"] = [p.stat().st_size if p.is_file() else None for p in paths]
    return out


def write_harness(fn, arrays, shard_tokens:int=2**24, vocab_size:int|None=None, stream:bool=False,
                  fail_before:int|None=None, existing:bool=False, catch:bool=False) -> dict:
    """Call `fn(arrays, folder, shard_tokens=, vocab_size=)` with `folder` inside an empty folder; what it wrote.
    stream: hand the arrays over as a generator; fail_before: the generator raises instead of giving that array;
    existing: the folder exists already (holding a file); catch: an exception becomes {"raised": its type, ...}."""
    root = Path(tempfile.mkdtemp(prefix="lab04b-"))
    parent, seen = root/"data", []
    folder = parent/"shards"
    parent.mkdir()
    if existing:
        folder.mkdir()
        (folder/"notes.txt").write_text("precious")
    feed = _feed(arrays, folder, parent, fail_before, seen) if stream or fail_before is not None else arrays
    try:
        try: ret = fn(feed, folder, shard_tokens=shard_tokens, vocab_size=vocab_size)
        except Exception as e:
            if not catch: raise
            return {"raised": type(e).__name__, "left in the parent folder": _listing(parent), **_observed(seen)}
        if catch: return {"raised": None, "left in the parent folder": _listing(parent), **_observed(seen)}
        beside = [name for name in _listing(parent) if name != folder.name]
        return {"returned": ret, **_written(folder), "left beside the folder": beside, **_observed(seen)}
    finally: shutil.rmtree(root, ignore_errors=True)


# --- TokenShards: what the reader reads ------------------------------------------------------------------------------
def _rewrite(folder:Path):
    "Every id + 1, written into the shard files in place (same files, same sizes): what a reader sees next."
    index = json.loads((folder/"index.json").read_text())
    dtype = np.dtype(index["dtype"]).newbyteorder("<")
    for name in index["files"]:
        new = (np.fromfile(folder/name, dtype) + 1).astype(dtype)
        with open(folder/name, "r+b") as f: f.write(new.tobytes())


DAMAGE = {"no index": lambda f: (f/"index.json").unlink(),
          "bad json": lambda f: (f/"index.json").write_text("{oops"),
          "short shard": lambda f: (f/"shard_00001.bin").write_bytes((f/"shard_00001.bin").read_bytes()[:-2])}


def _read(ts, key):
    "ts[key] for a (start, stop[, step]) tuple (a slice) or an int; an array is copied off its memory map."
    got = ts[slice(*key)] if isinstance(key, tuple) else ts[key]
    return np.array(got) if isinstance(got, np.ndarray) else got


def read_harness(cls, arrays, shard_tokens:int, vocab_size:int|None=None, reads=((None, None),), damage:str|None=None,
                 rewrite:bool=False) -> dict:
    """The lesson writes `arrays` as shards; `cls(folder)` opens them (after `damage`, if any); after `rewrite` (the
    files changed in place under the open reader) it reads `reads`: {len, dtype, reads}."""
    root = Path(tempfile.mkdtemp(prefix="lab04b-"))
    folder = root/"shards"
    try:
        lesson.write_shards(arrays, folder, shard_tokens=shard_tokens, vocab_size=vocab_size)
        if damage: DAMAGE[damage](folder)
        ts = cls(folder)
        if rewrite: _rewrite(folder)
        return {"len": len(ts), "dtype": np.dtype(ts.dtype).name, "reads": [_read(ts, key) for key in reads]}
    finally: shutil.rmtree(root, ignore_errors=True)


# --- batches: the windows each rank draws ----------------------------------------------------------------------------
def _draw(fn, tokens, block_size:int, batch_size:int, n:int, **kw):
    "The first n windows fn draws (x rows, y rows as int64 arrays) and the first batch's [shape, dtype] of x and y."
    it = iter(fn(tokens, block_size, batch_size, **kw))
    xs, ys, first = [], [], None
    while first is None or sum(map(len, xs)) < n:  # one batch at least: bad arguments may raise only then
        x, y = next(it)
        if not len(x): raise RuntimeError("the iterator gave an empty batch")
        if first is None: first = [list(x.shape), str(x.dtype), list(y.shape), str(y.dtype)]
        xs.append(np.asarray(x).astype(np.int64).reshape(len(x), -1))
        ys.append(np.asarray(y).astype(np.int64).reshape(len(y), -1))
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n], first


def _properties(fn, tokens, n_tokens:int, block_size:int, batch_size:int, seed:int, world_size:int, ranks) -> dict:
    """What is wrong with the windows rank after rank draws over two epochs, from a stream whose ids are their
    positions ({"problems": []} when nothing is), and the first batch's [shape, dtype] of x and y."""
    n, drawn, problems, x0 = (n_tokens - 1) // max(block_size, 1), [], [], None
    for r in ranks:
        mine = [i * block_size for i in range(r, n, max(world_size, 1))]  # (bad arguments: fn raises below)
        x, y, first = _draw(fn, tokens, block_size, batch_size, 2 * len(mine), seed=seed, rank=r, world_size=world_size)
        if not (x - x[:, :1] == np.arange(x.shape[1])).all(): problems.append("x rows are not consecutive tokens")
        if not (y == x + 1).all(): problems.append("y is not x shifted by one token")
        problems += [f"rank {r}: epoch {e + 1} does not visit each of the rank's windows once" for e in (0, 1)
                     if sorted(x[e * len(mine):(e + 1) * len(mine), 0].tolist()) != mine]
        drawn.append(set(x[:, 0].tolist()))
        if x0 is None: x0, first0, r0, m0 = x, first, r, len(mine)
    if sum(map(len, drawn)) != len(set().union(*drawn)): problems.append("ranks drew the same windows")
    if len(ranks) == world_size and set().union(*drawn) != set(range(0, n * block_size, block_size)):
        problems.append("the ranks together missed windows")
    again = _draw(fn, tokens, block_size, batch_size, len(x0), seed=seed, rank=r0, world_size=world_size)[0]
    if not np.array_equal(again, x0): problems.append("the same arguments gave other batches")
    if m0 >= ENOUGH:
        order = x0[:m0, 0].tolist()
        other = _draw(fn, tokens, block_size, batch_size, m0, seed=seed + 1, rank=r0, world_size=world_size)[0]
        if order == sorted(order): problems.append("epoch 1 is not shuffled")
        if x0[m0:, 0].tolist() == order: problems.append("epoch 2 repeats the order of epoch 1")
        if other[:, 0].tolist() == order: problems.append("another seed gave the same order")
    return {"problems": list(dict.fromkeys(problems)), "x, y of the first batch (shape, dtype)": first0}


def sample_harness(fn, n_tokens:int, block_size:int, batch_size:int, seed:int=0, world_size:int=1,
                   ranks:list|None=None, shard_tokens:int|None=None) -> dict:
    """Draw two epochs from `fn(tokens, block_size, batch_size, seed=, rank=, world_size=)` for every rank (or `ranks`),
    on a stream of n_tokens ids equal to their positions: a numpy array, or the lesson's shards of shard_tokens."""
    tokens, root = np.arange(n_tokens, dtype=np.uint16 if n_tokens <= 2**16 else np.uint32), None
    if shard_tokens:
        root = Path(tempfile.mkdtemp(prefix="lab04b-"))
        lesson.write_shards([tokens], root/"shards", shard_tokens=shard_tokens)
        tokens = lesson.TokenShards(root/"shards")
    try:
        ranks = list(range(world_size)) if ranks is None else list(ranks)
        return _properties(fn, tokens, n_tokens, block_size, batch_size, seed, world_size, ranks)
    finally:
        if root: shutil.rmtree(root, ignore_errors=True)
