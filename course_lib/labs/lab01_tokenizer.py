"""Checks of lab 01_tokenizer (the lesson's module: `course_lib.tokenizer`). Hand-written, not exported: the library holds only what a practitioner imports."""
from __future__ import annotations
from course_lib.tokenizer import build_vocab, encode_chunk, get_stats, merge, merge_list, train_bpe_naive

LAB_TEXT = ("the cat sat on the mat. the cat ate the rat. that rat was fat, and the cat was glad. "
            "then the bat sat on the hat of the cat.")

def lab_checks() -> list:
    "The checks of lab 01 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    abc = train_bpe_naive("aaabdaaabac", 259).merges
    return [
        Check("get_stats", get_stats, points=1, hint="count every adjacent pair (zip(ids, ids[1:])), overlapping ones too", cases=[
            Case("the minbpe example [1, 2, 3, 1, 2]", ([1, 2, 3, 1, 2],)), Case("an empty list", ([],)),
            Case("a single id", ([7],)), Case("a run of one id [5, 5, 5, 5]", ([5, 5, 5, 5],)),
            Case("the bytes of a sentence", (list(LAB_TEXT.encode()),))]),
        Check("merge", merge, points=1, hint="scan left to right; after replacing a pair, skip both of its ids", cases=[
            Case("the minbpe example", ([1, 2, 3, 1, 2], (1, 2), 4)), Case("a pair that overlaps itself [5, 5, 5]", ([5, 5, 5], (5, 5), 9)),
            Case("a pair that does not occur", ([1, 2, 3], (3, 1), 9)), Case("the pair at the very end", ([4, 1, 2], (1, 2), 7)),
            Case("an empty list", ([], (1, 2), 4))]),
        Check("train_bpe_naive", train_bpe_naive, points=2, output=merge_list,
              hint="repeat: count pairs, take the most frequent (ties: the first one seen), merge it into the next id; return BPETokenizer(merges)",
              cases=[Case("'aaabdaaabac' with 3 merges", ("aaabdaaabac", 259)), Case("a short English text, 20 merges", (LAB_TEXT, 276)),
                     Case("no merges at all (vocab_size 256)", ("hello", 256))]),
        Check("build_vocab", build_vocab, points=1, hint="start from the 256 single bytes; each merge's bytes are its two parts' bytes", cases=[
            Case("no merges", ({},)), Case("one merge", ({(97, 97): 256},)), Case("merges built from merges", (abc,))]),
        Check("encode_chunk", encode_chunk, points=1, hint="apply the merge with the lowest id among the pairs present, until none applies", cases=[
            Case("'aaabdaaabac' with its merges", (b"aaabdaaabac", abc)), Case("empty bytes", (b"", abc)),
            Case("merges must go in the order they were learned", (b"abc", {(98, 99): 256, (97, 98): 257})),
            Case("text with no mergeable pair", (b"xyz", abc))]),
        Check("train_bpe_naive (hidden)", train_bpe_naive, points=1, hidden=True, func="train_bpe_naive", output=merge_list,
              hint="check ties and overlapping pairs", cases=[Case("a longer text, 60 merges", (LAB_TEXT * 3 + "aaaa bbbb", 316))]),
    ]
