"""RAG retrieval benchmark: dense vs BM25 vs hybrid (RRF) on the labelled *dev* questions, for several chunkings.

    python benchmarks/rag.py                        # chunk sizes 400, 600, 800, 1000, with and without header paths
    python benchmarks/rag.py --sizes 600 --headers on

This is where lesson 13's CHUNK_SIZE is chosen, so it reads the dev questions only: the test questions are for the
lesson's one final report, and a choice made on them would make that report optimistic.
Each chunking is embedded into a temporary Chroma store (MiniLM, ~30-90 s per chunking on 2 CPU cores the first
time; the vectors are then cached per chunk in the course cache, see rag.chunk_vectors). Relevance is by lesson +
answer span, so the questions never change with the chunking; a chunking under which an answer span is cut in two
is reported (`unanswerable`), and those questions are left out of its row.
"""
import argparse, tempfile, time
from course_lib.core import print_table
from course_lib.rag import CHUNK_SIZE, Retriever, cached_store, compare_retrievers, handbook_chunks, load_questions
from course_lib.rag import relevant_ids
from course_lib.vectorstore import course_documents

METRICS = ("recall@1", "recall@5", "recall@10", "MRR", "nDCG@10", "missed@5")

def run(docs, questions, size:int, headers:bool) -> list[dict]:
    "One row per method for one chunking."
    chunks = handbook_chunks(docs, size, headers)
    cut = [q.question for q in questions if not relevant_ids(chunks, q)]
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        t0 = time.perf_counter()
        retriever = Retriever(chunks, cached_store(tmp, chunks))
        t_ingest = time.perf_counter() - t0
        table, _ = compare_retrievers(retriever, [q for q in questions if q.question not in cut])
    return [dict(chunk_size=size, headers=headers, chunks=len(chunks), unanswerable=len(cut), method=r["method"],
                 **{k: r[k] for k in METRICS}, ingest_s=t_ingest) for r in table]

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="400,600,800,1000", help="comma-separated chunk sizes (characters)")
    ap.add_argument("--headers", default="both", choices=["on", "off", "both"],
                    help="start each chunk with its header path")
    args = ap.parse_args()
    docs, questions = course_documents(), load_questions(split="dev")
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        for headers in {"on": [True], "off": [False], "both": [True, False]}[args.headers]:
            rows += run(docs, questions, size, headers)
            print_table(rows[-3:])
    print(f"\n{len(questions)} dev questions; the lesson uses CHUNK_SIZE={CHUNK_SIZE} with header paths")
    print_table(rows)
