# Plausible wrong answers to lab 09d. Each runs in the kernel that ran the solution (it sees its globals: math,
# normalize_answer, majority_vote, best_of_n, pass_at_k, ...) and must lose visible points of its exercise. `mistake`
# is injected by the grader.
from collections import Counter


# --- majority_vote ---------------------------------------------------------------------------------------------------
@mistake("majority_vote")
def no_normalization(answers):
    "Counts the answers as written: 'Paris.', 'paris' and 'the Paris' are three different answers."
    if not answers:
        raise ValueError("empty")
    return Counter(answers).most_common(1)[0][0]


@mistake("majority_vote")
def lower_and_strip_only(answers):
    "Normalizes with .strip().lower() only: punctuation and articles still split one answer into several."
    if not answers:
        raise ValueError("empty")
    keys = [a.strip().lower() for a in answers]
    best = Counter(keys).most_common(1)[0][0]
    return answers[keys.index(best)]


@mistake("majority_vote")
def returns_the_normalized_key(answers):
    "Returns the winning group's normalized key ('paris') instead of an answer as written ('Paris.')."
    if not answers:
        raise ValueError("empty")
    return Counter(normalize_answer(a) for a in answers).most_common(1)[0][0]


@mistake("majority_vote")
def most_frequent_spelling(answers):
    "Returns the winning group's most frequent spelling, not its first member."
    if not answers:
        raise ValueError("empty")
    best = Counter(normalize_answer(a) for a in answers).most_common(1)[0][0]
    return Counter(a for a in answers if normalize_answer(a) == best).most_common(1)[0][0]


@mistake("majority_vote")
def tie_to_the_later_group(answers):
    "Breaks ties with >=, so the group that appeared last among the tied ones wins."
    if not answers:
        raise ValueError("empty")
    counts, first = {}, {}
    for a in answers:
        key = normalize_answer(a)
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, a)
    best = None
    for key, count in counts.items():
        if best is None or count >= counts[best]:
            best = key
    return first[best]


@mistake("majority_vote")
def tie_alphabetical(answers):
    "Sorts the groups by key before taking the largest count: ties go to the alphabetically first answer."
    if not answers:
        raise ValueError("empty")
    counts = Counter(normalize_answer(a) for a in answers)
    best = max(sorted(counts), key=counts.get)
    return next(a for a in answers if normalize_answer(a) == best)


@mistake("majority_vote")
def empty_returns_none(answers):
    "Returns None for an empty list instead of raising a ValueError."
    if not answers:
        return None
    counts = Counter(normalize_answer(a) for a in answers)
    best = counts.most_common(1)[0][0]
    return next(a for a in answers if normalize_answer(a) == best)


# --- best_of_n -------------------------------------------------------------------------------------------------------
@mistake("best_of_n")
def lowest_score(answers, scores):
    "Picks the answer with the lowest score (reads the scores as losses)."
    if not answers or len(answers) != len(scores):
        raise ValueError("bad input")
    return answers[min(range(len(scores)), key=lambda i: scores[i])]


@mistake("best_of_n")
def last_of_the_ties(answers, scores):
    "Keeps the last of the tied top answers (>= in the loop)."
    if not answers or len(answers) != len(scores):
        raise ValueError("bad input")
    best = 0
    for i in range(1, len(scores)):
        if scores[i] >= scores[best]:
            best = i
    return answers[best]


@mistake("best_of_n")
def max_of_pairs(answers, scores):
    "max(zip(scores, answers)): a tie is broken by comparing the answers' text."
    if not answers or len(answers) != len(scores):
        raise ValueError("bad input")
    return max(zip(scores, answers))[1]


@mistake("best_of_n")
def largest_magnitude(answers, scores):
    "Picks the score largest in absolute value: -3 beats -1."
    if not answers or len(answers) != len(scores):
        raise ValueError("bad input")
    return answers[max(range(len(scores)), key=lambda i: abs(scores[i]))]


@mistake("best_of_n")
def zip_truncates(answers, scores):
    "Pairs answers and scores with zip and never checks the lengths."
    pairs = list(zip(answers, scores))
    if not pairs:
        raise ValueError("no answers")
    return max(pairs, key=lambda p: p[1])[0]


@mistake("best_of_n")
def returns_the_index(answers, scores):
    "Returns the index of the best answer instead of the answer."
    if not answers or len(answers) != len(scores):
        raise ValueError("bad input")
    return max(range(len(scores)), key=lambda i: scores[i])


# --- pass_at_k -------------------------------------------------------------------------------------------------------
def _checked(n, c, k):
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError("bad n, c or k")


@mistake("pass_at_k")
def fraction_correct(n, c, k):
    "Returns c / n, which is pass@1 whatever k is."
    _checked(n, c, k)
    return c / n


@mistake("pass_at_k")
def with_replacement(n, c, k):
    "1 - (1 - c/n)**k: draws with replacement, biased low."
    _checked(n, c, k)
    return 1 - (1 - c / n) ** k


@mistake("pass_at_k")
def float_factorials(n, c, k):
    "Binomials from factorials in floating point: OverflowError for large n."
    _checked(n, c, k)
    comb = lambda a, b: math.factorial(a) / (math.factorial(b) * math.factorial(a - b)) if b <= a else 0.0
    return 1 - comb(n - c, k) / comb(n, k)


@mistake("pass_at_k")
def product_off_by_one(n, c, k):
    "The product runs over i = n-c .. n-1 instead of n-c+1 .. n."
    _checked(n, c, k)
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1 - k / i for i in range(max(n - c, 1), n))


@mistake("pass_at_k")
def no_validation(n, c, k):
    "Never checks its arguments: c > n or k > n return a number instead of a ValueError."
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1 - k / i for i in range(n - c + 1, n + 1))
