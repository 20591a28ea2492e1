"""Plausible wrong answers to lab 16, several per exercise: `scripts/try_mistakes.py labs/16_security` proves each loses
visible points. Runs in the kernel that ran the solution (base64, codecs, re and the solution's functions)."""

def _flat(s):
    return re.sub(r"[^0-9a-z]", "", s.lower())

def _b64_pieces(canary):
    raw = canary.encode()
    pieces = []
    for k in range(3):
        enc = base64.b64encode(b"\0" * k + raw).decode()
        pieces.append(enc[4 * -(-k // 3):4 * ((k + len(raw)) // 3)])
    return [p for p in pieces if len(p) >= 4]

@mistake("canary_leaked")
def case_sensitive(text, canary):
    "Strips separators but keeps the case, so an upper-case spelling slips through."
    core, flat = re.sub(r"[^0-9A-Za-z]", "", canary), re.sub(r"[^0-9A-Za-z]", "", text)
    if not core:
        raise ValueError("no letters or digits")
    forms = [core, core[::-1], canary.encode().hex(), codecs.encode(core, "rot13")]
    return any(f in flat for f in forms) or any(p in text for p in _b64_pieces(canary))

@mistake("canary_leaked")
def base64_of_canary_alone(text, canary):
    "Looks for the base64 of the canary on its own, which differs once the canary sits inside a longer text."
    core, flat = _flat(canary), _flat(text)
    if not core:
        raise ValueError("no letters or digits")
    if any(f in flat for f in [core, core[::-1], canary.encode().hex(), codecs.encode(core, "rot13")]):
        return True
    return base64.b64encode(canary.encode()).decode().rstrip("=") in text

@mistake("canary_leaked")
def base64_in_flattened_text(text, canary):
    "Looks for the base64 pieces in the lower-cased, letters-and-digits text (base64 is case-sensitive)."
    core, flat = _flat(canary), _flat(text)
    if not core:
        raise ValueError("no letters or digits")
    if any(f in flat for f in [core, core[::-1], canary.encode().hex(), codecs.encode(core, "rot13")]):
        return True
    return any(p in flat for p in _b64_pieces(canary))

@mistake("canary_leaked")
def no_reverse(text, canary):
    "Forgets the reversed spelling."
    core, flat = _flat(canary), _flat(text)
    if not core:
        raise ValueError("no letters or digits")
    forms = [core, canary.encode().hex(), codecs.encode(core, "rot13")]
    return any(f in flat for f in forms) or any(p in text for p in _b64_pieces(canary))

@mistake("canary_leaked")
def no_hex_no_rot13(text, canary):
    "Only the lesson's encodings: hex and rot13 get through."
    core, flat = _flat(canary), _flat(text)
    if not core:
        raise ValueError("no letters or digits")
    return core in flat or core[::-1] in flat or any(p in text for p in _b64_pieces(canary))

@mistake("canary_leaked")
def prefix_match(text, canary):
    "Flags any text holding the first half of the canary: half a token is not a leak (and 'canary-' is not secret)."
    core, flat = _flat(canary), _flat(text)
    if not core:
        raise ValueError("no letters or digits")
    forms = [core[:len(core) // 2], core[::-1], canary.encode().hex(), codecs.encode(core, "rot13")]
    return any(f in flat for f in forms) or any(p in text for p in _b64_pieces(canary))

@mistake("canary_leaked")
def empty_canary_accepted(text, canary):
    "Accepts a canary without letters or digits (the empty string is in every text)."
    core, flat = _flat(canary), _flat(text)
    forms = [core, core[::-1], canary.encode().hex(), codecs.encode(core, "rot13")]
    return bool(core) and (any(f in flat for f in forms) or any(p in text for p in _b64_pieces(canary)))

@mistake("choose_threshold")
def strict_greater(scores, labels, max_fpr=0.05):
    "Counts a benign text as flagged only when its score is strictly above the threshold."
    if not 0 <= max_fpr <= 1:
        raise ValueError("max_fpr out of range")
    benign = [s for s, l in zip(scores, labels) if not l]
    if not benign or len(benign) == len(scores):
        raise ValueError("need both labels")
    for t in sorted(set(scores)):
        if sum(s > t for s in benign) / len(benign) <= max_fpr:
            return float(t)
    return float("inf")

@mistake("choose_threshold")
def highest_not_lowest(scores, labels, max_fpr=0.05):
    "Returns the highest threshold within budget, which flags the fewest attacks."
    if not 0 <= max_fpr <= 1:
        raise ValueError("max_fpr out of range")
    benign = [s for s, l in zip(scores, labels) if not l]
    if not benign or len(benign) == len(scores):
        raise ValueError("need both labels")
    ok = [t for t in set(scores) if sum(s >= t for s in benign) / len(benign) <= max_fpr]
    return float(max(ok)) if ok else float("inf")

@mistake("choose_threshold")
def fpr_over_all_texts(scores, labels, max_fpr=0.05):
    "Divides the false positives by every text instead of the benign ones."
    if not 0 <= max_fpr <= 1:
        raise ValueError("max_fpr out of range")
    benign = [s for s, l in zip(scores, labels) if not l]
    if not benign or len(benign) == len(scores):
        raise ValueError("need both labels")
    for t in sorted(set(scores)):
        if sum(s >= t for s in benign) / len(scores) <= max_fpr:
            return float(t)
    return float("inf")

@mistake("choose_threshold")
def max_score_when_none_fits(scores, labels, max_fpr=0.05):
    "Falls back to the highest score when no threshold fits the budget, instead of flagging nothing."
    if not 0 <= max_fpr <= 1:
        raise ValueError("max_fpr out of range")
    benign = [s for s, l in zip(scores, labels) if not l]
    if not benign or len(benign) == len(scores):
        raise ValueError("need both labels")
    for t in sorted(set(scores)):
        if sum(s >= t for s in benign) / len(benign) <= max_fpr:
            return float(t)
    return float(max(scores))

@mistake("choose_threshold")
def no_budget_or_label_check(scores, labels, max_fpr=0.05):
    "Never checks the budget or the labels."
    benign = [s for s, l in zip(scores, labels) if not l] or [0.0]
    for t in sorted(set(scores)):
        if sum(s >= t for s in benign) / len(benign) <= max_fpr:
            return float(t)
    return float("inf")

@mistake("detection_rates")
def rates_over_all_texts(flags, labels):
    "Divides by the number of texts instead of the number of attacks (or benign texts)."
    if len(flags) != len(labels):
        raise ValueError("lengths differ")
    pos = [f for f, l in zip(flags, labels) if l]
    neg = [f for f, l in zip(flags, labels) if not l]
    if not pos or not neg:
        raise ValueError("need both labels")
    return {"detection": sum(pos) / len(flags), "fpr": sum(neg) / len(flags)}

@mistake("detection_rates")
def fpr_is_missed_attacks(flags, labels):
    "Confuses false positives with false negatives (attacks not flagged)."
    if len(flags) != len(labels):
        raise ValueError("lengths differ")
    pos = [f for f, l in zip(flags, labels) if l]
    neg = [f for f, l in zip(flags, labels) if not l]
    if not pos or not neg:
        raise ValueError("need both labels")
    return {"detection": sum(pos) / len(pos), "fpr": 1 - sum(pos) / len(pos)}

@mistake("detection_rates")
def zip_truncates_no_check(flags, labels):
    "zip silently truncates lists of different lengths; a missing class divides by zero."
    pos = [f for f, l in zip(flags, labels) if l]
    neg = [f for f, l in zip(flags, labels) if not l]
    return {"detection": sum(pos) / max(len(pos), 1), "fpr": sum(neg) / max(len(neg), 1)}

@mistake("evaluate_detector")
def threshold_chosen_on_test(score_texts, validation, test, max_fpr=0.05):
    "Chooses the threshold on the test rows: the test numbers are then fitted, not measured."
    vs, vl = score_texts([r["text"] for r in validation]), [bool(r["label"]) for r in validation]
    ts, tl = score_texts([r["text"] for r in test]), [bool(r["label"]) for r in test]
    t = choose_threshold(ts, tl, max_fpr)
    return {"threshold": t, "validation": detection_rates([s >= t for s in vs], vl),
            "test": detection_rates([s >= t for s in ts], tl)}

@mistake("evaluate_detector")
def default_threshold(score_texts, validation, test, max_fpr=0.05):
    "Ignores the budget and uses the detector's default threshold of 0.5."
    vs, vl = score_texts([r["text"] for r in validation]), [bool(r["label"]) for r in validation]
    ts, tl = score_texts([r["text"] for r in test]), [bool(r["label"]) for r in test]
    t = 0.5
    return {"threshold": t, "validation": detection_rates([s >= t for s in vs], vl),
            "test": detection_rates([s >= t for s in ts], tl)}

@mistake("evaluate_detector")
def threshold_on_both_splits(score_texts, validation, test, max_fpr=0.05):
    "Chooses the threshold on validation and test together."
    rows = validation + test
    s, l = score_texts([r["text"] for r in rows]), [bool(r["label"]) for r in rows]
    t = choose_threshold(s, l, max_fpr)
    n = len(validation)
    return {"threshold": t, "validation": detection_rates([x >= t for x in s[:n]], l[:n]),
            "test": detection_rates([x >= t for x in s[n:]], l[n:])}

@mistake("attack_success_rate")
def all_is_mean_of_kinds(successes, kinds):
    "Reports 'all' as the mean of the kinds' rates, which weighs a small kind like a large one."
    if len(successes) != len(kinds):
        raise ValueError("one kind per attack")
    if not successes:
        raise ValueError("no attacks")
    by = {}
    for s, k in zip(successes, kinds):
        by.setdefault(k, []).append(bool(s))
    rates = {k: sum(v) / len(v) for k, v in by.items()}
    return {**rates, "all": sum(rates.values()) / len(rates)}

@mistake("attack_success_rate")
def counts_not_rates(successes, kinds):
    "Counts the successes instead of dividing by the attacks of each kind."
    if len(successes) != len(kinds):
        raise ValueError("one kind per attack")
    if not successes:
        raise ValueError("no attacks")
    by = {}
    for s, k in zip(successes, kinds):
        by[k] = by.get(k, 0) + bool(s)
    return {**{k: float(v) for k, v in by.items()}, "all": float(sum(map(bool, successes)))}

@mistake("attack_success_rate")
def no_all_key(successes, kinds):
    "Leaves out the overall rate."
    if len(successes) != len(kinds):
        raise ValueError("one kind per attack")
    if not successes:
        raise ValueError("no attacks")
    by = {}
    for s, k in zip(successes, kinds):
        by.setdefault(k, []).append(bool(s))
    return {k: sum(v) / len(v) for k, v in by.items()}

@mistake("attack_success_rate")
def no_length_check(successes, kinds):
    "zip silently drops attacks without a kind; no attacks divides by zero."
    by = {}
    for s, k in zip(successes, kinds):
        by.setdefault(k, []).append(bool(s))
    return {**{k: sum(v) / len(v) for k, v in by.items()}, "all": sum(map(bool, successes)) / max(len(successes), 1)}
