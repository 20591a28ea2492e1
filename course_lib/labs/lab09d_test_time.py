"""Checks of lab 09d_test_time (the lesson's module: `course_lib.test_time`): the majority vote of self-consistency
(normalized groups, ties to the group seen first, an answer as written), best-of-N's choice, and the unbiased pass@k
estimator, each compared with the lesson's function on visible and hidden cases. Hand-written, not exported: the
library holds only what a practitioner imports. Calling the lesson's functions scores 0."""
from __future__ import annotations
from course_lib import test_time as lesson


# --- the references: the lesson's functions, in the lab's signatures --------------------------------------------------
def majority_vote(answers:list) -> str:
    "The lesson's vote: the most frequent normalized answer (ties: seen first), returned as first written."
    return lesson.majority_vote(answers)


def best_of_n(answers:list, scores:list) -> str:
    "The lesson's best-of-N: the answer with the highest score (ties: the first)."
    return lesson.best_of_n(answers, scores)


def pass_at_k(n:int, c:int, k:int) -> float:
    "The lesson's unbiased pass@k."
    return lesson.pass_at_k(n, c, k)


_FORBID = (lesson.majority_vote, lesson.best_of_n, lesson.pass_at_k, lesson.scaling_curve)


def _vote_checks(Check, Case) -> list:
    cases = [Case("a clear majority", (["Paris", "Lyon", "Paris"],)),
             Case("spellings of one answer count together ('Paris.', 'paris', 'the Paris' against 'Lyon' twice)",
                  (["Lyon", "Lyon", "Paris.", "paris", "the Paris"],)),
             Case("the winner is returned as first written, not normalized", (["NEW DELHI!", "new delhi", "Delhi"],)),
             Case("the first spelling of the winning group, even when a later spelling is more frequent",
                  (["Paris.", "paris", "paris", "Lyon"],)),
             Case("a tie (2 against 2): the answer seen first wins", (["b", "a", "a", "b"],)),
             Case("a tie between normalized groups", (["lyon", "PARIS", "Lyon!", "paris"],)),
             Case("all different: the first sample", (["Oslo", "Rome", "Bern"],)),
             Case("a single answer", (["MOON"],)),
             Case("an empty list is a ValueError", ([],), raises="ValueError")]
    hidden = [Case("16 samples of a capital question",
                   (["Nairobi", "Nairoirobi", "nairobi.", "Cairo", "Nairobago", "Cairo", "Cairo", "Nairobi", "Accra",
                     "Cairo.", "NAIROBI", "Nairobi", "cairo", "Nairobi", "Lima", "Cairo"],)),
              Case("a three-way tie of normalized groups",
                   (["z", "The Y", "x", "y", "Z!", "X"],))]
    hint = ("count answers by course_lib.evaluate.normalize_answer(answer); the group with the most votes wins, a tie "
            "goes to the group whose first member came first; return that group's first answer exactly as written; "
            "raise ValueError on an empty list")
    return [Check("majority_vote", majority_vote, cases, points=3, hint=hint, forbid=_FORBID),
            Check("majority_vote (hidden)", majority_vote, hidden, points=1, hidden=True, func="majority_vote",
                  hint=hint, forbid=_FORBID)]


def _best_checks(Check, Case) -> list:
    cases = [Case("three scored answers", (["a", "b", "c"], [0.1, 0.9, 0.5])),
             Case("negative scores: the highest is the least negative", (["a", "b", "c"], [-3.0, -1.0, -2.0])),
             Case("a tie at the top: the first of the tied answers", (["x", "y", "z"], [0.2, 0.7, 0.7])),
             Case("a single answer", (["only"], [5.0])),
             Case("fewer scores than answers is a ValueError", (["a", "b", "c"], [1.0, 2.0]), raises="ValueError"),
             Case("no answers is a ValueError", ([], []), raises="ValueError")]
    hidden = [Case("eight answers, integer scores with a tie", (list("hgfedcba"), [3, 1, 4, 1, 5, 9, 2, 9])),
              Case("more scores than answers", (["a"], [1.0, 2.0]), raises="ValueError")]
    hint = ("the answer at the index of the largest score (the first such index at a tie), not the score or the index; "
            "a ValueError when the lists are empty or of different lengths")
    return [Check("best_of_n", best_of_n, cases, points=2, hint=hint, forbid=_FORBID),
            Check("best_of_n (hidden)", best_of_n, hidden, points=1, hidden=True, func="best_of_n", hint=hint,
                  forbid=_FORBID)]


def _pass_checks(Check, Case) -> list:
    cases = [Case("n=4, c=1, k=2", (4, 1, 2)), Case("k=1 is c / n: n=10, c=3", (10, 3, 1)),
             Case("no correct sample: n=10, c=0, k=5", (10, 0, 5)),
             Case("fewer wrong samples than k: every draw holds a right one (n=10, c=7, k=4)", (10, 7, 4)),
             Case("n=20, c=3, k=5", (20, 3, 5)), Case("n=16, c=9, k=8", (16, 9, 8)),
             Case("many samples: n=2000, c=10, k=1000 (the binomials have hundreds of digits)", (2000, 10, 1000)),
             Case("c > n is a ValueError", (5, 6, 2), raises="ValueError"),
             Case("k > n is a ValueError", (5, 2, 6), raises="ValueError"),
             Case("k = 0 is a ValueError", (5, 2, 0), raises="ValueError")]
    hidden = [Case("n=200, c=17, k=64", (200, 17, 64)), Case("n=3000, c=1, k=1500", (3000, 1, 1500)),
              Case("all correct: n=12, c=12, k=12", (12, 12, 12))]
    hint = ("1 - C(n-c, k) / C(n, k), the chance that k of the n samples drawn without replacement hold a correct one; "
            "compute it as 1 - prod(1 - k / i for i in n-c+1 .. n), never with floating-point binomials or factorials; "
            "ValueError unless 0 <= c <= n and 1 <= k <= n")
    return [Check("pass_at_k", pass_at_k, cases, points=3, tol=1e-9, hint=hint, forbid=_FORBID),
            Check("pass_at_k (hidden)", pass_at_k, hidden, points=1, tol=1e-9, hidden=True, func="pass_at_k",
                  hint=hint, forbid=_FORBID)]


def lab_checks() -> list:
    "The checks of lab 09d (see `course_lib.grading`)."
    from course_lib.grading import Case, Check
    return [*_vote_checks(Check, Case), *_best_checks(Check, Case), *_pass_checks(Check, Case)]
