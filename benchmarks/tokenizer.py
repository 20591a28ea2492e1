"""Tokenizer training benchmark: naive vs fast BPE (identical merges) and HF tokenizers, at vocab 1024.
Every time is the median of 5 runs (`core.median_time`), except the naive loop with --full (once: minutes).

    python benchmarks/tokenizer.py          # naive and fast race on a 100k-character slice; fast and HF on the corpus
    python benchmarks/tokenizer.py --full   # the race on the whole corpus too
"""
import sys
from course_lib.tokenizer import stdlib_corpus, tokenizer_benchmark, print_table

if __name__ == "__main__":
    corpus = stdlib_corpus()
    full = "--full" in sys.argv
    rows = tokenizer_benchmark(corpus, 1024, naive_chars=len(corpus) if full else 100_000,
                               naive_repeats=1 if full else None)
    print_table(rows)
