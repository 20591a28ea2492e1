# Plausible wrong answers to lab 04b. Each runs in the kernel that ran the solution (it sees its globals: json, os,
# shutil, tempfile, Path, np, torch, shard_dtype, check_ids, write_ids, read_index, TokenShards, rank_windows,
# window_stream, ...) and must lose visible points of its exercise. `mistake` is injected by the grader.

# --- write_shards ----------------------------------------------------------------------------------------------------
def _index(dtype, vocab_size, counts, n_arrays, shard_tokens):
    return {"format": "course_lib token shards v1", "dtype": np.dtype(dtype).name,
            "vocab_size": None if vocab_size is None else int(vocab_size), "total_tokens": sum(counts),
            "n_arrays": n_arrays, "shard_tokens": int(shard_tokens),
            "files": [f"shard_{k:05d}.bin" for k in range(len(counts))], "tokens_per_shard": counts}


def _write(arrays, folder, shard_tokens, vocab_size, dtype=None, ids=None, into=None, on_error="remove",
           read_all=False, empty_last=False, per_array=False, disk_dtype=None, count_empty=True):
    """The solution's writer with one thing changed. dtype(vocab_size, arrays): the dtype; ids(a, i, vocab_size): the
    check; into: "folder" writes in place; on_error: "remove" the temporary folder, "keep" it, or "remove folder"."""
    folder, ids = Path(folder), ids or check_ids
    if not isinstance(shard_tokens, int) or shard_tokens < 1:
        raise ValueError(f"shard_tokens must be a positive int, got {shard_tokens!r}")
    if vocab_size is not None and not 0 < vocab_size <= 2**32:
        raise ValueError(f"vocab_size must be an int in 1..2**32, got {vocab_size!r}")
    if folder.exists():
        raise ValueError(f"{folder} exists")
    if vocab_size is None or read_all:
        arrays = [ids(a, i, vocab_size) for i, a in enumerate(arrays)]
    if dtype:
        dtype = dtype(vocab_size, arrays)
    elif vocab_size is None:
        dtype = shard_dtype(max((int(a.max()) for a in arrays if a.size), default=0))
    else:
        dtype = shard_dtype(vocab_size - 1)
    if into == "folder":
        folder.mkdir()
        tmp = folder
    else:
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    counts, n_arrays, f = [], 0, None
    try:
        for i, a in enumerate(arrays):
            a = ids(a, i, vocab_size).astype(disk_dtype or dtype)
            n_arrays += 1 if count_empty or a.size else 0
            if per_array and a.size and counts and counts[-1]:
                counts.append(0)  # every array starts a shard of its own
                f.close()
                f = open(tmp / f"shard_{len(counts) - 1:05d}.bin", "wb")
            while a.size:
                if f is None or counts[-1] == shard_tokens:
                    if f:
                        f.close()
                    f = open(tmp / f"shard_{len(counts):05d}.bin", "wb")
                    counts.append(0)
                take = a[:shard_tokens - counts[-1]]
                f.write(take.tobytes())
                counts[-1] += take.size
                a = a[take.size:]
                if empty_last and counts[-1] == shard_tokens:  # opens the next shard as soon as one is full
                    f.close()
                    f = open(tmp / f"shard_{len(counts):05d}.bin", "wb")
                    counts.append(0)
        if f:
            f.close()
        index = _index(dtype, vocab_size, counts, n_arrays, shard_tokens)
        (tmp / "index.json").write_text(json.dumps(index))
        if tmp != folder:
            os.rename(tmp, folder)
    except BaseException:
        if f:
            f.close()
        if on_error == "remove" and tmp != folder:
            shutil.rmtree(tmp, ignore_errors=True)
        if on_error == "remove folder":
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return index


def _no_negative_check(a, i, vocab_size=None):
    a = np.asarray(a)
    if a.size and a.dtype.kind not in "iu":
        raise ValueError(f"array {i}: token ids must be integers")
    if vocab_size is not None and a.size and a.max() >= vocab_size:
        raise ValueError(f"array {i} holds an id >= vocab_size={vocab_size}")
    return a.reshape(-1)


def _greater_than_vocab(a, i, vocab_size=None):
    a = np.asarray(a)
    if a.size and a.dtype.kind not in "iu":
        raise ValueError(f"array {i}: token ids must be integers")
    if a.size and a.min() < 0:
        raise ValueError(f"array {i} holds a negative id")
    if vocab_size is not None and a.size and a.max() > vocab_size:
        raise ValueError(f"array {i} holds an id > vocab_size={vocab_size}")
    return a.reshape(-1).astype(np.int64)


@mistake("write_shards")
def always_uint16(arrays, folder, shard_tokens=2**24, vocab_size=None):
    "Always writes uint16, like nanoGPT for GPT-2: ids of 65,536 and more wrap around (70,000 is stored as 4,464)."
    return _write(arrays, folder, shard_tokens, vocab_size, dtype=lambda v, a: np.dtype("<u2"))


def _strictly_below_65536(vocab_size, arrays):
    if vocab_size is None:
        return shard_dtype(max((int(a.max()) for a in arrays if a.size), default=0))
    return np.dtype("<u2") if vocab_size < 65_536 else np.dtype("<u4")


@mistake("write_shards")
def uint16_only_below_65536(arrays, folder, shard_tokens=2**24, vocab_size=None):
    "Takes uint16 only for vocab_size < 65,536 (a vocabulary of exactly 65,536 ids fits in 16 bits)."
    return _write(arrays, folder, shard_tokens, vocab_size, dtype=_strictly_below_65536)


@mistake("write_shards")
def dtype_from_the_largest_id(arrays, folder, shard_tokens=2**24, vocab_size=None):
    "Picks the dtype from the largest id even when vocab_size is given (a Llama 3 corpus of small ids gets uint16)."
    return _write(arrays, folder, shard_tokens, vocab_size, read_all=True,
                  dtype=lambda v, a: shard_dtype(max((int(x.max()) for x in a if x.size), default=0)))


@mistake("write_shards")
def negative_ids_accepted(arrays, folder, shard_tokens=2**24, vocab_size=None):
    "Does not check for negative ids: -4 is cast to 65,532."
    return _write(arrays, folder, shard_tokens, vocab_size, ids=_no_negative_check)


@mistake("write_shards")
def id_equal_to_vocab_size_accepted(arrays, folder, shard_tokens=2**24, vocab_size=None):
    "Refuses ids > vocab_size instead of >= vocab_size."
    return _write(arrays, folder, shard_tokens, vocab_size, ids=_greater_than_vocab)


@mistake("write_shards")
def writes_into_the_folder(arrays, folder, shard_tokens=2**24, vocab_size=None):
    "Writes straight into `folder`: a failure halfway leaves half a folder that a reader may open."
    return _write(arrays, folder, shard_tokens, vocab_size, into="folder", on_error="keep")


@mistake("write_shards")
def deletes_the_half_folder_on_error(arrays, folder, shard_tokens=2**24, vocab_size=None):
    "Writes straight into `folder` and deletes it on an error: meanwhile a reader can open half a folder."
    return _write(arrays, folder, shard_tokens, vocab_size, into="folder", on_error="remove folder")


@mistake("write_shards")
def temporary_folder_left_behind(arrays, folder, shard_tokens=2**24, vocab_size=None):
    "Renames a temporary folder into place, but leaves it behind when something fails."
    return _write(arrays, folder, shard_tokens, vocab_size, on_error="keep")


@mistake("write_shards")
def reads_every_array_first(arrays, folder, shard_tokens=2**24, vocab_size=None):
    "Reads the whole input before writing, even with vocab_size given: a large tokenized corpus must fit in memory."
    return _write(arrays, folder, shard_tokens, vocab_size, read_all=True)


@mistake("write_shards")
def empty_last_shard(arrays, folder, shard_tokens=2**24, vocab_size=None):
    "Opens the next shard as soon as one is full: 12 tokens in shards of 4 leave an empty shard_00003.bin."
    return _write(arrays, folder, shard_tokens, vocab_size, empty_last=True)


@mistake("write_shards")
def a_new_shard_for_every_array(arrays, folder, shard_tokens=2**24, vocab_size=None):
    "Starts a new shard file for every array, so shards are not shard_tokens long."
    return _write(arrays, folder, shard_tokens, vocab_size, per_array=True)


@mistake("write_shards")
def int64_on_disk(arrays, folder, shard_tokens=2**24, vocab_size=None):
    "Writes the ids as int64 while the index says uint16 or uint32."
    return _write(arrays, folder, shard_tokens, vocab_size, disk_dtype=np.int64)


@mistake("write_shards")
def empty_arrays_not_counted(arrays, folder, shard_tokens=2**24, vocab_size=None):
    "Leaves empty arrays out of n_arrays."
    return _write(arrays, folder, shard_tokens, vocab_size, count_empty=False)


# --- TokenShards -----------------------------------------------------------------------------------------------------
@mistake("TokenShards")
class BoundaryOffByOne(TokenShards):
    "Finds a position's shard with side='left': a slice that starts exactly on a boundary is looked up one shard early."

    def read(self, start, stop):
        if stop <= start:
            return np.empty(0, self.dtype)
        first, last = np.searchsorted(self.starts, [start, stop - 1], side="left") - 1
        first, last = max(first, 0), max(last, 0)
        parts = [self.maps[k][max(start - self.starts[k], 0):stop - self.starts[k]] for k in range(first, last + 1)]
        return np.concatenate(parts)



@mistake("TokenShards")
class FirstShardOnly(TokenShards):
    "Reads a slice from the shard it starts in only: one that crosses a boundary comes back short."

    def read(self, start, stop):
        if stop <= start:
            return np.empty(0, self.dtype)
        k = int(np.searchsorted(self.starts, start, side="right")) - 1
        return np.asarray(self.maps[k][start - self.starts[k]:stop - self.starts[k]])



@mistake("TokenShards")
class CopiesAtOpen(TokenShards):
    "Reads every shard into memory when the folder is opened (np.fromfile): the whole corpus in every process."

    def __init__(self, folder):
        super().__init__(folder)
        self.maps = [np.fromfile(self.folder / name, dtype=self.dtype) for name in self.index["files"]]



@mistake("TokenShards")
class RawSliceBounds(TokenShards):
    "Takes key.start and key.stop as they are (None as 0 and len): negative bounds and bounds past the end break."

    def __getitem__(self, key):
        if isinstance(key, slice):
            if key.step not in (None, 1):
                raise ValueError(f"step {key.step} is not supported")
            start = 0 if key.start is None else key.start
            stop = len(self) if key.stop is None else key.stop
            return self.read(start, stop)
        return super().__getitem__(key)



@mistake("TokenShards")
class AlwaysUint16(TokenShards):
    "Maps every shard as uint16, whatever the index says: uint32 shards read as pairs of garbage halves."

    def __init__(self, folder):
        super().__init__(folder)
        self.dtype = np.dtype("<u2")
        self.maps = [np.memmap(self.folder / name, dtype=self.dtype, mode="r") for name in self.index["files"]]



@mistake("TokenShards")
class ReturnsInt64(TokenShards):
    "Returns the slices as int64 copies instead of arrays of the shards' dtype."

    def read(self, start, stop):
        return super().read(start, stop).astype(np.int64)



@mistake("TokenShards")
class TrustsTheIndex(TokenShards):
    "Never checks the shards' sizes against the index (a missing index is a FileNotFoundError, not a ValueError)."

    def __init__(self, folder):
        self.folder = Path(folder)
        self.index = json.loads((self.folder / "index.json").read_text())
        self.dtype = np.dtype(self.index["dtype"]).newbyteorder("<")
        self.starts = np.cumsum([0, *self.index["tokens_per_shard"]])
        self.maps = [np.memmap(self.folder / name, dtype=self.dtype, mode="r") for name in self.index["files"]]



# --- batches ---------------------------------------------------------------------------------------------------------
def _stream(tokens, starts, block_size, batch_size, seed, rank, shift=1, order_seed=None, drop_tail=False,
            dtype=np.int64, rng=None):
    "The solution's window stream with one thing changed."
    epoch, order, j = 0, [], 0
    while True:
        if drop_tail and j + batch_size > len(order):
            j = len(order)  # the last partial batch of the epoch is dropped
        picks = []
        for _ in range(batch_size):
            if j == len(order):
                key = order_seed(seed, rank, epoch) if order_seed else [seed, rank, epoch]
                perm = rng.permutation(len(starts)) if rng else np.random.default_rng(key).permutation(len(starts))
                order, epoch, j = starts[perm], epoch + 1, 0
            picks.append(order[j])
            j += 1
        w = np.stack([tokens[s:s + block_size + 1] for s in picks])
        w = torch.from_numpy(w.astype(dtype)) if dtype else torch.from_numpy(w)
        yield w[:, :block_size], w[:, shift:shift + block_size]


@mistake("batches")
def y_equals_x(tokens, block_size, batch_size, seed=0, rank=0, world_size=1):
    "Returns y = x: the targets are not shifted by one token, so the model learns to copy its input."
    return _stream(tokens, rank_windows(len(tokens), block_size, rank, world_size), block_size, batch_size, seed, rank,
                   shift=0)


@mistake("batches")
def windows_past_the_end(tokens, block_size, batch_size, seed=0, rank=0, world_size=1):
    "Counts len // block_size windows: when block_size divides the length, the last one reads past the end."
    n = len(tokens) // block_size
    if n < world_size:
        raise ValueError(f"block_size={block_size} is too large for world_size={world_size}")
    starts = np.arange(rank, n, world_size) * block_size
    return _stream(tokens, starts, block_size, batch_size, seed, rank)


@mistake("batches")
def ranks_overlap(tokens, block_size, batch_size, seed=0, rank=0, world_size=1):
    "Every rank shuffles all the windows with its own seed and takes its share of that order: the ranks overlap."
    every = rank_windows(len(tokens), block_size, 0, 1)
    mine = np.random.default_rng([seed, rank]).permutation(every)[rank::world_size]
    return _stream(tokens, np.sort(mine), block_size, batch_size, seed, rank)


@mistake("batches")
def world_size_ignored(tokens, block_size, batch_size, seed=0, rank=0, world_size=1):
    "Ignores world_size: every rank draws every window (DDP then trains on each batch world_size times)."
    return _stream(tokens, rank_windows(len(tokens), block_size, 0, 1), block_size, batch_size, seed, rank)


@mistake("batches")
def contiguous_blocks_per_rank(tokens, block_size, batch_size, seed=0, rank=0, world_size=1):
    "Gives rank r a contiguous run of windows instead of the windows i with i % world_size == r."
    every = rank_windows(len(tokens), block_size, 0, 1)
    if len(every) < world_size:
        raise ValueError(f"block_size={block_size} is too large for world_size={world_size}")
    return _stream(tokens, np.array_split(every, world_size)[rank], block_size, batch_size, seed, rank)


@mistake("batches")
def same_order_every_epoch(tokens, block_size, batch_size, seed=0, rank=0, world_size=1):
    "Seeds each epoch's order with (seed, rank) only: every epoch repeats the first one's order."
    return _stream(tokens, rank_windows(len(tokens), block_size, rank, world_size), block_size, batch_size, seed, rank,
                   order_seed=lambda s, r, e: [s, r])


@mistake("batches")
def stride_of_block_size_plus_one(tokens, block_size, batch_size, seed=0, rank=0, world_size=1):
    "Cuts the windows at a stride of block_size + 1, so one token in block_size + 1 is never a target."
    n = (len(tokens) - 1) // (block_size + 1)
    if n < world_size:
        raise ValueError(f"block_size={block_size} is too large for world_size={world_size}")
    return _stream(tokens, np.arange(rank, n, world_size) * (block_size + 1), block_size, batch_size, seed, rank)


def _random_offsets(tokens, block_size, batch_size, seed, rank):
    rng = np.random.default_rng([seed, rank])
    while True:
        starts = rng.integers(0, len(tokens) - block_size, batch_size)
        w = torch.from_numpy(np.stack([tokens[s:s + block_size + 1] for s in starts]).astype(np.int64))
        yield w[:, :-1], w[:, 1:]


@mistake("batches")
def random_offsets(tokens, block_size, batch_size, seed=0, rank=0, world_size=1):
    "Draws windows at random offsets with replacement (nanoGPT's get_batch): an epoch misses about a third of them."
    rank_windows(len(tokens), block_size, rank, world_size)
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    return _random_offsets(tokens, block_size, batch_size, seed, rank)


@mistake("batches")
def drops_the_end_of_each_epoch(tokens, block_size, batch_size, seed=0, rank=0, world_size=1):
    "Drops each epoch's last partial batch instead of continuing into the next epoch: some windows are never seen."
    return _stream(tokens, rank_windows(len(tokens), block_size, rank, world_size), block_size, batch_size, seed, rank,
                   drop_tail=True)


@mistake("batches")
def tensors_of_the_shard_dtype(tokens, block_size, batch_size, seed=0, rank=0, world_size=1):
    "Makes the tensors from the uint16 ids as they are, not torch.long (embedding layers and losses want int64)."
    return _stream(tokens, rank_windows(len(tokens), block_size, rank, world_size), block_size, batch_size, seed, rank,
                   dtype=None)


@mistake("batches")
def unseeded_shuffle(tokens, block_size, batch_size, seed=0, rank=0, world_size=1):
    "Shuffles with an unseeded generator: the same arguments give other batches, so a run cannot be repeated."
    return _stream(tokens, rank_windows(len(tokens), block_size, rank, world_size), block_size, batch_size, seed, rank,
                   rng=np.random.default_rng())
