"""Checks of lab 12_vector_store (the lessons' modules: `course_lib.documents`, `course_lib.vectorstore`): a lossless
recursive splitter, exact cosine top-k, an idempotent ingest into a Chroma collection and a search over it.
Hand-written, not exported: the library holds only what a practitioner imports.

`ingest` and `search` are the references of this lab only: the lesson's `VectorStore.ingest` and `query_vectors` do
the same on a `VectorStore` with MiniLM; the lab's versions take any Chroma collection and any embedding function, so
that the checks run without the embedding model (with `letter_embed`, a cheap deterministic one)."""

from __future__ import annotations
import os, threading, uuid
import numpy as np
from course_lib.documents import Document, split_recursive
from course_lib.vectorstore import VectorStore, chunk_id, cosine_topk

LAB_TEXT = (
    "Vector stores keep embeddings. Each chunk is a vector.\n\nA query is embedded too; the nearest chunks "
    "answer it.\nCosine similarity compares directions.\n\nChroma stores vectors on disk. It builds an HNSW "
    "graph for fast search. Brute force compares every vector, which is exact."
)


def _lab_vectors(seed: int, n: int, d: int) -> list[list[float]]:
    import random

    rng = random.Random(seed)
    return [[round(rng.uniform(-1, 1), 3) for _ in range(d)] for _ in range(n)]


# --- the references of `ingest` and `search` ----------------------------------------------------------------------
def ingest(collection, chunks: list[Document], embed, batch_size: int = 64) -> dict:
    "Add the chunks the collection lacks (content-hash ids), drop stored chunks of the same sources that are gone."
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    todo = {chunk_id(c): c for c in chunks}
    have = set(collection.get(ids=list(todo), include=[])["ids"]) if todo else set()
    new = [i for i in todo if i not in have]
    for b in range(0, len(new), batch_size):
        ids = new[b : b + batch_size]
        texts = [todo[i].text for i in ids]
        metas = [{k: v for k, v in todo[i].metadata.items() if v is not None} or None for i in ids]
        collection.add(ids=ids, documents=texts, metadatas=metas, embeddings=np.asarray(embed(texts), dtype=np.float32))
    sources = sorted({c.metadata["source"] for c in chunks if c.metadata.get("source") is not None})
    stale = (
        [i for i in collection.get(where={"source": {"$in": sources}}, include=[])["ids"] if i not in todo]
        if sources
        else []
    )
    if stale:
        collection.delete(ids=stale)
    return dict(chunks=len(chunks), added=len(new), unchanged=len(have), deleted=len(stale))


def search(collection, vectors, k: int, where: dict | None = None) -> list[list[tuple[str, float]]]:
    "The k nearest stored ids to each query vector, best first, with their cosine similarity (1 - cosine distance)."
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    res = collection.query(
        query_embeddings=np.asarray(vectors, dtype=np.float32), n_results=k, where=where, include=["distances"]
    )
    return [[(i, 1.0 - d) for i, d in zip(ids, ds)] for ids, ds in zip(res["ids"], res["distances"])]


# --- harnesses: a fresh in-memory collection per case -------------------------------------------------------------
def letter_embed(texts: list[str]) -> np.ndarray:
    "A cheap deterministic embedding for the checks: letter counts of 12 letters (+ a constant), unit length."
    rows = [[t.lower().count(c) + 0.5 for c in "etaoinshrdlu"] for t in texts]
    m = np.asarray(rows, dtype=np.float32).reshape(len(texts), 12)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


_LOCK = threading.RLock()  # the grader judges submissions in threads; Chroma's client set-up is not thread-safe
_COLLECTIONS: dict = {}


def _empty(col):
    "Delete everything stored in a collection."
    ids = col.get(include=[])["ids"]
    if ids:
        col.delete(ids=ids)


class _Collection:
    """An empty in-memory Chroma collection (cosine space, no embedding function), one at a time. One collection per
    process, emptied before and after each use: Chroma keeps a few MB for every collection ever created."""

    def __enter__(self):
        _LOCK.acquire()
        try:
            if os.getpid() not in _COLLECTIONS:
                import chromadb
                from chromadb.config import Settings

                client = chromadb.EphemeralClient(settings=Settings(anonymized_telemetry=False))
                name = f"lab12-checks-{uuid.uuid4().hex[:12]}"
                config = {"hnsw": {"space": "cosine"}}
                _COLLECTIONS[os.getpid()] = client.create_collection(
                    name, embedding_function=None, configuration=config
                )
            col = _COLLECTIONS[os.getpid()]
            _empty(col)
            return col
        except BaseException:
            _LOCK.release()
            raise

    def __exit__(self, *exc):
        try:
            _empty(_COLLECTIONS[os.getpid()])
        finally:
            _LOCK.release()


def run_ingest(fn, rounds: list[list[Document]], batch_size: int | None = None) -> list:
    "Ingest each round into one collection; the counts, the embedding batch sizes and what is stored at the end."
    calls = []

    def embed(texts):
        calls.append(len(texts))
        return letter_embed(list(texts))

    with _Collection() as col:
        kw = {} if batch_size is None else {"batch_size": batch_size}
        counts = [fn(col, chunks, embed, **kw) for chunks in rounds]
        got = col.get(include=["documents", "metadatas", "embeddings"])
    docs, metas = got["documents"], got["metadatas"]
    stored = sorted([doc, sorted((m or {}).items())] for doc, m in zip(docs, metas))
    expected = letter_embed(docs) if docs else np.zeros((0, 12))
    wrong = (
        int((np.abs(np.asarray(got["embeddings"]).reshape(len(docs), -1) - expected) > 1e-5).any(1).sum())
        if docs
        else 0
    )
    return [[dict(c) if isinstance(c, dict) else c for c in counts], calls, stored, {"not_their_text_embedding": wrong}]


def run_search(fn, texts: list[str], queries: list[str], k: int, where: dict | None = None) -> list:
    "Store texts (ids t0, t1, ...; source a for even ones, b for odd) and search with the queries' embeddings."
    with _Collection() as col:
        if texts:
            col.add(
                ids=[f"t{i}" for i in range(len(texts))],
                documents=texts,
                embeddings=letter_embed(texts),
                metadatas=[{"source": "ab"[i % 2]} for i in range(len(texts))],
            )
        res = fn(col, letter_embed(queries), k, where) if where is not None else fn(col, letter_embed(queries), k)
    return [[[str(i), float(s)] for i, s in row] for row in res]


def _docs(source: str, texts: list[str], **meta) -> list[Document]:
    return [Document(t, {"source": source, "chunk": i, **meta}) for i, t in enumerate(texts)]


def _rounds():
    "Ingest scenarios: (description, rounds)."
    a = _docs("a.md", ["alpha one", "alpha two", "alpha three"])
    b = _docs("b.md", ["beta one", "beta two"])
    a_edited = _docs("a.md", ["alpha one", "alpha TWO, edited"])  # one changed, one removed, one kept
    many = _docs("big.md", [f"chunk number {i} " + "xyz"[i % 3] * (i % 7) for i in range(70)])
    dup = [
        Document("same text", {"source": "d.md"}),
        Document("same text", {"source": "d.md"}),
        Document("same text", {"source": "e.md"}),
    ]
    nones = [Document("kept metadata", {"source": "n.md", "page": None, "headers": "H1"})]
    return dict(
        first=[a + b],
        again=[a + b, a + b],
        edited=[a + b, a_edited],
        other=[a, b],
        batches=[many],
        dup=[dup],
        nones=[nones],
        grow=[many[:20], many[:50]],
    )


def lab_checks() -> list:
    "The checks of lab 12 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case

    m = _lab_vectors(1, 20, 8)
    r = _rounds()
    texts = [
        "the cat sat on the mat",
        "a dog in the fog",
        "vectors live in chroma",
        "tea for two",
        "shine on",
        "rain in spain",
        "the end is near",
        "hello world",
        "a store of chunks",
        "nothing here",
    ]
    queries = ["the cat on a mat", "hello vectors", "rain"]
    return [
        Check(
            "split_recursive",
            split_recursive,
            points=2,
            hint="cut after each separator (it stays at the end of the "
            "piece before it); glue pieces while they fit; a piece too long for a chunk is split again with the "
            "finer separators; no separator at all: cut every chunk_size characters",
            cases=[
                Case("a short text is one chunk", ("short text", 50)),
                Case("an empty text is no chunk", ("", 10)),
                Case("paragraphs", (LAB_TEXT, 120)),
                Case("lines and sentences", (LAB_TEXT, 60)),
                Case("words", (LAB_TEXT, 25)),
                Case("no separator at all: cut characters", ("abcdefghij", 4)),
                Case("custom separators", ("a-b-c|d-e", 3, ("|", "-", ""))),
                Case("chunk_size 0 is refused", ("abc", 0), raises="ValueError", match="chunk_size"),
            ],
        ),
        Check(
            "cosine_topk",
            cosine_topk,
            points=2,
            tol=1e-6,
            hint="similarity = dot / (|a| |b|); best first, ties to the lower index; a zero vector has no direction",
            cases=[
                Case("the docstring example", ([1, 0], [[0, 1], [1, 1], [2, 0]], 2)),
                Case("k = 1", ([0.5, -1.0], [[1, 2], [-1, 2], [0.1, -0.2]], 1)),
                Case("k larger than the matrix", ([1, 1], [[1, 0], [0, 1]], 5)),
                Case("a duplicated row (a tie)", ([1, 2], [[3, 1], [1, 1], [1, 1]], 3)),
                Case("rows of different lengths (scale does not matter)", ([1, 1], [[10, 0], [0.1, 0.1], [-3, 1]], 3)),
                Case("20 random 8-d vectors, top 5", (_lab_vectors(2, 1, 8)[0], m, 5)),
                Case("a zero query is refused", ([0, 0], [[1, 0]], 1), raises="ValueError", match="zero"),
                Case("a zero row is refused", ([1, 0], [[1, 0], [0, 0]], 1), raises="ValueError", match="zero"),
            ],
        ),
        Check(
            "ingest",
            ingest,
            points=4,
            tol=1e-5,
            harness=run_ingest,
            forbid=(ingest, VectorStore.ingest),
            hint="ids are content hashes of source and text; add (and embed) only what the collection lacks, in "
            "batches; delete stored chunks of the given sources that are no longer given; never touch other "
            "sources; metadata values that are None are left out",
            cases=[
                Case("a first ingest of 2 sources", (r["first"],)),
                Case("the same chunks again: nothing added", (r["again"],)),
                Case("a source edited: one chunk changed, one removed", (r["edited"],)),
                Case("two sources ingested separately: the second does not delete the first", (r["other"],)),
                Case("70 chunks in batches of 64 (the default)", (r["batches"],)),
                Case("70 chunks in batches of 25", (r["batches"], 25)),
                Case("the same text twice in one source, and once in another", (r["dup"],)),
                Case("a metadata value that is None", (r["nones"],)),
                Case("a document that grows", (r["grow"], 16)),
                Case("batch_size 0 is refused", (r["first"], 0), raises="ValueError", match="batch_size"),
            ],
        ),
        Check(
            "search",
            search,
            points=2,
            tol=1e-5,
            harness=run_search,
            forbid=(search, VectorStore.query_vectors),
            hint="Chroma returns cosine *distances*; one list per query vector, best first; k is how many",
            cases=[
                Case("3 queries, top 3", (texts, queries, 3)),
                Case("top 1", (texts, queries[:1], 1)),
                Case("k larger than the store", (texts[:2], queries, 5)),
                Case("a metadata filter", (texts, queries, 2, {"source": "a"})),
                Case("an empty store", ([], queries[:2], 3)),
                Case("k = 0 is refused", (texts, queries, 0), raises="ValueError", match="k"),
            ],
        ),
        Check(
            "split_recursive (hidden)",
            split_recursive,
            points=1,
            hidden=True,
            func="split_recursive",
            hint="check the invariants: the chunks join to the text and none is longer than chunk_size",
            cases=[
                Case("a longer text", (LAB_TEXT * 3, 90)),
                Case("separators that do not occur", ("one two three", 5, ("\n\n", "\n"))),
            ],
        ),
        Check(
            "ingest (hidden)",
            ingest,
            points=1,
            tol=1e-5,
            hidden=True,
            func="ingest",
            harness=run_ingest,
            forbid=(ingest, VectorStore.ingest),
            hint="an edit, then the original again",
            cases=[Case("edit, then revert", ([r["first"][0], r["edited"][1], r["first"][0]],), {"batch_size": 2})],
        ),
    ]
