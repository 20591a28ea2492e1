"""Checks of lab 13_rag (the lesson's module: `course_lib.rag`). Hand-written, not exported: the library holds only what a practitioner imports."""
from __future__ import annotations
from course_lib.rag import mrr, ndcg_at_k, recall_at_k, reciprocal_rank_fusion

def lab_checks() -> list:
    "The checks of lab 13 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    r1, r2 = ["d3", "d1", "d7", "d2", "d9"], ["d1", "d4", "d3", "d8"]
    return [
        Check("recall_at_k", recall_at_k, points=1, tol=1e-9, hint="|relevant ∩ ranked[:k]| / |relevant|; a ranking shorter than k is fine", cases=[
            Case("the docstring example", (["a", "b", "c"], {"c", "x"}, 3)), Case("k cuts the ranking", (r1, ["d2", "d3"], 2)),
            Case("everything found", (r1, ["d1", "d3"], 5)), Case("k longer than the ranking", (r2, ["d8", "d0"], 10)),
            Case("nothing found", (r2, ["d5"], 4))]),
        Check("mrr", mrr, points=1, tol=1e-9, hint="per question 1 / (rank of the FIRST relevant id), ranks start at 1, 0 when none; then the mean", cases=[
            Case("the docstring example", ([["a", "b"], ["c"]], [{"b"}, {"x"}])), Case("one question, first place", ([r1], [{"d3"}])),
            Case("three questions", ([r1, r2, ["d5"]], [{"d7", "d9"}, {"d8"}, {"d6"}])), Case("two relevant: the first counts", ([r2], [{"d3", "d4"}]))]),
        Check("ndcg_at_k", ndcg_at_k, points=1, tol=1e-9, hint="DCG = sum of gain / log2(rank + 1) over the top k (rank from 1); divide by the DCG of the gains sorted best first", cases=[
            Case("the docstring example", (["a", "b"], {"b"}, 10)), Case("two relevant", (r1, {"d1", "d2"}, 5)),
            Case("k cuts a relevant id off", (r1, {"d1", "d9"}, 3)), Case("perfect ranking", (r2, {"d1", "d4"}, 10)), Case("none in the top k", (r2, {"d8"}, 2))]),
        Check("reciprocal_rank_fusion", reciprocal_rank_fusion, points=2, tol=1e-9, hint="score(id) = sum over rankings of 1 / (k + rank), ranks from 1; sort by score descending, ties by first appearance; return (id, score) pairs", cases=[
            Case("the docstring example", ([["a", "b"], ["b"]],), {"k": 1}), Case("two rankings, k=60", ([r1, r2],)),
            Case("a tie broken by first appearance", ([["a", "b", "c"], ["c", "b", "a"]],)), Case("one ranking keeps its order", ([r2],)),
            Case("three rankings", ([r1, r2, ["d9", "d4"]],), {"k": 10})]),
        Check("ndcg_at_k (hidden)", ndcg_at_k, points=1, hidden=True, tol=1e-9, func="ndcg_at_k", hint="graded gains: a dict id -> gain; the ideal ranking sorts the gains", cases=[
            Case("graded gains", (r1, {"d1": 3, "d2": 1, "d5": 2}, 5)), Case("graded, k=2", (r2, {"d3": 1, "d4": 2}, 2))]),
    ]
