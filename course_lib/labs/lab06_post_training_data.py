"""Checks of lab 06_post_training_data (the lesson's module: `course_lib.instruct`). Hand-written, not exported: the
library holds only what a practitioner imports.

The student writes chat rendering with the assistant mask (`render_chat`, `token_mask`) and near-duplicate removal
(`shingles`, `jaccard`, `minhash_signature`, `lsh_candidates`, `near_duplicates`, `keep_first`), all checked against
the lesson's functions on small inputs crafted so that each plausible slip changes the answer."""
from __future__ import annotations
import re
from course_lib.instruct import (jaccard, lsh_candidates, minhash_signature, near_duplicates, render_chat, shingles,
                                 token_mask)

LAB_CHATS = [
    [{"role": "user", "content": "What is 2 + 3?"}, {"role": "assistant", "content": "5"}],
    [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Spell cat backwards."},
     {"role": "assistant", "content": "tac"}],
    [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"},
     {"role": "user", "content": "Capital of Peru?"}, {"role": "assistant", "content": "Lima"}],
    [{"role": "user", "content": "Café? 你好"}, {"role": "assistant", "content": " two\nlines"}],
]
DUP_TEXTS = ["What is the capital of France? Paris", "what is the capital of  FRANCE? paris",
             "Please what is the capital of France? Paris", "Spell cat backwards. tac",
             "paris is the capital of france", "france is the capital of paris",
             "the cat sat on the mat by the door today", "the cat sat on a mat by the window yesterday"]

def _sorted_pairs(pairs): return sorted(tuple(p) for p in pairs)

def keep_first(n_rows:int,                   # how many rows there are
               pairs:list[tuple[int,int]],   # near-duplicate pairs (i, j), i < j < n_rows, in any order
              ) -> list[int]:
    """The rows to keep: row j goes when it is a near duplicate of an earlier row that is kept (a dropped row drops
    nothing): `keep_first(4, [(0, 1), (1, 2)]) -> [0, 2, 3]`. The rule of `dedup.near_dedup` (lesson 04), which applies
    it to texts, not pairs, so the reference for pairs lives here."""
    for i, j in pairs:
        if not 0 <= i < j < n_rows: raise ValueError(f"pair {(i, j)} is not (i, j) with 0 <= i < j < {n_rows}")
    dropped = set()
    for i, j in sorted(pairs):
        if i not in dropped: dropped.add(j)
    return [r for r in range(n_rows) if r not in dropped]

def lab_checks() -> list:
    "The checks of lab 06 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    text, chars = render_chat(LAB_CHATS[0])
    offs = [m.span() for m in re.finditer(r"<\|im_(?:start|end)\|>|\n|[^<\n]+", text)]  # specials, newlines, the rest
    sets = [shingles("what is the capital of france? paris"), shingles("what is the capital of spain? madrid"),
            shingles("please what is the capital of france? paris")]
    three = [[1, 2, 3, 4, 5, 6], [1, 2, 3, 9, 9, 9], [7, 7, 7, 4, 5, 6], [1, 2, 3, 4, 5, 6], [0, 0, 0, 0, 0, 0]]
    return [
        Check("render_chat", render_chat, points=2,
              hint="every message has a header line with its role, its content and an end marker; only what the "
                   "assistant says (and its end marker, so it learns to stop) is trained on", cases=[
            Case("a question and its answer", (LAB_CHATS[0],)), Case("with a system message", (LAB_CHATS[1],)),
            Case("two turns", (LAB_CHATS[2],)), Case("Unicode and a newline in the answer", (LAB_CHATS[3],)),
            Case("a user turn only, asking for a reply", (LAB_CHATS[0][:1],), {"add_generation_prompt": True})]),
        Check("token_mask", token_mask, points=1,
              hint="a token is trained on if any character of its span [start, end) is", cases=[
            Case("the docstring example", ([0, 1, 1], [(0, 1), (1, 3)])),
            Case("a token that straddles the boundary", ([0, 0, 1, 1], [(0, 1), (1, 3), (3, 4)])),
            Case("a rendered conversation", (chars, offs)), Case("an empty span", ([1, 1], [(0, 0), (0, 2)])),
            Case("a token that ends where the assistant starts", ([0, 0, 1], [(0, 2), (2, 3)]))]),
        Check("shingles", shingles, points=1, output=sorted,
              hint="normalize (lower case, any run of whitespace separates words), then every run of k words", cases=[
            Case("single words", ("What is  the capital of France?",)), Case("word pairs", ("a b a c",), {"k": 2}),
            Case("fewer words than k", ("One two",), {"k": 3}), Case("repeated words", ("to be or not to be",)),
            Case("tabs and newlines", ("Hello\tworld\nHello  again",), {"k": 2})]),
        Check("jaccard", jaccard, points=1, tol=1e-9,
              hint="shared elements over all distinct elements; two empty sets are identical", cases=[
            Case("overlapping sets", ({1, 2}, {2, 3})), Case("identical", ({"a"}, {"a"})),
            Case("disjoint", ({"a"}, {"b"})), Case("two empty sets", (set(), set())),
            Case("one set inside the other", ({1, 2, 3, 4}, {1, 2})), Case("shingle sets", (sets[0], sets[1]))]),
        Check("minhash_signature", minhash_signature, points=2,
              hint="one value per hash function, in order: the smallest hash over the shingles, each shingle's crc32 "
                   "of its UTF-8 bytes put through (a, b) modulo the prime; an empty set cannot be signed", cases=[
            Case("one shingle, 8 hashes", ({"paris"}, 8)), Case("a sentence, 16 hashes", (sets[0], 16)),
            Case("another seed", (sets[1], 16), {"seed": 3}), Case("non-ASCII shingles", ({"café", "你好"}, 8)),
            Case("an empty set", (set(), 8), raises="ValueError", match="empty")]),
        Check("lsh_candidates", lsh_candidates, points=2, output=_sorted_pairs,
              hint="cut each signature into `bands` bands of equal length; two signatures with an identical band at "
                   "the same position are a candidate pair (i, j), i < j; a length that bands do not divide is an "
                   "error",
              cases=[
            Case("3 bands of 2", ([[1, 2, 3, 4, 5, 6], [1, 2, 0, 0, 0, 0], [9, 9, 3, 4, 8, 8], [7, 7, 7, 7, 5, 6]], 3)),
            Case("2 bands of 3, several in one bucket", (three, 2)),
            Case("the same values in different bands", ([[5, 6, 0, 1], [2, 3, 5, 6]], 2)),
            Case("nothing shared", ([[1, 2], [3, 4], [5, 6]], 2)),
            Case("a length bands do not divide", ([[1, 2, 3, 4, 5]], 2), raises="ValueError", match="multiple")]),
        Check("near_duplicates", near_duplicates, points=2,
              hint="sign every text's shingles, take the LSH candidates, keep the pairs whose estimated similarity "
                   "reaches the threshold; a sorted list of (i, j) with i < j", cases=[
            Case("questions, default settings", (DUP_TEXTS,)),
            Case("word pairs (k=2)", (DUP_TEXTS,), {"k": 2}),
            Case("a lower threshold", (DUP_TEXTS,), {"threshold": 0.4}),
            Case("no duplicates", (DUP_TEXTS[3:5],))]),
        Check("keep_first", keep_first, points=2,
              hint="go through the pairs by their first row; a row is dropped only by a row that is itself kept; check "
                   "every pair first", cases=[
            Case("a chain: 1 is like 0, 2 is like 1 (but not like 0)", (4, [(0, 1), (1, 2)])),
            Case("the same pairs, given in another order", (4, [(1, 2), (0, 1)])),
            Case("a group of three", (5, [(1, 3), (0, 1), (0, 3)])),
            Case("no duplicates", (3, [])),
            Case("two groups", (6, [(2, 5), (0, 4), (1, 2)])),
            Case("a pair in the wrong order", (3, [(2, 1)]), raises="ValueError", match="pair"),
            Case("a row that does not exist", (3, [(0, 3)]), raises="ValueError", match="pair")]),
        Check("render_chat (hidden)", render_chat, points=1, hidden=True, func="render_chat",
              hint="check multi-turn chats and the generation prompt", cases=[
            Case("two turns and a generation prompt", (LAB_CHATS[2] + [{"role": "user", "content": "And of Chile?"}],),
                 {"add_generation_prompt": True})]),
        Check("minhash_signature (hidden)", minhash_signature, points=1, hidden=True, func="minhash_signature",
              hint="the default is 128 hashes", cases=[Case("the default number of hashes", (sets[2],))]),
        Check("near_duplicates (hidden)", near_duplicates, points=1, hidden=True, func="near_duplicates",
              hint="other settings", cases=[Case("64 hashes in 16 bands, seed 2", (DUP_TEXTS,),
                                                 {"num_perm": 64, "bands": 16, "seed": 2, "threshold": 0.5})]),
    ]
