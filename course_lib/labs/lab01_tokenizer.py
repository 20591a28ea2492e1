"""Checks of lab 01_tokenizer (the lesson's module: `course_lib.tokenizer`). Hand-written, not exported: the library
holds only what a practitioner imports. `encode` (with tiktoken's `allowed_special`) and the functional `decode` have
no counterpart in the lesson module, so their references live here."""
from __future__ import annotations
import json
import regex as re
from course_lib.core import asset_path
from course_lib.tokenizer import (GPT4_PATTERN, BPETokenizer, build_vocab, encode_chunk, get_stats, merge, merge_list,
                                  train_bpe, train_bpe_naive)

LAB_TEXT = ("the cat sat on the mat. the cat ate the rat. that rat was fat, and the cat was glad. "
            "then the bat sat on the hat of the cat.")
UNICODE_TEXT = "naïve café, naïve café! 你好你好 🙂🙂 — déjà vu, déjà vu."
SPECIALS = {"<|endoftext|>": 300, "<|im_start|>": 301, "<|im_end|>": 302}
CODE = "def area(r):\n    return 3.14 * r  *  r   # pi r squared\n\n\nprint(area(2))\n"
CHAT = "<|im_start|>user\nthe cat sat?<|im_end|>\n<|im_start|>assistant\nthe rat sat.<|im_end|><|endoftext|>"


def encode_reference(text:str,                      # the text to encode
                     merges:dict,                   # pair -> id, in merge order
                     pattern:str|None=None,         # split pattern (e.g. GPT4_PATTERN); None: one chunk
                     special_tokens:dict|None=None, # special-token string -> id
                     allowed_special="none_raise",  # "all", "none", "none_raise" or a set of special-token strings
                    ) -> list[int]:
    "Encode text like tiktoken/minbpe: special tokens become ids only where `allowed_special` allows."
    special_tokens = special_tokens or {}
    if allowed_special == "all": allowed = dict(special_tokens)
    elif allowed_special in ("none", "none_raise"):
        allowed = {}
        found = [s for s in special_tokens if s in text]
        if allowed_special == "none_raise" and found:
            raise ValueError(f"the text contains the special token {found[0]!r}: pass allowed_special")
    elif isinstance(allowed_special, (set, frozenset)):
        unknown = set(allowed_special) - set(special_tokens)
        if unknown: raise ValueError(f"allowed_special names unknown special tokens: {sorted(unknown)}")
        allowed = {s: i for s, i in special_tokens.items() if s in allowed_special}
    else: raise ValueError(f"allowed_special must be 'all', 'none', 'none_raise' or a set, got {allowed_special!r}")
    parts = [text]
    if allowed:
        alternatives = "|".join(re.escape(s) for s in sorted(allowed, key=len, reverse=True))
        parts = re.split(f"({alternatives})", text)
    ids = []
    for i, part in enumerate(parts):
        if i % 2: ids.append(allowed[part])
        else:
            for chunk in (re.findall(pattern, part) if pattern else [part] if part else []):
                ids.extend(encode_chunk(chunk.encode("utf-8"), merges))
    return ids


def decode_reference(ids:list[int],                 # token ids
                     vocab:dict,                    # id -> bytes (from build_vocab)
                     special_tokens:dict|None=None, # special-token string -> id
                    ) -> str:
    "Ids back to text: bytes of each token (specials: their UTF-8 string), joined, invalid UTF-8 as U+FFFD."
    inverse = {i: s.encode("utf-8") for s, i in (special_tokens or {}).items()}
    bad = [i for i in ids if i not in vocab and i not in inverse]
    if bad: raise ValueError(f"ids outside the vocabulary: {bad[:10]}")
    return b"".join(vocab[i] if i in vocab else inverse[i] for i in ids).decode("utf-8", errors="replace")


def tiny_tokenizer() -> tuple[dict, str, dict]:
    "handbook-tiny's merges, split pattern and special tokens (read from its bpe.json, without transformers)."
    data = json.loads(asset_path("handbook-tiny/bpe.json").read_text(encoding="utf-8"))
    merges = {(int(a), int(b)): 256 + i for i, (a, b) in enumerate(data["merges"])}
    return merges, data["pattern"], data["special_tokens"]


def _merges(text:str, vocab_size:int, pattern:str|None=None) -> dict:
    return train_bpe(text, vocab_size, pattern=pattern).merges


def _checks_of_training(Check, Case) -> list:
    forbid = (train_bpe_naive, train_bpe)
    cases = [Case("'aaabdaaabac' with 3 merges", ("aaabdaaabac", 259)),
             Case("a short English text, 20 merges", (LAB_TEXT, 276)),
             Case("split by GPT4_PATTERN first: no merge crosses a chunk", (LAB_TEXT, 276), {"pattern": GPT4_PATTERN}),
             Case("Unicode (multi-byte characters), split, 25 merges", (UNICODE_TEXT, 281), {"pattern": GPT4_PATTERN}),
             Case("vocab_size below 256 is a ValueError", ("hello", 255), raises="ValueError", match="vocab_size"),
             Case("empty text is a ValueError", ("", 300), raises="ValueError", match="empty")]
    hidden = [Case("a longer text, 60 merges", (LAB_TEXT * 3 + "aaaa bbbb", 316)),
              Case("a longer text, split, 40 merges", (LAB_TEXT * 2 + UNICODE_TEXT, 296), {"pattern": GPT4_PATTERN})]
    hint = ("repeat: count the pairs of every chunk together, take the most frequent (ties: the one seen first), "
            "replace it in every chunk by the next id; validate the arguments first")
    return [Check("train_bpe_naive", train_bpe_naive, cases, points=3, output=merge_list, hint=hint, forbid=forbid),
            Check("train_bpe_naive (hidden)", train_bpe_naive, hidden, points=1, hidden=True, func="train_bpe_naive",
                  output=merge_list, hint=hint, forbid=forbid)]


def _checks_of_encoding(Check, Case) -> list:
    abc = train_bpe_naive("aaabdaaabac", 259).merges
    lab = _merges(LAB_TEXT, 300, GPT4_PATTERN)
    tiny, tiny_pattern, tiny_specials = tiny_tokenizer()
    forbid = (encode_reference, encode_chunk, BPETokenizer.encode, BPETokenizer.encode_ordinary)
    special_cases = [
        Case("no special tokens, split by GPT4_PATTERN", (LAB_TEXT, lab, GPT4_PATTERN)),
        Case("allowed_special='all': a chat turn", (CHAT, lab, GPT4_PATTERN, SPECIALS), {"allowed_special": "all"}),
        Case("allowed_special='none': special strings are plain text", (CHAT, lab, GPT4_PATTERN, SPECIALS),
             {"allowed_special": "none"}),
        Case("allowed_special={'<|endoftext|>'} only", (CHAT, lab, GPT4_PATTERN, SPECIALS),
             {"allowed_special": {"<|endoftext|>"}}),
        Case("the default ('none_raise') refuses a special token in the text", (CHAT, lab, GPT4_PATTERN, SPECIALS),
             raises="ValueError", match="special"),
        Case("the default accepts text without special tokens", ("the cat sat", lab, GPT4_PATTERN, SPECIALS)),
        Case("handbook-tiny's merges on code: runs of spaces and newlines", (CODE, tiny, tiny_pattern)),
        Case("handbook-tiny's merges and specials, a chat turn", (CHAT, tiny, tiny_pattern, tiny_specials),
             {"allowed_special": "all"})]
    return [
        Check("encode_chunk", encode_chunk, points=1, forbid=(encode_chunk, BPETokenizer.encode,
              BPETokenizer.encode_ordinary), cases=[
            Case("'aaabdaaabac' with its merges", (b"aaabdaaabac", abc)), Case("empty bytes", (b"", abc)),
            Case("merges must go in the order they were learned", (b"abc", {(98, 99): 256, (97, 98): 257})),
            Case("a merge built on a merge", (b"the cat sat on the mat", lab)),
            Case("text with no mergeable pair", (b"xyz", abc))],
              hint="repeatedly apply the learned merge with the smallest id among the adjacent pairs, "
                   "until none applies"),
        Check("encode", encode_reference, special_cases, points=3, forbid=forbid,
              hint="split the text on the allowed special tokens first (keep them), encode the other parts chunk by "
                   "chunk; 'none_raise' must refuse any special token string it finds"),
        Check("encode (hidden)", encode_reference, hidden=True, func="encode", points=1, forbid=forbid, cases=[
            Case("handbook-tiny, Unicode, no special tokens", (UNICODE_TEXT, tiny, tiny_pattern, tiny_specials)),
            Case("two adjacent special tokens", ("a<|im_end|><|endoftext|>b", lab, GPT4_PATTERN, SPECIALS),
                 {"allowed_special": "all"})],
              hint="special tokens next to each other, and texts without any"),
    ]


def _checks_of_decoding(Check, Case) -> list:
    lab = _merges(LAB_TEXT + UNICODE_TEXT, 300, GPT4_PATTERN)
    vocab = build_vocab(lab)
    ids = encode_reference(CHAT, lab, GPT4_PATTERN, SPECIALS, "all")
    uni = encode_reference(UNICODE_TEXT, lab, GPT4_PATTERN)
    cut = list("é".encode()) + [104, 105]
    return [
        Check("decode", decode_reference, points=2, forbid=(decode_reference, BPETokenizer.decode), cases=[
            Case("merged tokens", (uni, vocab)), Case("an empty list", ([], vocab)),
            Case("special tokens become their strings", (ids, vocab, SPECIALS)),
            Case("half a multi-byte character becomes U+FFFD", (cut[1:], vocab)),
            Case("an id outside the vocabulary is a ValueError", ([104, 9999], vocab, SPECIALS), raises="ValueError")],
              hint="join the tokens' bytes, then decode the whole byte string once, replacing invalid UTF-8; "
                   "check every id first"),
    ]


def lab_checks() -> list:
    "The checks of lab 01 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    abc = train_bpe_naive("aaabdaaabac", 259).merges
    return [
        Check("get_stats", get_stats, points=1, hint="count every adjacent pair, overlapping ones too, in the order "
              "they first occur", cases=[
            Case("the minbpe example [1, 2, 3, 1, 2]", ([1, 2, 3, 1, 2],)), Case("an empty list", ([],)),
            Case("a single id", ([7],)), Case("a run of one id [5, 5, 5, 5]", ([5, 5, 5, 5],)),
            Case("the bytes of a sentence", (list(LAB_TEXT.encode()),))], output=lambda d: [[list(k), v] for k, v in
                                                                                               d.items()]),
        Check("merge", merge, points=1, hint="scan left to right; after replacing a pair, continue after both ids",
              cases=[
            Case("the minbpe example", ([1, 2, 3, 1, 2], (1, 2), 4)),
            Case("a pair that overlaps itself [5, 5, 5]", ([5, 5, 5], (5, 5), 9)),
            Case("a pair that does not occur", ([1, 2, 3], (3, 1), 9)),
            Case("the pair at the very end", ([4, 1, 2], (1, 2), 7)),
            Case("an empty list", ([], (1, 2), 4))]),
        *_checks_of_training(Check, Case),
        Check("build_vocab", build_vocab, points=1, hint="start from the 256 single bytes; each merge's bytes are its "
              "two parts' bytes", cases=[
            Case("no merges", ({},)), Case("one merge", ({(97, 97): 256},)), Case("merges built from merges", (abc,))]),
        *_checks_of_encoding(Check, Case),
        *_checks_of_decoding(Check, Case),
    ]
