"""RAG retrieval benchmark: dense vs BM25 vs hybrid (RRF) on the course's labelled questions, for several chunkings.

    python benchmarks/rag.py                        # chunk sizes 400, 600, 800, 1000, with and without header paths
    python benchmarks/rag.py --sizes 600 --headers on

Each chunking is embedded from scratch into a temporary Chroma store (MiniLM, ~30-90 s per chunking on 2 CPU cores).
The goal (DESIGN.md): hybrid recall@5 >= 0.9 and >= both dense and BM25. Relevance is by lesson + answer span, so the
questions never change with the chunking; a chunking under which an answer span is cut in two is reported.
"""
import argparse, tempfile, time
from course_lib.core import print_table
from course_lib.rag import CHUNK_SIZE, Retriever, compare_retrievers, handbook_chunks, load_questions, relevant_ids
from course_lib.vectorstore import VectorStore, course_documents

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="400,600,800,1000", help="comma-separated chunk sizes (characters)")
    ap.add_argument("--headers", default="both", choices=["on", "off", "both"], help="start each chunk with its header path")
    args = ap.parse_args()
    docs, questions = course_documents(), load_questions()
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        for headers in {"on": [True], "off": [False], "both": [True, False]}[args.headers]:
            chunks = handbook_chunks(docs, size, headers)
            cut = [q.question for q in questions if not relevant_ids(chunks, q)]
            with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
                t0 = time.perf_counter()
                retriever = Retriever(chunks, VectorStore(tmp))
                t_ingest = time.perf_counter() - t0
                answerable = [q for q in questions if q.question not in cut]
                table, _ = compare_retrievers(retriever, answerable)
            for r in table:
                rows.append(dict(chunk_size=size, headers=headers, chunks=len(chunks), unanswerable=len(cut),
                                 method=r["method"], **{k: r[k] for k in ("recall@1", "recall@5", "recall@10", "MRR", "nDCG@10", "missed@5")},
                                 ingest_s=t_ingest))
            print_table(rows[-3:])
    print(f"\n{len(questions)} questions; the lesson uses CHUNK_SIZE={CHUNK_SIZE} with header paths")
    print_table(rows)
