"""Plausible wrong answers to lab 17, several per exercise: `scripts/try_mistakes.py labs/17_responsible_ai` proves each
loses visible points. Runs in the kernel that ran the solution (re, np and the solution's functions)."""

@mistake("luhn_valid")
def doubles_from_the_left(number):
    "Doubles every second digit counted from the left (right only for an even number of digits)."
    if any(not (c.isdigit() or c in " -") for c in number):
        return False
    digits = [int(c) for c in number if c.isdigit()]
    if not digits:
        return False
    total = sum(sum(divmod(d * 2, 10)) if i % 2 == 1 else d for i, d in enumerate(digits))
    return total % 10 == 0

@mistake("luhn_valid")
def double_not_reduced(number):
    "Adds the doubled digit as it is (18 instead of 1 + 8)."
    if any(not (c.isdigit() or c in " -") for c in number):
        return False
    digits = [int(c) for c in number if c.isdigit()]
    if not digits:
        return False
    total = sum(d * 2 if i % 2 == 1 else d for i, d in enumerate(reversed(digits)))
    return total % 10 == 0

@mistake("luhn_valid")
def letters_ignored(number):
    "Drops every non-digit, so a number with a letter inside can still pass."
    digits = [int(c) for c in number if c.isdigit()]
    if not digits:
        return False
    total = sum(sum(divmod(d * 2, 10)) if i % 2 == 1 else d for i, d in enumerate(reversed(digits)))
    return total % 10 == 0

@mistake("luhn_valid")
def empty_is_valid(number):
    "An empty number sums to 0, a multiple of 10: valid."
    if any(not (c.isdigit() or c in " -") for c in number):
        return False
    digits = [int(c) for c in number if c.isdigit()]
    total = sum(sum(divmod(d * 2, 10)) if i % 2 == 1 else d for i, d in enumerate(reversed(digits)))
    return total % 10 == 0

_NAIVE = {"EMAIL": r"\S+@\S+", "PHONE": r"\+?\(?\d[\d ().-]{6,}\d", "CARD": r"(?:\d[ -]?){12,18}\d",
          "IPV4": r"\d+\.\d+\.\d+\.\d+"}

def _replace(text, spans):
    out, last = [], 0
    for kind, s, e in sorted(spans, key=lambda c: c[1]):
        if s >= last:
            out += [text[last:s], f"[{kind}]"]
            last = e
    return "".join(out) + text[last:]

def _solution_spans(text):
    "The solution's spans, recovered from its output (so a mistake can change one kind only)."
    from course_lib.labs.lab17_responsible_ai import replaced_spans
    return replaced_spans(text, globals()["_solution_scrub"](text))

_solution_scrub = scrub_pii

@mistake("scrub_pii")
def naive_email_pattern(text):
    "Takes anything around an @ up to a space: the sentence's period and mailto: come along, @handles too."
    spans = [sp for sp in _solution_spans(text) if sp[0] != "EMAIL"]
    spans += [("EMAIL", m.start(), m.end()) for m in re.finditer(_NAIVE["EMAIL"], text)]
    kept = []
    for sp in sorted(spans, key=lambda c: c[1] - c[2]):
        if all(sp[2] <= k[1] or sp[1] >= k[2] for k in kept):
            kept.append(sp)
    return _replace(text, kept)

@mistake("scrub_pii")
def cards_without_luhn(text):
    "Calls any 13-19 digit number a card: order ids, timestamps and mistyped cards are scrubbed too."
    spans = [sp for sp in _solution_spans(text) if sp[0] != "CARD"]
    card = r"(?<![\w-])(?:\d{4}([ -]?)\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?|\d{4}([ -]?)\d{6}\2\d{5}|\d{13,19})(?![\w-])"
    spans += [("CARD", m.start(), m.end()) for m in re.finditer(card, text)]
    return _replace(text, spans)

@mistake("scrub_pii")
def octets_not_checked(text):
    "Accepts any four dotted numbers of 1-3 digits, 300.1.2.3 and 10.0.0.256 included."
    spans = [sp for sp in _solution_spans(text) if sp[0] != "IPV4"]
    ipv4 = r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)"
    spans += [("IPV4", m.start(), m.end()) for m in re.finditer(ipv4, text)]
    return _replace(text, spans)

@mistake("scrub_pii")
def ip_without_boundaries(text):
    "No boundaries around IPv4: pieces of longer dotted numbers and versions are scrubbed."
    spans = [sp for sp in _solution_spans(text) if sp[0] != "IPV4"]
    spans += [("IPV4", m.start(), m.end()) for m in re.finditer(r"(?:\d{1,3}\.){3}\d{1,3}", text)
              if all(int(o) <= 255 for o in m.group().split("."))]
    return _replace(text, spans)

@mistake("scrub_pii")
def phone_digits_not_counted(text):
    "Any digit groups joined by separators are a phone: dates, ISBNs and page ranges are scrubbed."
    spans = [sp for sp in _solution_spans(text) if sp[0] != "PHONE"]
    phone = r"(?<![\w+/.-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]\d{2,8}){1,4}(?![\w/-]|\.\d)"
    spans += [("PHONE", m.start(), m.end()) for m in re.finditer(phone, text)]
    kept = []
    for sp in sorted(spans, key=lambda c: c[1] - c[2]):
        if all(sp[2] <= k[1] or sp[1] >= k[2] for k in kept):
            kept.append(sp)
    return _replace(text, kept)

@mistake("scrub_pii")
def phone_without_country_code(text):
    "Leaves the +country code and the (area) code outside the match."
    spans = [sp for sp in _solution_spans(text) if sp[0] != "PHONE"]
    phone = r"(?<![\w/.-])\d{2,4}(?:[ .-]\d{2,8}){1,4}(?![\w/-]|\.\d)"
    spans += [("PHONE", m.start(), m.end()) for m in re.finditer(phone, text)
              if 7 <= sum(c.isdigit() for c in m.group()) <= 11]
    kept = []
    for sp in sorted(spans, key=lambda c: c[1] - c[2]):
        if all(sp[2] <= k[1] or sp[1] >= k[2] for k in kept):
            kept.append(sp)
    return _replace(text, kept)

@mistake("scrub_pii")
def lower_case_placeholders(text):
    "Writes [email] instead of [EMAIL]: the placeholder no longer names the kind."
    return re.sub(r"\[([A-Z0-9]+)\]", lambda m: f"[{m[1].lower()}]", _solution_scrub(text))

@mistake("demographic_parity_difference")
def ratio_not_difference(y_pred, group):
    "Returns the smallest over the largest selection rate (the four-fifths ratio)."
    if len(y_pred) != len(group) or not len(y_pred):
        raise ValueError("lengths")
    rates = [sum(p for p, h in zip(y_pred, group) if h == g) / group.count(g) for g in set(group)]
    return min(rates) / max(rates) if max(rates) else 1.0

@mistake("demographic_parity_difference")
def first_two_groups_signed(y_pred, group):
    "Subtracts the second group's rate from the first's: signed, and blind to a third group."
    if len(y_pred) != len(group) or not len(y_pred):
        raise ValueError("lengths")
    groups = list(dict.fromkeys(group))[:2]
    rates = [sum(p for p, h in zip(y_pred, group) if h == g) / group.count(g) for g in groups]
    return rates[0] - rates[-1]

@mistake("demographic_parity_difference")
def overall_minus_lowest(y_pred, group):
    "Compares the lowest group with the overall selection rate instead of the highest group."
    if len(y_pred) != len(group) or not len(y_pred):
        raise ValueError("lengths")
    rates = [sum(p for p, h in zip(y_pred, group) if h == g) / group.count(g) for g in set(group)]
    return sum(y_pred) / len(y_pred) - min(rates)

@mistake("demographic_parity_difference")
def no_length_check(y_pred, group):
    "zip silently drops the people without a group."
    rates = []
    for g in set(group):
        picks = [p for p, h in zip(y_pred, group) if h == g]
        rates.append(sum(picks) / len(picks))
    return float(max(rates) - min(rates))

def _rates(y_true, y_pred, group, tpr_of, fpr_of, acc_of=None, check=True):
    if not len(y_true) == len(y_pred) == len(group) or not len(y_true):
        raise ValueError("lengths")
    out = {}
    for g in sorted(set(group)):
        pairs = [(t, p) for t, p, h in zip(y_true, y_pred, group) if h == g]
        pos, neg = [p for t, p in pairs if t == 1], [p for t, p in pairs if t == 0]
        if check and (not pos or not neg):
            raise ValueError("one class")
        acc = acc_of(y_true, y_pred) if acc_of else sum(t == p for t, p in pairs) / len(pairs)
        out[g] = {"n": len(pairs), "selection": sum(p for _, p in pairs) / len(pairs), "tpr": tpr_of(pos, neg, pairs),
                  "fpr": fpr_of(pos, neg, pairs), "accuracy": acc}
    return out

@mistake("group_rates")
def tpr_fpr_swapped(y_true, y_pred, group):
    "Puts the false-positive rate under 'tpr' and the true-positive rate under 'fpr'."
    return _rates(y_true, y_pred, group, lambda pos, neg, pairs: sum(neg) / len(neg),
                  lambda pos, neg, pairs: sum(pos) / len(pos))

@mistake("group_rates")
def rates_over_group_size(y_true, y_pred, group):
    "Divides the true and false positives by the group's size instead of its positives and negatives."
    return _rates(y_true, y_pred, group, lambda pos, neg, pairs: sum(pos) / len(pairs),
                  lambda pos, neg, pairs: sum(neg) / len(pairs))

@mistake("group_rates")
def accuracy_over_everyone(y_true, y_pred, group):
    "Reports the overall accuracy in every group."
    return _rates(y_true, y_pred, group, lambda pos, neg, pairs: sum(pos) / len(pos),
                  lambda pos, neg, pairs: sum(neg) / len(neg),
                  acc_of=lambda t, p: sum(a == b for a, b in zip(t, p)) / len(t))

@mistake("group_rates")
def one_class_group_zero(y_true, y_pred, group):
    "Gives a group without negatives an FPR of 0 instead of refusing."
    return _rates(y_true, y_pred, group, lambda pos, neg, pairs: sum(pos) / len(pos) if pos else 0.0,
                  lambda pos, neg, pairs: sum(neg) / len(neg) if neg else 0.0, check=False)

@mistake("equalized_odds_difference")
def tpr_gap_only(y_true, y_pred, group):
    "Equal opportunity instead of equalized odds: only the TPR gap."
    rates = list(group_rates(y_true, y_pred, group).values())
    return float(max(r["tpr"] for r in rates) - min(r["tpr"] for r in rates))

@mistake("equalized_odds_difference")
def fpr_gap_only(y_true, y_pred, group):
    "Only the FPR gap."
    rates = list(group_rates(y_true, y_pred, group).values())
    return float(max(r["fpr"] for r in rates) - min(r["fpr"] for r in rates))

@mistake("equalized_odds_difference")
def mean_of_gaps(y_true, y_pred, group):
    "Averages the two gaps instead of taking the larger."
    rates = list(group_rates(y_true, y_pred, group).values())
    gaps = [max(r[k] for r in rates) - min(r[k] for r in rates) for k in ("tpr", "fpr")]
    return float(sum(gaps) / 2)

@mistake("equalized_odds_difference")
def first_minus_last_group(y_true, y_pred, group):
    "Compares only the first and the last group, signed."
    rates = list(group_rates(y_true, y_pred, group).values())
    return float(max(rates[0][k] - rates[-1][k] for k in ("tpr", "fpr")))

def _thresholds(scores, y_true, group, target_tpr, pick, use_all=False, check=True):
    if not len(scores) == len(y_true) == len(group) or not len(scores):
        raise ValueError("lengths")
    if check and not 0 < target_tpr <= 1:
        raise ValueError("target_tpr out of range")
    out = {}
    for g in sorted(set(group)):
        pos = [s for s, y, h in zip(scores, y_true, group) if h == g and (y == 1 or use_all)]
        if not pos:
            raise ValueError("no positives")
        out[g] = float(pick(pos, target_tpr))
    return out

@mistake("equal_opportunity_thresholds")
def interpolated_quantile(scores, y_true, group, target_tpr):
    "Uses an interpolated quantile of the positives' scores, which falls between two scores."
    return _thresholds(scores, y_true, group, target_tpr, lambda pos, t: np.quantile(pos, 1 - t))

@mistake("equal_opportunity_thresholds")
def all_scores_not_positives(scores, y_true, group, target_tpr):
    "Counts everyone's scores, qualified or not: that equalises the selection rate, not the TPR."
    def pick(pos, t):
        return next(x for x in sorted(set(pos), reverse=True) if sum(s >= x for s in pos) / len(pos) >= t)
    return _thresholds(scores, y_true, group, target_tpr, pick, use_all=True)

@mistake("equal_opportunity_thresholds")
def lowest_threshold(scores, y_true, group, target_tpr):
    "Returns the lowest score of the positives: every threshold there reaches the target, but it selects the most."
    return _thresholds(scores, y_true, group, target_tpr, lambda pos, t: min(pos))

@mistake("equal_opportunity_thresholds")
def strictly_above(scores, y_true, group, target_tpr):
    "Counts a person as selected only when the score is strictly above the threshold."
    def pick(pos, t):
        return next((x for x in sorted(set(pos), reverse=True) if sum(s > x for s in pos) / len(pos) >= t), min(pos))
    return _thresholds(scores, y_true, group, target_tpr, pick)

@mistake("equal_opportunity_thresholds")
def no_target_check(scores, y_true, group, target_tpr):
    "Accepts a target of 0 (every threshold qualifies)."
    def pick(pos, t):
        return next(x for x in sorted(set(pos), reverse=True) if sum(s >= x for s in pos) / len(pos) >= t)
    return _thresholds(scores, y_true, group, target_tpr, pick, check=False)
