"""Checks of lab 06_post_training_data (the lesson's module: `course_lib.instruct`). Hand-written, not exported: the library holds only what a practitioner imports."""
from __future__ import annotations
import re
from course_lib.instruct import jaccard, minhash_signature, render_chat, shingles, token_mask

LAB_CHATS = [
    [{"role": "user", "content": "What is 2 + 3?"}, {"role": "assistant", "content": "5"}],
    [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Spell cat backwards."}, {"role": "assistant", "content": "tac"}],
    [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "Capital of Peru?"},
     {"role": "assistant", "content": "Lima"}],
    [{"role": "user", "content": "Café? 你好"}, {"role": "assistant", "content": " two\nlines"}],
]

def lab_checks() -> list:
    "The checks of lab 06 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    text, chars = render_chat(LAB_CHATS[0])
    offs = [m.span() for m in re.finditer(r"<\|im_(?:start|end)\|>|\n|[^<\n]+", text)]  # special tokens, newlines, the rest
    sets = [shingles("what is the capital of france? paris"), shingles("what is the capital of spain? madrid"), shingles("please what is the capital of france? paris")]
    return [
        Check("render_chat", render_chat, points=2, hint="each message is '<|im_start|>' + role + '\\n' + content + '<|im_end|>' + '\\n'; "
              "the mask is 1 on the assistant's content and its '<|im_end|>', 0 elsewhere", cases=[
            Case("a question and its answer", (LAB_CHATS[0],)), Case("with a system message", (LAB_CHATS[1],)),
            Case("two turns", (LAB_CHATS[2],)), Case("Unicode and a newline in the answer", (LAB_CHATS[3],)),
            Case("a user turn only, asking for a reply", (LAB_CHATS[0][:1],), {"add_generation_prompt": True})]),
        Check("token_mask", token_mask, points=1, hint="a token is trained on if any character in its span [start, end) has mask 1", cases=[
            Case("the docstring example", ([0, 1, 1], [(0, 1), (1, 3)])), Case("a token that straddles the boundary", ([0, 0, 1, 1], [(0, 1), (1, 3), (3, 4)])),
            Case("a rendered conversation", (chars, offs)), Case("no assistant text", ([0] * 5, [(0, 2), (2, 5)])),
            Case("an empty span", ([1, 1], [(0, 0), (0, 2)]))]),
        Check("shingles", shingles, points=1, output=sorted, hint="normalize (lower case, split on whitespace), then join each run of k words with one space", cases=[
            Case("single words", ("What is  the capital of France?",)), Case("word pairs", ("a b a c",), {"k": 2}),
            Case("fewer words than k", ("one two",), {"k": 3}), Case("repeated words", ("to be or not to be",))]),
        Check("jaccard", jaccard, points=1, tol=1e-9, hint="|A & B| / |A | B|; two empty sets are identical (1.0)", cases=[
            Case("overlapping sets", ({1, 2}, {2, 3})), Case("identical", ({"a"}, {"a"})), Case("disjoint", ({"a"}, {"b"})),
            Case("two empty sets", (set(), set())), Case("shingle sets", (sets[0], sets[1]))]),
        Check("minhash_signature", minhash_signature, points=2, hint="for each (a, b) in hash_params(num_perm, seed): "
              "min over s of (a * zlib.crc32(s.encode('utf-8')) + b) % MERSENNE", cases=[
            Case("one shingle, 8 hashes", ({"paris"}, 8)), Case("a sentence, 16 hashes", (sets[0], 16)),
            Case("another seed", (sets[1], 16), {"seed": 3})]),
        Check("render_chat (hidden)", render_chat, points=1, hidden=True, func="render_chat", hint="check multi-turn chats and the generation prompt",
              cases=[Case("two turns and a generation prompt", (LAB_CHATS[2] + [{"role": "user", "content": "And of Chile?"}],), {"add_generation_prompt": True})]),
        Check("minhash_signature (hidden)", minhash_signature, points=1, hidden=True, func="minhash_signature", hint="the default is 128 hashes",
              cases=[Case("the default number of hashes", (sets[2],))]),
    ]
