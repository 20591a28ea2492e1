# Plausible wrong answers to lab 13. Each runs in the kernel that ran the solution (it sees its globals: math, np,
# Counter, words, BM25, reciprocal_rank_fusion, ...) and must lose visible points of its exercise.
# `mistake` is injected by the grader.

# --- recall_at_k -------------------------------------------------------------------------------------------------
@mistake("recall_at_k")
def divides_by_k(ranked, relevant, k):
    "Precision@k instead of recall@k: divides the hits by k."
    if k < 1: raise ValueError("k must be >= 1")
    rel = set(relevant)
    if not rel: raise ValueError("no relevant ids")
    return len(rel & set(ranked[:k])) / k

@mistake("recall_at_k")
def k_off_by_one(ranked, relevant, k):
    "Looks at the first k + 1 ids."
    if k < 1: raise ValueError("k must be >= 1")
    rel = set(relevant)
    if not rel: raise ValueError("no relevant ids")
    return len(rel & set(ranked[:k + 1])) / len(rel)

@mistake("recall_at_k")
def repeats_counted(ranked, relevant, k):
    "Divides by the length of the relevant list, repeats included."
    if k < 1: raise ValueError("k must be >= 1")
    if not relevant: raise ValueError("no relevant ids")
    return len(set(relevant) & set(ranked[:k])) / len(relevant)

@mistake("recall_at_k")
def recall_no_validation(ranked, relevant, k):
    "Neither k nor an empty relevant set is checked."
    rel = set(relevant)
    return len(rel & set(ranked[:k])) / max(len(rel), 1)

# --- mrr ---------------------------------------------------------------------------------------------------------
def _mrr(rankings, relevant, pick=min, offset=0, only_found=False, validate=True):
    if validate and (not rankings or len(rankings) != len(relevant)): raise ValueError("one set per ranking")
    rr = []
    for ranked, rel in zip(rankings, relevant):
        ranks = [r for r, i in enumerate(ranked, 1) if i in set(rel)]
        if ranks or not only_found: rr.append(1 / (pick(ranks) + offset) if ranks else 0.0)
    return sum(rr) / max(len(rr), 1)

@mistake("mrr")
def last_relevant_counts(rankings, relevant):
    "Takes the rank of the last relevant id, not the first."
    return _mrr(rankings, relevant, pick=max)

@mistake("mrr")
def mrr_rank_from_zero(rankings, relevant):
    "Counts ranks from 0, so the first place scores 1/1 only by accident of an extra +1."
    return _mrr(rankings, relevant, offset=1)

@mistake("mrr")
def mean_over_found_only(rankings, relevant):
    "Averages only over the questions that found something."
    return _mrr(rankings, relevant, only_found=True)

@mistake("mrr")
def mrr_no_validation(rankings, relevant):
    "zip() silently drops the questions without a set; no questions gives 0."
    return _mrr(rankings, relevant, validate=False)

# --- dcg_at_k ----------------------------------------------------------------------------------------------------
def _dcg(ranked, gains, k, log=math.log2, offset=1, gain=lambda g: g, validate=True, first_free=False):
    if validate and k < 1: raise ValueError("k must be >= 1")
    total = 0.0
    for r, i in enumerate(ranked[:k], 1):
        g = gain(gains.get(i, 0.0))
        total += g if first_free and r == 1 else g / log(r + offset)
    return total

@mistake("dcg_at_k")
def natural_log(ranked, gains, k):
    "Discounts with the natural logarithm instead of log2."
    return _dcg(ranked, gains, k, log=math.log)

@mistake("dcg_at_k")
def log10_discount(ranked, gains, k):
    "Discounts with log10."
    return _dcg(ranked, gains, k, log=math.log10)

@mistake("dcg_at_k")
def dcg_rank_offset(ranked, gains, k):
    "Discounts by log2(rank + 2): the ranks are shifted by one."
    return _dcg(ranked, gains, k, offset=2)

@mistake("dcg_at_k")
def log_of_rank(ranked, gains, k):
    "The old form: rank 1 undiscounted, then log2(rank) instead of log2(rank + 1)."
    return _dcg(ranked, gains, k, offset=0, first_free=True)

@mistake("dcg_at_k")
def dcg_exponential_gain(ranked, gains, k):
    "Uses 2**gain - 1 as the gain."
    return _dcg(ranked, gains, k, gain=lambda g: 2 ** g - 1)

@mistake("dcg_at_k")
def dcg_no_validation(ranked, gains, k):
    "k = 0 gives 0 instead of an error."
    return _dcg(ranked, gains, k, validate=False)

# --- ndcg_at_k ---------------------------------------------------------------------------------------------------
def _ndcg(ranked, relevant, k, ideal_from="labels", cut=True, offset=1, validate=True, gain=lambda g: g):
    if validate and k < 1: raise ValueError("k must be >= 1")
    gains = dict(relevant) if isinstance(relevant, dict) else {i: 1.0 for i in relevant}
    pool = [gains.get(i, 0.0) for i in ranked] if ideal_from == "ranking" else list(gains.values())
    ideal = sorted((g for g in pool if g > 0), reverse=True)
    if not ideal:
        if validate: raise ValueError("no relevant ids")
        return 0.0
    ideal = ideal[:k] if cut else ideal
    disc = lambda r: math.log2(r + offset)
    dcg = sum(gain(gains.get(i, 0.0)) / disc(r) for r, i in enumerate(ranked[:k], 1))
    return dcg / sum(gain(g) / disc(r) for r, g in enumerate(ideal, 1))

@mistake("ndcg_at_k")
def ideal_from_ranking(ranked, relevant, k=10):
    "Builds the ideal from the gains the ranking retrieved, not from all the labels."
    return _ndcg(ranked, relevant, k, ideal_from="ranking")

@mistake("ndcg_at_k")
def ideal_not_cut_to_k(ranked, relevant, k=10):
    "Sums the ideal DCG over every relevant id, not only the first k."
    return _ndcg(ranked, relevant, k, cut=False)

@mistake("ndcg_at_k")
def ndcg_rank_offset(ranked, relevant, k=10):
    "Discounts by log2(rank + 2) in both DCGs."
    return _ndcg(ranked, relevant, k, offset=2)

@mistake("ndcg_at_k")
def ndcg_exponential_gain(ranked, relevant, k=10):
    "Uses 2**gain - 1 (binary gains agree, graded ones do not)."
    return _ndcg(ranked, relevant, k, gain=lambda g: 2 ** g - 1)

@mistake("ndcg_at_k")
def ndcg_no_validation(ranked, relevant, k=10):
    "An empty label set gives 0 instead of an error."
    return _ndcg(ranked, relevant, k, validate=False)

# --- BM25 --------------------------------------------------------------------------------------------------------
class _BM25Variant:
    "BM25 with one thing changed (set by the subclasses)."
    classic_idf = no_length_norm = k1_plus_one = unique_query = binary_tf = no_validation = False

    def __init__(self, docs, k1=1.5, b=0.75):
        if not docs and not self.no_validation: raise ValueError("BM25 needs at least one document")
        self.n = len(docs)
        self.tf = [Counter(set(d) if self.binary_tf else d) for d in docs]
        avgdl = max(sum(len(d) for d in docs) / max(self.n, 1), 1e-9)
        b = 0.0 if self.no_length_norm else b
        self.k1, self.norm = k1, [k1 * (1 - b + b * len(d) / avgdl) for d in docs]
        df = Counter(t for counts in self.tf for t in counts)
        idf = (lambda n: math.log((self.n - n + 0.5) / (n + 0.5))) if self.classic_idf else \
              (lambda n: math.log(1 + (self.n - n + 0.5) / (n + 0.5)))
        self.idf = {t: idf(n) for t, n in df.items()}

    def scores(self, query):
        out = np.zeros(self.n)
        for t in (dict.fromkeys(query) if self.unique_query else query):
            for i, counts in enumerate(self.tf):
                tf = counts.get(t, 0)
                scale = self.k1 + 1 if self.k1_plus_one else 1
                if t in self.idf: out[i] += self.idf[t] * tf * scale / (tf + self.norm[i])
        return out

@mistake("BM25")
class classic_idf(_BM25Variant):
    "The textbook idf without '1 +': negative for terms in most documents."
    classic_idf = True

@mistake("BM25")
class no_length_normalization(_BM25Variant):
    "Ignores b: long documents are not discounted."
    no_length_norm = True

@mistake("BM25")
class k1_plus_one_factor(_BM25Variant):
    "Multiplies by k1 + 1 (the classic form): same ranking, other scores."
    k1_plus_one = True

@mistake("BM25")
class repeated_query_terms_once(_BM25Variant):
    "Counts a term repeated in the query only once."
    unique_query = True

@mistake("BM25")
class binary_tf(_BM25Variant):
    "Counts whether a document has a term, not how often."
    binary_tf = True

@mistake("BM25")
class bm25_no_validation(_BM25Variant):
    "Accepts an empty corpus."
    no_validation = True

# --- reciprocal_rank_fusion --------------------------------------------------------------------------------------
def _rrf(rankings, k=60, start=1, combine=lambda a, b: a + b, ties="first", validate=True):
    if validate and k < 0: raise ValueError("k must be >= 0")
    scores = {}
    for ranking in rankings:
        for rank, i in enumerate(ranking, start):
            s = 1 / (k + rank) if k + rank else 1.0
            scores[i] = combine(scores[i], s) if i in scores else s
    order = {i: n for n, i in enumerate(scores)}
    if ties == "id": return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    if ties == "last": return sorted(scores.items(), key=lambda kv: (kv[1], order[kv[0]]), reverse=True)
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))

@mistake("reciprocal_rank_fusion")
def rrf_rank_from_zero(rankings, k=60):
    "Counts ranks from 0."
    return _rrf(rankings, k, start=0)

@mistake("reciprocal_rank_fusion")
def max_not_sum(rankings, k=60):
    "Keeps an id's best reciprocal rank instead of the sum."
    return _rrf(rankings, k, combine=max)

@mistake("reciprocal_rank_fusion")
def ties_by_id(rankings, k=60):
    "Breaks ties by the ids' sort order instead of first appearance."
    return _rrf(rankings, k, ties="id")

@mistake("reciprocal_rank_fusion")
def ties_reversed(rankings, k=60):
    "Sorts (score, first seen) in reverse: ties come out last-seen first."
    return _rrf(rankings, k, ties="last")

@mistake("reciprocal_rank_fusion")
def rrf_no_validation(rankings, k=60):
    "Accepts a negative k."
    return _rrf(rankings, k, validate=False)

# --- HybridRetriever ---------------------------------------------------------------------------------------------
class _HybridVariant:
    "The hybrid retriever with one thing changed (set by the subclasses)."
    fuse_k = bm25_first = ascending = raw_sum = no_validation = False

    def __init__(self, texts, vectors, embed_query, depth=20, k_rrf=60):
        self.vectors, self.embed_query, self.depth, self.k_rrf = np.asarray(vectors, float), embed_query, depth, k_rrf
        self.index = BM25([words(t) for t in texts])

    def _top(self, s, n):
        order = np.argsort(s, kind="stable") if self.ascending else np.argsort(-s, kind="stable")
        return [int(i) for i in order[:n]]

    def search(self, question, k=5, method="hybrid"):
        if not self.no_validation:
            if method not in ("dense", "bm25", "hybrid"): raise ValueError(f"unknown method {method!r}")
            if not question.strip(): raise ValueError("the question is empty")
        bm = self.index.scores(words(question))
        if method == "bm25": return self._top(bm, k)
        dense = self.vectors @ np.asarray(self.embed_query(question), float)
        if method == "dense": return self._top(dense, k)
        if self.raw_sum: return self._top(dense + bm, k)
        n = k if self.fuse_k else self.depth
        lists = [self._top(bm, n), self._top(dense, n)] if self.bm25_first else [self._top(dense, n), self._top(bm, n)]
        return [i for i, _ in reciprocal_rank_fusion(lists, self.k_rrf)[:k]]

@mistake("HybridRetriever")
class fuses_top_k_not_depth(_HybridVariant):
    "Fuses only the top k of each list instead of the top depth."
    fuse_k = True

@mistake("HybridRetriever")
class bm25_list_first(_HybridVariant):
    "Passes the BM25 list first to RRF, so ties go the other way."
    bm25_first = True

@mistake("HybridRetriever")
class ranks_ascending(_HybridVariant):
    "Sorts scores ascending: the worst texts first."
    ascending = True

@mistake("HybridRetriever")
class sums_raw_scores(_HybridVariant):
    "Adds the cosine and the BM25 score instead of fusing ranks."
    raw_sum = True

@mistake("HybridRetriever")
class hybrid_no_validation(_HybridVariant):
    "Searches with any method name and an empty question."
    no_validation = True
