"""Checks of lab 04b_shards (the lesson's module: `course_lib.shards`): the student's shard writer, memory-mapped reader
and batch sampler, each called on data the checks make (hidden cases too) through a harness that looks at what it
did: the files written and what a failure left behind, the slices read after the files changed under the reader, the
windows every rank drew over two epochs. The references are the lesson's code; calling it scores 0. Hand-written, not
exported; the references and harnesses live beside these checks, in `reference04b_shards.py`."""
from __future__ import annotations
import numpy as np
from course_lib import shards as lesson
from course_lib.core import atomic_output
from course_lib.labs.reference04b_shards import batches, read_harness, sample_harness, write_harness, write_shards

SMALL = [[5, 6, 7], [8, 9], [], [10]]


def _ids(lengths, high:int, seed:int) -> list:
    "Arrays of random ids below `high`, of the given lengths (numpy int64 and lists, alternately)."
    rng = np.random.default_rng(seed)
    arrays = [rng.integers(0, high, n) for n in lengths]
    return [a if i % 2 else a.tolist() for i, a in enumerate(arrays)]


def _write_cases(Case) -> list:
    mixed = [np.array([3, 1, 4, 1, 5], np.int32), [9, 2, 6], np.array([], np.int64),
             np.array([5, 3, 5, 8, 9], np.uint16)]
    fed = [list(range(10)), [3, 4], [], [5] * 7]
    return [
        Case("4 arrays (one empty) in shards of 4 tokens, vocab_size=11", (SMALL,),
             dict(shard_tokens=4, vocab_size=11)),
        Case("numpy int32 and uint16 arrays next to lists, shards of 3", (mixed,), dict(shard_tokens=3, vocab_size=10)),
        Case("12 tokens in shards of 4: three full shards, no empty fourth", ([list(range(12))],),
             dict(shard_tokens=4, vocab_size=20)),
        Case("no vocab_size, ids up to 65,535: uint16", ([[1, 65_535], [7]],), dict(shard_tokens=2)),
        Case("no vocab_size and ids of 65,536 and 70,000: uint32", ([[1, 70_000], [65_536, 3]],), dict(shard_tokens=3)),
        Case("vocab_size=65,536 holding id 65,535: uint16 is enough", ([[65_535, 0, 2]],),
             dict(shard_tokens=2, vocab_size=65_536)),
        Case("vocab_size=128,256 (Llama 3) and small ids: the vocabulary decides", ([[1, 2, 3]],),
             dict(shard_tokens=2, vocab_size=128_256)),
        Case("a generator of 4 arrays (vocab_size given), each written before the next is read", (fed,),
             dict(shard_tokens=4, vocab_size=12, stream=True)),
        Case("no tokens at all", ([[], []],), dict(shard_tokens=4, vocab_size=5)),
        Case("a negative id in the second array", ([[1, 2], [3, -4]],), dict(shard_tokens=4), raises="ValueError",
             match="negative"),
        Case("an id equal to vocab_size", ([[1, 2], [3, 10]],), dict(vocab_size=10), raises="ValueError",
             match="vocab_size"),
        Case("float ids", ([[1.0, 2.5]],), raises="ValueError", match="integer"),
        Case("shard_tokens=0", (SMALL,), dict(shard_tokens=0), raises="ValueError", match="shard_tokens"),
        Case("vocab_size=0", (SMALL,), dict(vocab_size=0), raises="ValueError", match="vocab_size"),
        Case("the folder exists already (and holds a file)", (SMALL,), dict(existing=True), raises="ValueError",
             match="exists"),
        Case("the input generator crashes before array 2: nothing may be left", ([list(range(6)), [7, 8], [9]],),
             dict(shard_tokens=4, vocab_size=10, fail_before=2, catch=True)),
        Case("array 2 of a generator holds an id >= vocab_size: a ValueError, nothing left",
             ([list(range(9)), [1], [2, 12]],), dict(shard_tokens=4, vocab_size=10, stream=True, catch=True)),
    ]


def _write_hidden(Case) -> list:
    wide = np.random.default_rng(3).integers(0, 2**32, 2500, dtype=np.uint64).astype(np.int64)
    wide[7] = 2**32 - 1
    return [Case("a random corpus: 12 arrays of up to 3,000 ids (vocab 2,051) from a generator, shards of 4,096",
                 (_ids(np.random.default_rng(1).integers(0, 3000, 12), 2051, 2),),
                 dict(shard_tokens=4096, vocab_size=2051, stream=True)),
            Case("ids up to 2**32 - 1, no vocab_size, shards of 1,000", ([wide[:1200], wide[1200:]],),
                 dict(shard_tokens=1000)),
            Case("an id of 2**32 is refused", ([[1, 2**32]],), raises="ValueError", match="32")]


def _read_cases(Case) -> list:
    s23, u32 = _ids([6, 0, 9, 8], 1000, 10), _ids([5, 7], 100_000, 11)
    return [
        Case("len, dtype and ts[:] (23 tokens in shards of 5)", (s23, 5, 1000)),
        Case("slices inside one shard, ending or starting exactly at a shard boundary", (s23, 5, 1000),
             dict(reads=[(1, 4), (0, 5), (5, 10), (3, 5), (10, 11), (20, 23)])),
        Case("slices crossing one boundary, and ones spanning four and five shards", (s23, 5, 1000),
             dict(reads=[(3, 7), (4, 6), (9, 11), (2, 19), (0, 23)])),
        Case("Python's bounds: negative, missing, past the end, empty", (s23, 5, 1000),
             dict(reads=[(-3, None), (None, -20), (10, 100), (-100, 3), (7, 7), (9, 2), (30, 40)])),
        Case("single tokens ts[i], negative i too", (s23, 5, 1000), dict(reads=[0, 4, 5, 22, -1, -23])),
        Case("uint32 shards (ids up to 100,000), across boundaries", (u32, 4, 100_001),
             dict(reads=[(None, None), (2, 9), (-5, None), 7])),
        Case("shards of one token each", (s23, 1, 1000), dict(reads=[(None, None), (3, 8), -2])),
        Case("the shard files change in place after opening: reads show the new ids (memory-mapped, not copied)",
             (s23, 5, 1000), dict(reads=[(None, None), (4, 12)], rewrite=True)),
        Case("ts[::2] is refused", (s23, 5, 1000), dict(reads=[(None, None, 2)]), raises="ValueError", match="step"),
        Case("ts[len(ts)] is out of range", (s23, 5, 1000), dict(reads=[23]), raises="IndexError"),
        Case("a folder without index.json", (s23, 5, 1000), dict(damage="no index"), raises="ValueError",
             match="index.json"),
        Case("an index.json that is not JSON", (s23, 5, 1000), dict(damage="bad json"), raises="ValueError",
             match="json"),
        Case("shard_00001.bin 2 bytes shorter than the index says", (s23, 5, 1000), dict(damage="short shard"),
             raises="ValueError", match="shard_00001"),
    ]


def _read_hidden(Case) -> list:
    rng = np.random.default_rng(20)
    corpus = _ids(rng.integers(0, 2000, 21), 50_000, 21)
    n = sum(map(len, corpus))
    reads = [tuple(sorted(map(int, rng.integers(-50, n + 50, 2)))) for _ in range(40)] + [int(rng.integers(n))]
    return [Case(f"a random corpus of {n:,} ids in shards of 999, 41 random reads", (corpus, 999, 50_000),
                 dict(reads=reads)),
            Case("uint32 shards of 7 (vocab 200,000) rewritten after opening",
                 (_ids([30, 11], 199_999, 22), 7, 200_000),
                 dict(reads=[(None, None), (5, 29), (-10, -1)], rewrite=True))]


def _sample_cases(Case) -> list:
    return [
        Case("1,000 positions, block 10, batch 9: shapes, dtypes, shift, two shuffled epochs", (1000, 10, 9)),
        Case("1,001 positions, block 10, batch 8: batches straddle the epochs", (1001, 10, 8), dict(seed=5)),
        Case("2 ranks, 1,000 positions, block 10, batch 4", (1000, 10, 4), dict(world_size=2)),
        Case("3 ranks, 640 positions, block 7, batch 5", (640, 7, 5), dict(world_size=3, seed=2)),
        Case("7 ranks, 300 positions, block 3, batch 6", (300, 3, 6), dict(world_size=7)),
        Case("600 positions read from the lesson's shards of 37 tokens, block 16, batch 4", (600, 16, 4),
             dict(shard_tokens=37)),
        Case("block_size = len - 1: one window, the whole stream", (50, 49, 3)),
        Case("block_size = len: not even one window", (50, 50, 2), raises="ValueError", match="block_size"),
        Case("rank=2 with world_size=2", (1000, 10, 4), dict(world_size=2, ranks=[2]), raises="ValueError",
             match="rank"),
        Case("world_size=0", (1000, 10, 4), dict(world_size=0, ranks=[0]), raises="ValueError", match="world_size"),
        Case("11 ranks but 10 windows", (101, 10, 2), dict(world_size=11, ranks=[0]), raises="ValueError",
             match="world_size"),
        Case("batch_size=0", (1000, 10, 0), raises="ValueError", match="batch_size"),
    ]


def _sample_hidden(Case) -> list:
    return [Case("70,000 positions (uint32 shards of 4,096), 4 ranks, block 64, batch 16", (70_000, 64, 16),
                 dict(world_size=4, seed=3, shard_tokens=4096)),
            Case("5 ranks, 3,001 positions, block 8, batch 7", (3001, 8, 7), dict(world_size=5, seed=11))]


def lab_checks() -> list:
    "The checks of lab 04b (see `course_lib.grading`)."
    from course_lib.grading import Case, Check
    write_forbid = (write_shards, lesson.write_shards, lesson.token_array, lesson.shard_dtype, lesson.check_replaceable,
                    atomic_output)
    write_hint = ("ids back to back in files of shard_tokens ids, never an empty file; uint16 if vocab_size <= 65,536 "
                  "(without vocab_size: if every id < 65,536), else uint32, little-endian, no header; index.json with "
                  "the 8 keys; check each id before writing it; write into a temporary folder beside `folder`, rename "
                  "it at the end and remove it on any error; with vocab_size, write each array before reading the next")
    read_forbid = (lesson.TokenShards, lesson.read_index)
    read_hint = ("check index.json and every shard's size at open; map each shard with np.memmap (mode 'r'), never "
                 "copy a whole file; each shard's first token (a cumulative sum) tells which shards a slice overlaps; "
                 "Python's bounds come from slice.indices(len); a numpy array of the shards' dtype")
    sample_forbid = (batches, lesson.TokenShards.batches, lesson.TokenShards.windows)
    sample_hint = ("(len - 1) // block_size windows, window i starts at i * block_size and holds block_size + 1 "
                   "tokens; rank r owns the windows i with i % world_size == r; an endless stream of epochs, each a "
                   "permutation of the rank's windows seeded by (seed, rank, epoch), cut into batches; x = the first "
                   "block_size tokens, y = the last block_size, torch.long")
    return [Check("write_shards", write_shards, _write_cases(Case), points=4, hint=write_hint, forbid=write_forbid,
                  harness=write_harness),
            Check("write_shards (hidden)", write_shards, _write_hidden(Case), points=1, hidden=True,
                  func="write_shards", hint=write_hint, forbid=write_forbid, harness=write_harness),
            Check("TokenShards", lesson.TokenShards, _read_cases(Case), points=3, dtype="exact", hint=read_hint,
                  forbid=read_forbid, harness=read_harness),
            Check("TokenShards (hidden)", lesson.TokenShards, _read_hidden(Case), points=1, hidden=True,
                  func="TokenShards", dtype="exact", hint=read_hint, forbid=read_forbid, harness=read_harness),
            Check("batches", batches, _sample_cases(Case), points=4, hint=sample_hint, forbid=sample_forbid,
                  harness=sample_harness),
            Check("batches (hidden)", batches, _sample_hidden(Case), points=1, hidden=True, func="batches",
                  hint=sample_hint, forbid=sample_forbid, harness=sample_harness)]
