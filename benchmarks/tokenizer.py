"""Tokenizer training benchmark: naive vs fast BPE (identical merges) and HF tokenizers, at vocab 1024.

    python benchmarks/tokenizer.py          # naive on a 100k-character slice (as in the lesson)
    python benchmarks/tokenizer.py --full   # naive on the whole corpus too (minutes)
"""
import sys
from course_lib.tokenizer import stdlib_corpus, tokenizer_benchmark, print_table

if __name__ == "__main__":
    corpus = stdlib_corpus()
    rows = tokenizer_benchmark(corpus, 1024, naive_chars=len(corpus) if "--full" in sys.argv else 100_000)
    print_table(rows)
