"""Vector store benchmark: Chroma (HNSW) vs numpy brute-force top-5 latency at 5,000 vectors, and the query embedding.

    python benchmarks/vectorstore.py            # 5,000 vectors built from the course's own chunks (as in lesson 12)
    python benchmarks/vectorstore.py --n 50000  # a bigger collection

The 5,000 vectors are noisy copies of the real MiniLM embeddings of up to 300 course chunks (embedding 5,000 texts
on a small CPU takes minutes); the queries are real questions, embedded once.
"""
import argparse, tempfile
from course_lib.documents import split_documents
from course_lib.tokenizer import print_table
from course_lib.vectorstore import course_documents, embed, latency_benchmark

QUESTIONS = ["What is a vector store?", "How are chunks split by headers?", "Which tokenizer does the course train?",
             "How is a lab graded?", "What does the attention mask do?", "How is the model pretrained?"]

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000, help="vectors in the benchmark collection")
    args = ap.parse_args()
    chunks = split_documents(course_documents(), how="markdown", chunk_size=600)[:300]
    base = embed([c.text for c in chunks])
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        rows = latency_benchmark(tmp, base, embed(QUESTIONS * 5), n=args.n, query_texts=QUESTIONS * 2)
    print(f"{len(chunks)} real chunk embeddings -> {args.n} noisy copies")
    print_table(rows)
