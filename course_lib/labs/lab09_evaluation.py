"""Checks of lab 09_evaluation (the lesson's module: `course_lib.evaluate`). Hand-written, not exported: the library holds only what a practitioner imports."""
from __future__ import annotations
from course_lib.evaluate import bleu, brevity_penalty, clipped_matches, exact_match, f1, lcs_length, normalize_answer, rouge, tokenize_13a

LAB_CORPORA = [  # (hypotheses, references per hypothesis)
    (["the cat sat on the mat"], [["the cat sat on the mat"]]),
    (["the cat is on the mat .", "there is a dog"], [["the cat sat on the mat."], ["a dog is there", "there is a dog here"]]),
    (["It costs $3.50, or 3,000 yen.", ""], [["It costs $ 3.50 or 3,000 yen."], ["nothing"]]),
    (["a b c", "d e"], [["a b c d"], ["d e f"]]),
    (["the the the the"], [["the cat", "the the dog"]]),
]

LAB_PAIRS = [("the cat was found under the bed", "the cat was under the bed"), ("Don't panic!", "do not panic"),
             ("", "empty hypothesis"), ("a b a b a", "b a b"), ("Police kill the gunman.", "The gunman was shot dead by police.")]

def lab_checks() -> list:
    "The checks of lab 09 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    tok = lambda s: tokenize_13a(s)
    return [
        Check("clipped_matches", clipped_matches, points=2, hint="count each hypothesis n-gram at most as often as the reference with the most of it", cases=[
            Case("repeated word, two references", ("the the the cat".split(), ["the cat".split(), "the the dog".split()], 1)),
            Case("bigrams", (tok("the cat is on the mat ."), [tok("the cat sat on the mat.")], 2)),
            Case("n longer than the hypothesis", ("a b".split(), ["a b".split()], 3)), Case("empty hypothesis", ([], [["x"]], 1))]),
        Check("brevity_penalty", brevity_penalty, points=1, tol=1e-9, hint="1 when hyp_len >= ref_len; 0 when hyp_len is 0; else exp(1 - ref_len / hyp_len)",
              cases=[Case(f"hyp {h}, ref {r}", (h, r)) for h, r in [(8, 10), (10, 10), (12, 10), (0, 3), (1, 9)]]),
        Check("bleu", bleu, points=3, tol=1e-6, hint="sum matches and totals over the corpus; closest reference length (shorter on ties); "
              "a zero precision gets 1/(2^k * total); 0 if nothing matches or an order has no n-gram", cases=[
            Case(f"corpus {i}", LAB_CORPORA[i]) for i in range(4)]),
        Check("lcs_length", lcs_length, points=1, hint="dynamic programming over both sequences", cases=[
            Case("letters", ("abcbdab", "bdcaba")), Case("words", ("the cat sat".split(), "cat the sat".split())), Case("one empty", ([], ["a"]))]),
        Check("rouge", rouge, points=2, tol=1e-9, hint="rouge_tokenize both; clipped n-gram overlap; F = 2PR/(P+R); ROUGE-L from lcs_length", cases=[
            Case(f"pair {i}", LAB_PAIRS[i]) for i in range(4)]),
        Check("normalize_answer", normalize_answer, points=1, hint="lower-case, remove string.punctuation, remove whole-word a/an/the, collapse whitespace",
              cases=[Case(repr(s), (s,)) for s in ["The  Eiffel-Tower!", "an apple a day", "theatre", "  A.  "]]),
        Check("exact_match", exact_match, points=1, tol=1e-9, hint="compare normalised strings; the best of several references", cases=[
            Case("articles and punctuation", ("The Paris.", "paris")), Case("different", ("Lyon", "Paris")), Case("several references", ("Lima", ["Santiago", "lima!"]))]),
        Check("f1", f1, points=2, tol=1e-9, hint="Counter intersection of normalised tokens; two empty answers score 1, one empty scores 0", cases=[
            Case("partial overlap", ("the Eiffel tower in Paris", "Eiffel Tower")), Case("repeated words", ("red red blue", "red blue blue")),
            Case("both empty", ("", "")), Case("several references", ("New Delhi", ["Delhi", "Mumbai"]))]),
        Check("bleu (hidden)", bleu, points=1, tol=1e-6, hidden=True, func="bleu", hint="repeated words and too-short corpora", cases=[Case("corpus 4", LAB_CORPORA[4])]),
        Check("rouge (hidden)", rouge, points=1, tol=1e-9, hidden=True, func="rouge", hint="different lengths", cases=[Case("pair 4", LAB_PAIRS[4])]),
        Check("f1 (hidden)", f1, points=1, tol=1e-9, hidden=True, func="f1", hint="one empty answer", cases=[Case("empty prediction", ("", "Paris")), Case("the only article", ("The", "a"))]),
    ]
