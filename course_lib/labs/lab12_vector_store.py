"""Checks of lab 12_vector_store (the lesson's module: `course_lib.vectorstore`). Hand-written, not exported: the library holds only what a practitioner imports."""
from __future__ import annotations
from course_lib.vectorstore import cosine_topk, split_recursive

LAB_TEXT = ("Vector stores keep embeddings. Each chunk is a vector.\n\nA query is embedded too; the nearest chunks "
            "answer it.\nCosine similarity compares directions.\n\nChroma stores vectors on disk. It builds an HNSW "
            "graph for fast search. Brute force compares every vector, which is exact.")

def _lab_vectors(seed:int, n:int, d:int) -> list[list[float]]:
    import random
    rng = random.Random(seed)
    return [[round(rng.uniform(-1, 1), 3) for _ in range(d)] for _ in range(n)]

def lab_checks() -> list:
    "The checks of lab 12 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    m = _lab_vectors(1, 20, 8)
    return [
        Check("split_recursive", split_recursive, points=2, hint="cut after each separator (keep it on the piece before); glue pieces while they fit; recurse on a piece that is too long with the remaining separators", cases=[
            Case("a short text is one chunk", ("short text", 50)), Case("an empty text is no chunk", ("", 10)),
            Case("paragraphs", (LAB_TEXT, 120)), Case("lines and sentences", (LAB_TEXT, 60)), Case("words", (LAB_TEXT, 25)),
            Case("no separator at all: cut characters", ("abcdefghij", 4)), Case("custom separators", ("a-b-c|d-e", 3, ("|", "-", "")))]),
        Check("cosine_topk", cosine_topk, points=2, tol=1e-6, hint="normalize; similarity = dot / (|a| |b|); sort descending, ties to the lower index; return (indices, scores) as lists", cases=[
            Case("the docstring example", ([1, 0], [[0, 1], [1, 1], [2, 0]], 2)), Case("k = 1", ([0.5, -1.0], [[1, 2], [-1, 2], [0.1, -0.2]], 1)),
            Case("k larger than the matrix", ([1, 1], [[1, 0], [0, 1]], 5)), Case("a duplicated row (a tie)", ([1, 2], [[3, 1], [1, 1], [1, 1]], 3)),
            Case("20 random 8-d vectors, top 5", (_lab_vectors(2, 1, 8)[0], m, 5))]),
        Check("split_recursive (hidden)", split_recursive, points=1, hidden=True, func="split_recursive", hint="check the invariants: the chunks join to the text and none is longer than chunk_size", cases=[
            Case("a longer text", (LAB_TEXT * 3, 90)), Case("separators that do not occur", ("one two three", 5, ("\n\n", "\n")))]),
    ]
