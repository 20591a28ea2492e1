# Plausible wrong answers to lab 01, each probed in place of its exercise (the solution's globals are visible here).
# `mistake` is injected by the grader. Every one of them must lose visible points.
from collections import Counter


# --- get_stats ---------------------------------------------------------------------------------------------------
@mistake("get_stats")
def no_overlapping_pairs(ids):
    "Skips past a pair of equal ids, so [5, 5, 5] counts (5, 5) once."
    counts, i = {}, 0
    while i + 1 < len(ids):
        pair = (ids[i], ids[i + 1])
        counts[pair] = counts.get(pair, 0) + 1
        i += 2 if ids[i] == ids[i + 1] else 1
    return counts


@mistake("get_stats")
def sorted_by_count(ids):
    "Lists pairs by count (most_common), losing the first-occurrence order that breaks ties."
    return dict(Counter(zip(ids, ids[1:])).most_common())


@mistake("get_stats")
def drops_last_pair(ids):
    "Off by one: the last pair is never counted."
    counts = {}
    for pair in zip(ids, ids[1:-1]):
        counts[pair] = counts.get(pair, 0) + 1
    return counts


# --- merge -------------------------------------------------------------------------------------------------------
@mistake("merge")
def reuses_merged_ids(ids, pair, idx):
    "Advances by one after a replacement, so [5, 5, 5] becomes [9, 9]."
    out = []
    for i in range(len(ids) - 1):
        if (ids[i], ids[i + 1]) == pair:
            out.append(idx)
        elif i == 0 or (ids[i - 1], ids[i]) != pair:
            out.append(ids[i])
    if ids and (len(ids) < 2 or (ids[-2], ids[-1]) != pair):
        out.append(ids[-1])
    return out


@mistake("merge")
def drops_last_id(ids, pair, idx):
    "Stops one short: a last id that is not part of the pair is lost."
    out, i = [], 0
    while i < len(ids) - 1:
        if (ids[i], ids[i + 1]) == pair:
            out.append(idx)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


@mistake("merge")
def only_first_occurrence(ids, pair, idx):
    "Replaces the first occurrence only."
    for i in range(len(ids) - 1):
        if (ids[i], ids[i + 1]) == pair:
            return ids[:i] + [idx] + ids[i + 2:]
    return list(ids)


# --- train_bpe_naive ---------------------------------------------------------------------------------------------
def _train(text, vocab_size, pattern, pick=None, recount=True, validate=True, split=True):
    "The solution with one thing changed (used by the mistakes below)."
    if validate and vocab_size < 256:
        raise ValueError(f"vocab_size={vocab_size} is too small")
    if validate and not text:
        raise ValueError("cannot train on empty text")
    ids = [list(c.encode("utf-8")) for c in (re.findall(pattern, text) if pattern and split else [text])]
    merges, stats = {}, None
    for idx in range(256, vocab_size):
        if recount or stats is None:
            stats = {}
            for chunk in ids:
                for p, n in get_stats(chunk).items():
                    stats[p] = stats.get(p, 0) + n
        if not stats:
            break
        pair = (pick or (lambda s: max(s, key=s.get)))(stats)
        ids = [merge(chunk, pair, idx) for chunk in ids]
        merges[pair] = idx
        stats.pop(pair)
    return BPETokenizer(merges, pattern=pattern)


@mistake("train_bpe_naive")
def no_validation(text, vocab_size, pattern=None):
    "Trains without checking vocab_size or empty text."
    return _train(text, max(vocab_size, 256), pattern, validate=False)


@mistake("train_bpe_naive")
def merges_across_chunks(text, vocab_size, pattern=None):
    "Ignores the split pattern: merges cross word boundaries."
    return _train(text, vocab_size, pattern, split=False)


@mistake("train_bpe_naive")
def ties_to_last_pair(text, vocab_size, pattern=None):
    "Breaks ties by the last pair seen instead of the first."
    return _train(text, vocab_size, pattern, pick=lambda s: max(reversed(list(s)), key=s.get))


@mistake("train_bpe_naive")
def counts_once(text, vocab_size, pattern=None):
    "Counts the pairs once before the loop and never recounts after a merge."
    return _train(text, vocab_size, pattern, recount=False)


# --- build_vocab -------------------------------------------------------------------------------------------------
@mistake("build_vocab")
def bytes_of_int(merges):
    "bytes(i) makes i zero bytes, not the byte i."
    vocab = {i: bytes(i) for i in range(256)}
    for (a, b), idx in merges.items():
        vocab[idx] = vocab[a] + vocab[b]
    return vocab


@mistake("build_vocab")
def parts_swapped(merges):
    "Joins the right part before the left."
    vocab = {i: bytes([i]) for i in range(256)}
    for (a, b), idx in merges.items():
        vocab[idx] = vocab[b] + vocab[a]
    return vocab


@mistake("build_vocab")
def merged_ids_only(merges):
    "Forgets the 256 single bytes."
    vocab = {}
    for (a, b), idx in merges.items():
        vocab[idx] = vocab.get(a, bytes([a]) if a < 256 else b"") + vocab.get(b, bytes([b]) if b < 256 else b"")
    return vocab


# --- decode ------------------------------------------------------------------------------------------------------
@mistake("decode")
def unknown_id_keyerror(ids, vocab, special_tokens=None):
    "An unknown id is a KeyError instead of a ValueError."
    specials = {i: s.encode("utf-8") for s, i in (special_tokens or {}).items()}
    return b"".join(vocab[i] if i in vocab else specials[i] for i in ids).decode("utf-8", errors="replace")


@mistake("decode")
def decodes_each_token(ids, vocab, special_tokens=None):
    "Decodes token by token, so a character split across two tokens becomes two U+FFFD."
    specials = {i: s for s, i in (special_tokens or {}).items()}
    if any(i not in vocab and i not in specials for i in ids):
        raise ValueError("ids outside the vocabulary")
    return "".join(specials[i] if i in specials else vocab[i].decode("utf-8", errors="replace") for i in ids)


@mistake("decode")
def strict_utf8(ids, vocab, special_tokens=None):
    "Raises on invalid UTF-8 instead of replacing it."
    specials = {i: s.encode("utf-8") for s, i in (special_tokens or {}).items()}
    if any(i not in vocab and i not in specials for i in ids):
        raise ValueError("ids outside the vocabulary")
    return b"".join(vocab[i] if i in vocab else specials[i] for i in ids).decode("utf-8")


@mistake("decode")
def ignores_special_tokens(ids, vocab, special_tokens=None):
    "Knows only the vocabulary: special ids are refused."
    if any(i not in vocab for i in ids):
        raise ValueError("ids outside the vocabulary")
    return b"".join(vocab[i] for i in ids).decode("utf-8", errors="replace")


# --- encode_chunk ------------------------------------------------------------------------------------------------
def _encode_chunk_by(data, merges, choose):
    ids = list(data)
    while len(ids) >= 2:
        candidates = {p: n for p, n in get_stats(ids).items() if p in merges}
        if not candidates:
            break
        pair = choose(candidates)
        ids = merge(ids, pair, merges[pair])
    return ids


@mistake("encode_chunk")
def most_frequent_pair_first(data, merges):
    "Applies the most frequent mergeable pair, not the earliest-learned one."
    return _encode_chunk_by(data, merges, lambda c: max(c, key=c.get))


@mistake("encode_chunk")
def latest_merge_first(data, merges):
    "Applies the merge learned last (the largest id) first."
    return _encode_chunk_by(data, merges, lambda c: max(c, key=merges.get))


@mistake("encode_chunk")
def one_merge_only(data, merges):
    "Stops after applying a single merge."
    ids = list(data)
    stats = get_stats(ids)
    if stats:
        pair = min(stats, key=lambda p: merges.get(p, float("inf")))
        if pair in merges:
            ids = merge(ids, pair, merges[pair])
    return ids


# --- encode ------------------------------------------------------------------------------------------------------
def _encode_plain(text, merges, pattern):
    return [i for chunk in (re.findall(pattern, text) if pattern else [text])
            for i in encode_chunk(chunk.encode("utf-8"), merges)]


def _encode_with(text, merges, pattern, allowed):
    if not allowed:
        return _encode_plain(text, merges, pattern)
    parts = re.split("(" + "|".join(re.escape(s) for s in sorted(allowed, key=len, reverse=True)) + ")", text)
    return [i for n, part in enumerate(parts)
            for i in ([allowed[part]] if n % 2 else _encode_plain(part, merges, pattern))]


@mistake("encode")
def always_allows_special(text, merges, pattern=None, special_tokens=None, allowed_special="none_raise"):
    "Turns every special string into its id, whatever allowed_special says."
    return _encode_with(text, merges, pattern, dict(special_tokens or {}))


@mistake("encode")
def none_raise_does_not_raise(text, merges, pattern=None, special_tokens=None, allowed_special="none_raise"):
    "Treats the default 'none_raise' like 'none': a special string slips through as text."
    specials = special_tokens or {}
    if allowed_special == "all":
        return _encode_with(text, merges, pattern, dict(specials))
    if allowed_special in ("none", "none_raise"):
        return _encode_with(text, merges, pattern, {})
    return _encode_with(text, merges, pattern, {s: i for s, i in specials.items() if s in allowed_special})


@mistake("encode")
def no_split(text, merges, pattern=None, special_tokens=None, allowed_special="none_raise"):
    "Encodes each piece as one chunk, ignoring the split pattern."
    return encode(text, merges, None, special_tokens, allowed_special)


@mistake("encode")
def set_means_all(text, merges, pattern=None, special_tokens=None, allowed_special="none_raise"):
    "A set of allowed specials allows all of them."
    if isinstance(allowed_special, set):
        allowed_special = "all"
    return encode(text, merges, pattern, special_tokens, allowed_special)
