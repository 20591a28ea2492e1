"""Checks of lab 13_rag (the lesson's module: `course_lib.rag`): the retrieval metrics (recall@k, MRR, DCG, nDCG),
BM25 from scratch, reciprocal rank fusion and a hybrid retriever. Hand-written, not exported: the library holds only
what a practitioner imports. `dcg_at_k` and `HybridRetriever` have no counterpart in the library (its `Retriever`
needs a Chroma store), so their references live here."""
from __future__ import annotations
import math, zlib
import numpy as np
from course_lib.rag import BM25, mrr, ndcg_at_k, recall_at_k, reciprocal_rank_fusion, words

METHODS = ("dense", "bm25", "hybrid")

def dcg_at_k(ranked:list, gains:dict, k:int) -> float:
    "Σ over the top k ranks i (from 1) of gains[id] / log2(i + 1): `dcg_at_k(['a', 'b'], {'b': 1}, 2) -> 0.631`."
    if k < 1: raise ValueError(f"k must be >= 1, got {k}")
    return float(sum(gains.get(i, 0.0) / math.log2(r + 1) for r, i in enumerate(ranked[:k], 1)))

def _top(scores:np.ndarray, n:int) -> list[int]:
    "The indices of the n highest scores, ties by lower index."
    return [int(i) for i in np.argsort(-scores, kind="stable")[:n]]

class HybridRetriever:
    "BM25 + dense (cosine) search over the same texts, fused by RRF: `HybridRetriever(texts, vectors, embed_query)`."
    def __init__(self, texts:list[str], vectors:np.ndarray, embed_query, depth:int=20, k_rrf:int=60):
        if not texts or len(texts) != len(vectors):
            raise ValueError(f"need one vector per text and at least one text, got {len(texts)} texts, "
                             f"{len(vectors)} vectors")
        self.vectors = np.asarray(vectors, dtype=np.float64)
        self.embed_query, self.depth, self.k_rrf = embed_query, depth, k_rrf
        self.index = BM25([words(t) for t in texts])

    def search(self, question:str, k:int=5, method:str="hybrid") -> list[int]:
        "The indices of the k best texts for the question, best first."
        if method not in METHODS: raise ValueError(f"method={method!r}: use one of {METHODS}")
        if not question.strip(): raise ValueError("the question is empty")
        if k < 1: raise ValueError(f"k must be >= 1, got {k}")
        bm = self.index.scores(words(question))
        if method == "bm25": return _top(bm, k)
        dense = self.vectors @ np.asarray(self.embed_query(question), dtype=np.float64)
        if method == "dense": return _top(dense, k)
        fused = reciprocal_rank_fusion([_top(dense, self.depth), _top(bm, self.depth)], self.k_rrf)
        return [int(i) for i, _ in fused[:k]]

def toy_embed(text:str, dim:int=16) -> np.ndarray:
    "A deterministic stand-in for MiniLM: the unit sum of one seeded random vector per word (checks need no model)."
    v = np.zeros(dim)
    for w in words(text) or ["<empty>"]: v += np.random.default_rng(zlib.crc32(w.encode())).standard_normal(dim)
    return v / np.linalg.norm(v)

def _bm25_harness(cls, docs, queries, **kwargs):
    "Build the student's BM25 on docs and score each query; a list of score lists."
    index = cls(docs, **kwargs)
    return [np.asarray(index.scores(q), dtype=np.float64).tolist() for q in queries]

def _hybrid_harness(cls, texts, questions, k=5, method="hybrid", depth=20, k_rrf=60):
    "Build the student's retriever on texts (toy embeddings) and search each question."
    vectors = np.stack([toy_embed(t) for t in texts])
    r = cls(texts, vectors, toy_embed, depth=depth, k_rrf=k_rrf)
    return [[int(i) for i in r.search(q, k, method)] for q in questions]

TOY_DOCS = [["cat", "sat", "mat"], ["cat", "cat", "dog"], ["dog", "bark"], ["bird"],
            ["cat", "dog", "bird", "fish", "tree", "house", "car", "road"]]
TEXTS = ["BPE merges the most frequent pair of tokens", "Attention compares queries with keys",
         "The KV cache keeps keys and values of past tokens", "RoPE rotates queries and keys by position",
         "A tokenizer turns text into token ids", "Perplexity is the exponential of the mean loss",
         "Top-p sampling keeps the smallest set of tokens with enough probability",
         "Chunks of a document are embedded and stored in Chroma",
         "BM25 scores a document by term frequency and rarity",
         "Reciprocal rank fusion adds one over k plus rank", "LoRA adds a low-rank update to a frozen weight",
         "DPO trains on pairs of preferred and rejected answers"]
QUESTIONS = ["How does BPE pick a pair to merge?", "What does the KV cache keep?", "Which tokens does top-p keep?",
             "How are queries and keys compared?", "What is perplexity?"]

def lab_checks() -> list:
    "The checks of lab 13 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    r1, r2 = ["d3", "d1", "d7", "d2", "d9"], ["d1", "d4", "d3", "d8"]
    return [
        Check("recall_at_k", recall_at_k, points=1, tol=1e-9,
              hint="the share of the relevant ids found among the first k; k and the relevant set are validated",
              cases=[Case("the docstring example", (["a", "b", "c"], {"c", "x"}, 3)),
                     Case("k cuts the ranking", (r1, ["d1", "d7"], 2)),
                     Case("everything found", (r1, ["d1", "d3"], 5)),
                     Case("k longer than the ranking", (r2, ["d8", "d0"], 10)),
                     Case("relevant given as a list with a repeat", (r1, ["d7", "d7", "d5"], 3)),
                     Case("k = 0", (r1, {"d1"}, 0), raises="ValueError", match="k"),
                     Case("no relevant ids", (r1, set(), 3), raises="ValueError", match="relevant")]),
        Check("mrr", mrr, points=1, tol=1e-9,
              hint="per question the reciprocal of the rank (from 1) of the first relevant id, 0 when there is none; "
                   "then the mean; one set of relevant ids per ranking",
              cases=[Case("the docstring example", ([["a", "b"], ["c"]], [{"b"}, {"x"}])),
                     Case("one question, third place", ([r1], [{"d7"}])),
                     Case("three questions", ([r1, r2, ["d5"]], [{"d7", "d9"}, {"d8"}, {"d6"}])),
                     Case("two relevant: the first counts", ([r2], [{"d3", "d4"}])),
                     Case("fewer sets than rankings", ([r1, r2], [{"d1"}]), raises="ValueError"),
                     Case("no questions", ([], []), raises="ValueError")]),
        Check("dcg_at_k", dcg_at_k, points=1, tol=1e-9,
              hint="each of the top k ranks adds its gain discounted by the base-2 logarithm of (rank + 1), "
                   "ranks from 1",
              cases=[Case("one relevant at rank 2", (["a", "b"], {"b": 1}, 2)),
                     Case("graded gains", (r1, {"d1": 3, "d2": 1, "d9": 2}, 5)),
                     Case("k cuts gains off", (r1, {"d1": 3, "d2": 1, "d9": 2}, 3)),
                     Case("first place", (r2, {"d1": 2}, 4)),
                     Case("k = 0", (r1, {"d1": 1}, 0), raises="ValueError", match="k")]),
        Check("ndcg_at_k", ndcg_at_k, points=2, tol=1e-9,
              hint="DCG of the ranking over DCG of the ideal ranking: all the positive gains sorted best first, "
                   "cut to k; a set gives gain 1 per id; no positive gain is an error",
              cases=[Case("the docstring example", (["a", "b"], {"b"}, 10)),
                     Case("two relevant", (r1, {"d1", "d2"}, 5)),
                     Case("relevant at ranks 1 and 3", (["a", "x", "b"], {"a", "b"}, 3)),
                     Case("k cuts a relevant id off", (r1, {"d1", "d9"}, 3)),
                     Case("perfect ranking", (r2, {"d1", "d4"}, 10)),
                     Case("graded gains", (r1, {"d1": 3, "d2": 1, "d5": 2}, 5)),
                     Case("graded, more relevant than k", (r2, {"d3": 1, "d4": 2, "d8": 3, "d6": 1}, 2)),
                     Case("none in the top k", (r2, {"d8"}, 2)),
                     Case("no relevant ids", (r1, set(), 5), raises="ValueError", match="relevant"),
                     Case("k = 0", (r1, {"d1"}, 0), raises="ValueError", match="k")]),
        Check("BM25", BM25, points=3, tol=1e-7, harness=_bm25_harness,
              hint="Lucene's idf (log of 1 + ...), term frequency saturated by k1 and normalised by the document's "
                   "length relative to the average (b); every query term counts, repeats too",
              cases=[Case("one term, toy corpus", (TOY_DOCS, [["cat"]])),
                     Case("two terms", (TOY_DOCS, [["dog", "cat"]])),
                     Case("a repeated term and an unknown one", (TOY_DOCS, [["bark", "bark"], ["fish", "zebra"]])),
                     Case("k1 = 0.9, b = 0.4", (TOY_DOCS, [["cat", "bird"]]), {"k1": 0.9, "b": 0.4}),
                     Case("b = 0: no length normalization", (TOY_DOCS, [["dog"]]), {"b": 0.0}),
                     Case("no documents", ([], [["cat"]]), raises="ValueError")]),
        Check("reciprocal_rank_fusion", reciprocal_rank_fusion, points=2, tol=1e-9,
              hint="each ranking gives an id one over (k + its rank), ranks from 1; sum per id; best first, ties "
                   "in the order ids were first seen; (id, score) pairs; k must not be negative",
              cases=[Case("the docstring example", ([["a", "b"], ["b"]],), {"k": 1}),
                     Case("two rankings, k=60", ([r1, r2],)),
                     Case("a tie broken by first appearance", ([["a", "b", "c"], ["c", "b", "a"]],)),
                     Case("another tie", ([["c", "b", "a"], ["a", "b", "c"]],)),
                     Case("one ranking keeps its order", ([r2],)), Case("k = 0", ([r1, ["d9", "d3"]],), {"k": 0}),
                     Case("three rankings", ([r1, r2, ["d9", "d4"]],), {"k": 10}),
                     Case("k = -1", ([r1],), {"k": -1}, raises="ValueError", match="k")]),
        Check("HybridRetriever", HybridRetriever, points=4, harness=_hybrid_harness,
              forbid=(HybridRetriever, BM25, reciprocal_rank_fusion),
              hint="bm25: your BM25 on words(text); dense: the dot product of the unit vectors; hybrid: fuse the "
                   "top `depth` of dense (first) and of BM25 with your RRF; sort best first, ties by lower index",
              cases=[Case("bm25, top 3", (TEXTS, QUESTIONS, 3, "bm25")),
                     Case("dense, top 3", (TEXTS, QUESTIONS, 3, "dense")),
                     Case("hybrid, top 5", (TEXTS, QUESTIONS, 5, "hybrid")),
                     Case("hybrid, depth 3", (TEXTS, QUESTIONS, 5, "hybrid"), {"depth": 3}),
                     Case("hybrid, k_rrf 1", (TEXTS, QUESTIONS, 4, "hybrid"), {"k_rrf": 1}),
                     Case("an unknown method", (TEXTS, QUESTIONS[:1], 3, "magic"), raises="ValueError", match="method"),
                     Case("an empty question", (TEXTS, ["   "], 3, "hybrid"), raises="ValueError", match="empty")]),
        Check("ndcg_at_k (hidden)", ndcg_at_k, points=1, hidden=True, tol=1e-9, func="ndcg_at_k",
              hint="graded gains: a dict id -> gain; the ideal ranking sorts the gains",
              cases=[Case("graded gains, k=4", (r1, {"d7": 3, "d2": 1, "d5": 2}, 4)),
                     Case("graded, k=1", (r2, {"d3": 1, "d4": 2}, 1))]),
        Check("HybridRetriever (hidden)", HybridRetriever, points=1, hidden=True, harness=_hybrid_harness,
              func="HybridRetriever",
              forbid=(HybridRetriever, BM25, reciprocal_rank_fusion), hint="other questions, other depths",
              cases=[Case("hybrid, depth 2", (TEXTS, QUESTIONS[::-1], 3, "hybrid"), {"depth": 2}),
                     Case("other questions", (TEXTS, ["What does LoRA add?", "How does DPO train?"], 5, "hybrid"))]),
    ]
