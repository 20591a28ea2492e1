# Plausible wrong answers to lab 09, each probed in place of its exercise (the solution's globals are in scope).
# `mistake` is injected by the grader. Each must lose visible points of its exercise.

@mistake("clipped_matches")
def not_clipped(hyp, refs, n):
    "Counts every hypothesis n-gram found in some reference, however often."
    found = set().union(*[ngram_counts(r, n) for r in refs]) if refs else set()
    counts = ngram_counts(hyp, n)
    return sum(c for g, c in counts.items() if g in found), sum(counts.values())

@mistake("clipped_matches")
def clipped_to_the_sum_of_references(hyp, refs, n):
    "Clips to the count over all references together, not the best single one."
    total = Counter()
    for r in refs: total += ngram_counts(r, n)
    counts = ngram_counts(hyp, n)
    return sum(min(c, total[g]) for g, c in counts.items()), sum(counts.values())

@mistake("clipped_matches")
def first_reference_only(hyp, refs, n):
    "Looks only at the first reference."
    best = ngram_counts(refs[0], n) if refs else Counter()
    counts = ngram_counts(hyp, n)
    return sum(min(c, best[g]) for g, c in counts.items()), sum(counts.values())

@mistake("clipped_matches")
def total_is_distinct_ngrams(hyp, refs, n):
    "Counts distinct hypothesis n-grams as the total."
    best = Counter()
    for r in refs: best |= ngram_counts(r, n)
    counts = ngram_counts(hyp, n)
    return sum(min(c, best[g]) for g, c in counts.items()), len(counts)

@mistake("brevity_penalty")
def ratio_inverted(hyp_len, ref_len):
    "exp(1 - hyp_len / ref_len)."
    if hyp_len >= ref_len: return 1.0
    return math.exp(1 - hyp_len / ref_len) if hyp_len > 0 else 0.0

@mistake("brevity_penalty")
def penalises_long_hypotheses(hyp_len, ref_len):
    "Applies the penalty whenever the lengths differ."
    if hyp_len == ref_len: return 1.0
    return math.exp(1 - ref_len / hyp_len) if hyp_len > 0 else 0.0

@mistake("brevity_penalty")
def no_penalty(hyp_len, ref_len):
    "Always 1 (except for no words)."
    return 1.0 if hyp_len > 0 else 0.0

def _bleu(hypotheses, references, smooth="exp", ref_pick="closest", geo="log", check=True):
    if check and len(hypotheses) != len(references): raise ValueError("lengths")
    if check and any(len(r) == 0 for r in references): raise ValueError("empty")
    matches, totals, hyp_len, ref_len = [0] * 4, [0] * 4, 0, 0
    for h, refs in zip(hypotheses, references):
        ht, rts = tokenize_13a(h), [tokenize_13a(r) for r in refs]
        for n in range(1, 5):
            m, t = clipped_matches(ht, rts, n)
            matches[n - 1] += m
            totals[n - 1] += t
        hyp_len += len(ht)
        lens = [len(r) for r in rts]
        ref_len += {"closest": lambda: closest_ref_length(len(ht), lens), "shortest": lambda: min(lens),
                    "first": lambda: lens[0]}[ref_pick]()
    if not any(matches) or not all(totals): return 0.0
    logs, k = [], 0
    for m, t in zip(matches, totals):
        if m == 0:
            k += 1
            logs.append(math.log(100 / ((2 ** k if smooth == "exp" else 2) * t)))
        else: logs.append(math.log(100 * m / t))
    if geo == "arith": return brevity_penalty(hyp_len, ref_len) * sum(math.exp(x) for x in logs) / 4
    return brevity_penalty(hyp_len, ref_len) * math.exp(sum(logs) / 4)

@mistake("bleu")
def shortest_reference_length(hypotheses, references):
    "Uses the shortest reference's length, not the closest one's."
    return _bleu(hypotheses, references, ref_pick="shortest")

@mistake("bleu")
def smoothing_not_exponential(hypotheses, references):
    "Every zero precision gets 1 / (2 total), not 1 / (2^k total)."
    return _bleu(hypotheses, references, smooth="flat")

@mistake("bleu")
def arithmetic_mean(hypotheses, references):
    "Averages the precisions instead of their logs."
    return _bleu(hypotheses, references, geo="arith")

@mistake("bleu")
def mean_of_sentence_bleus(hypotheses, references):
    "Averages sentence BLEUs instead of summing the counts over the corpus."
    if len(hypotheses) != len(references) or any(len(r) == 0 for r in references): raise ValueError("bad input")
    return sum(_bleu([h], [r]) for h, r in zip(hypotheses, references)) / len(hypotheses)

@mistake("bleu")
def no_validation_bleu(hypotheses, references):
    "zip silently drops hypotheses without references."
    return _bleu(hypotheses, references, check=False)

@mistake("lcs_length")
def longest_common_substring(a, b):
    "The longest common contiguous run, not subsequence."
    best, prev = 0, [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            if x == y:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best

@mistake("lcs_length")
def common_items(a, b):
    "Counts the items of a that occur anywhere in b."
    return sum(1 for x in a if x in b)

@mistake("lcs_length")
def greedy_match(a, b):
    "Matches greedily left to right."
    j, n = 0, 0
    for x in a:
        k = j
        while k < len(b) and b[k] != x: k += 1
        if k < len(b):
            n += 1
            j = k + 1
    return n

def _rouge(hypothesis, reference, clip=True, lcs=None, tokens=None, check=True):
    if check and (not isinstance(hypothesis, str) or not isinstance(reference, str)): raise ValueError("strings")
    tk = tokens or rouge_tokenize
    h, r = tk(hypothesis), tk(reference)
    def fm(o, nh, nr):
        p, rc = o / max(nh, 1), o / max(nr, 1)
        return 2 * p * rc / (p + rc) if p + rc > 0 else 0.0
    out = {}
    for n in (1, 2):
        hc, rc = ngram_counts(h, n), ngram_counts(r, n)
        o = sum((hc & rc).values()) if clip else sum(c for g, c in hc.items() if g in rc)
        out[f"rouge{n}"] = fm(o, sum(hc.values()), sum(rc.values()))
    out["rougeL"] = fm((lcs or lcs_length)(h, r), len(h), len(r))
    return out

@mistake("rouge")
def overlap_not_clipped(hypothesis, reference):
    "Counts repeated hypothesis n-grams as often as they occur in the hypothesis."
    return _rouge(hypothesis, reference, clip=False)

@mistake("rouge")
def whitespace_tokens(hypothesis, reference):
    "Splits on whitespace without lower-casing or removing punctuation."
    return _rouge(hypothesis, reference, tokens=str.split)

@mistake("rouge")
def rouge_l_on_characters(hypothesis, reference):
    "Computes ROUGE-L's LCS over characters."
    out = _rouge(hypothesis, reference)
    h, r = " ".join(rouge_tokenize(hypothesis)), " ".join(rouge_tokenize(reference))
    p, rc = lcs_length(h, r) / max(len(h), 1), lcs_length(h, r) / max(len(r), 1)
    out["rougeL"] = 2 * p * rc / (p + rc) if p + rc > 0 else 0.0
    return out

@mistake("rouge")
def no_validation_rouge(hypothesis, reference):
    "Accepts lists (and scores their string forms)."
    return _rouge(str(hypothesis), str(reference), check=False)

@mistake("normalize_answer")
def articles_removed_inside_words(text):
    "Removes 'the' and 'a' inside words too ('theatre' -> 'atre')."
    text = "".join(ch for ch in text.lower() if ch not in string.punctuation)
    return " ".join(re.sub(r"(a|an|the)", " ", text).split())

@mistake("normalize_answer")
def punctuation_to_space(text):
    "Replaces punctuation with a space ('Eiffel-Tower' -> 'eiffel tower')."
    text = "".join(" " if ch in string.punctuation else ch for ch in text.lower())
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text).split())

@mistake("normalize_answer")
def case_kept(text):
    "Does not lower-case (and so keeps 'The')."
    text = "".join(ch for ch in text if ch not in string.punctuation)
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text).split())

@mistake("normalize_answer")
def whitespace_not_collapsed(text):
    "Leaves double and outer spaces."
    text = "".join(ch for ch in text.lower() if ch not in string.punctuation)
    return re.sub(r"\b(a|an|the)\b", "", text)

@mistake("exact_match")
def not_normalised(prediction, reference):
    "Compares the raw strings."
    golds = [reference] if isinstance(reference, str) else list(reference)
    if not golds: raise ValueError("empty")
    return max(float(prediction == g) for g in golds)

@mistake("exact_match")
def first_reference_only_em(prediction, reference):
    "Looks only at the first gold answer."
    golds = [reference] if isinstance(reference, str) else list(reference)
    if not golds: raise ValueError("empty")
    return float(normalize_answer(prediction) == normalize_answer(golds[0]))

@mistake("exact_match")
def substring_match(prediction, reference):
    "Counts a gold answer contained in the prediction."
    golds = [reference] if isinstance(reference, str) else list(reference)
    if not golds: raise ValueError("empty")
    return max(float(normalize_answer(g) in normalize_answer(prediction)) for g in golds)

@mistake("exact_match")
def no_validation_em(prediction, reference):
    "An empty list of gold answers scores 0 instead of failing."
    golds = [reference] if isinstance(reference, str) else list(reference)
    return max([float(normalize_answer(prediction) == normalize_answer(g)) for g in golds] + [0.0])

def _f1(prediction, reference, bag=True, empty_rule=True):
    golds = [reference] if isinstance(reference, str) else list(reference)
    if not golds: raise ValueError("empty")
    def one(p, g):
        if empty_rule and (not p or not g): return float(p == g)
        o = sum((Counter(p) & Counter(g)).values()) if bag else len(set(p) & set(g))
        if o == 0: return 0.0
        pr, rc = o / len(p), o / len(g)
        return 2 * pr * rc / (pr + rc)
    return max(one(normalize_answer(prediction).split(), normalize_answer(g).split()) for g in golds)

@mistake("f1")
def set_overlap(prediction, reference):
    "Overlap of word sets: repeated words count once."
    return _f1(prediction, reference, bag=False)

@mistake("f1")
def empty_answers_score_zero(prediction, reference):
    "Two empty answers score 0 (SQuAD 2.0 scores them 1)."
    return _f1(prediction, reference, empty_rule=False) if normalize_answer(prediction) else 0.0

@mistake("f1")
def mean_over_references(prediction, reference):
    "Averages over the gold answers instead of taking the best."
    golds = [reference] if isinstance(reference, str) else list(reference)
    if not golds: raise ValueError("empty")
    return sum(_f1(prediction, g) for g in golds) / len(golds)

@mistake("f1")
def precision_only(prediction, reference):
    "Returns the precision, not the F-measure."
    golds = [reference] if isinstance(reference, str) else list(reference)
    if not golds: raise ValueError("empty")
    def one(p, g):
        if not p or not g: return float(p == g)
        return sum((Counter(p) & Counter(g)).values()) / len(p)
    return max(one(normalize_answer(prediction).split(), normalize_answer(g).split()) for g in golds)

def _choice(model, tokenizer, context, choices, eos=True, shift=1, log=True, count="tokens"):
    pairs = [split_continuation(tokenizer, context, c) for c in choices]
    start = [tokenizer.eos_token_id] if eos else []
    seqs = [start + ctx + cont for ctx, cont in pairs]
    longest = max(len(s) for s in seqs)
    ids = torch.tensor([s + [tokenizer.eos_token_id] * (longest - len(s)) for s in seqs])
    with torch.no_grad():
        logits = model(input_ids=ids).logits.double()
    scores = logits.log_softmax(-1) if log else logits.softmax(-1)
    out = []
    for row, (ctx, cont) in enumerate(pairs):
        first = len(start) + len(ctx)
        total = sum(scores[row, first + j - shift, t].item() for j, t in enumerate(cont))
        out.append((total, len(cont) if count == "tokens" else len(choices[row])))
    return out

@mistake("choice_logprobs")
def no_end_of_text_first(model, tokenizer, context, choices):
    "Starts the sequence at the context, without the end-of-text token the model saw before every document."
    return _choice(model, tokenizer, context, choices, eos=False)

@mistake("choice_logprobs")
def logits_not_shifted(model, tokenizer, context, choices):
    "Reads each token's log-probability from the logits at its own position."
    return _choice(model, tokenizer, context, choices, shift=0)

@mistake("choice_logprobs")
def probabilities_not_logs(model, tokenizer, context, choices):
    "Adds up probabilities instead of log-probabilities."
    return _choice(model, tokenizer, context, choices, log=False)

@mistake("choice_logprobs")
def characters_not_tokens(model, tokenizer, context, choices):
    "Reports the choice's number of characters instead of tokens."
    return _choice(model, tokenizer, context, choices, count="chars")

def _mc(model, tokenizer, questions, norm="tokens", chance="mean", pick=max):
    if not questions: raise ValueError("no questions")
    right_sum = right_mean = 0
    for q in questions:
        s = choice_logprobs(model, tokenizer, q["context"], q["choices"])
        by_sum = pick(range(len(s)), key=lambda i: s[i][0])
        den = {"tokens": lambda i: s[i][1], "chars": lambda i: len(q["choices"][i]), "none": lambda i: 1}[norm]
        by_mean = pick(range(len(s)), key=lambda i: s[i][0] / den(i))
        right_sum += by_sum == q["answer"]
        right_mean += by_mean == q["answer"]
    n = len(questions)
    mean_k = sum(len(q["choices"]) for q in questions) / n
    ch = sum(1 / len(q["choices"]) for q in questions) / n if chance == "mean" else 1 / mean_k
    return {"acc": right_sum / n, "acc_norm": right_mean / n, "chance": ch}

@mistake("multiple_choice_accuracy")
def norm_by_characters(model, tokenizer, questions):
    "Normalises by characters, not tokens."
    return _mc(model, tokenizer, questions, norm="chars")

@mistake("multiple_choice_accuracy")
def chance_of_the_mean_k(model, tokenizer, questions):
    "Chance as 1 / (mean k) instead of the mean of 1/k."
    return _mc(model, tokenizer, questions, chance="k")

@mistake("multiple_choice_accuracy")
def lowest_score_wins(model, tokenizer, questions):
    "Picks the least likely choice."
    return _mc(model, tokenizer, questions, pick=min)

@mistake("multiple_choice_accuracy")
def acc_norm_not_normalised(model, tokenizer, questions):
    "acc_norm is the summed score again."
    return _mc(model, tokenizer, questions, norm="none")
