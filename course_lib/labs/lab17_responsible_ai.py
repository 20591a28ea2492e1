"""Checks of lab 17_responsible_ai (the lessons' modules: `course_lib.pii` and `course_lib.responsible`). Hand-written,
not exported: the library holds only what a practitioner imports.

The scrubber is the student's own design: it is graded by precision and recall on labelled texts (`scrub_scores`,
through `Check.harness`), never by matching the course's output string for string. Also here, because the lesson's
module lacks it: `lab_equal_opportunity_thresholds` (the highest per-group threshold that reaches a target TPR)."""
from __future__ import annotations
import math, re
from course_lib.pii import find_pii, label_spans, luhn_valid, pii_candidates, resolve_overlaps, scrub_pii
from course_lib.responsible import demographic_parity_difference, equalized_odds_difference, group_rates

KINDS = ("EMAIL", "PHONE", "CARD", "IPV4")

LAB_PII_DEV = [  # (text, [(kind, the exact substring), ...]): the labelled development set the student sees
    ("Write to jane.doe@example.com.", [("EMAIL", "jane.doe@example.com")]),
    ("(mail me: mailto:bob+news@mail.example.org)", [("EMAIL", "bob+news@mail.example.org")]),
    ("<a href='mailto:x.y@uni.edu'>x.y@uni.edu</a>", [("EMAIL", "x.y@uni.edu"), ("EMAIL", "x.y@uni.edu")]),
    ("cc: first_last@corp.co.uk, ops@acme.test", [("EMAIL", "first_last@corp.co.uk"), ("EMAIL", "ops@acme.test")]),
    ("Reply to SUPPORT@Example.COM!", [("EMAIL", "SUPPORT@Example.COM")]),
    ("follow @python_dev on social media", []),
    ("the decorator @property and user@localhost", []),
    ("Call +1 (555) 123-4567 after 5pm.", [("PHONE", "+1 (555) 123-4567")]),
    ("Office: 555.123.4567, mobile 555-987-6543", [("PHONE", "555.123.4567"), ("PHONE", "555-987-6543")]),
    ("UK number +44 20 7946 0958 or 020 7946 0958", [("PHONE", "+44 20 7946 0958"), ("PHONE", "020 7946 0958")]),
    ("tel:+49 30 1234567", [("PHONE", "+49 30 1234567")]),
    ("(555) 321 9876 is the front desk", [("PHONE", "(555) 321 9876")]),
    ("Call 555-123-4567 ext. 89 or email sales@shop.example",
     [("PHONE", "555-123-4567"), ("EMAIL", "sales@shop.example")]),
    ("Released on 2024-01-15, patched 15.01.2024 and 01/15/2024.", []),
    ("Meeting at 10:30:00 on 2023-11-05 in room 12-34.", []),
    ("ISBN 978-3-16-148410-0, pages 120-135", []),
    ("Pay with 4111 1111 1111 1111 please", [("CARD", "4111 1111 1111 1111")]),
    ("card 5500-0000-0000-0004, exp 12/27", [("CARD", "5500-0000-0000-0004")]),
    ("Amex 378282246310005 on file, also 3782 822463 10005",
     [("CARD", "378282246310005"), ("CARD", "3782 822463 10005")]),
    ("Visa 4012888888881881 and MasterCard 5555 5555 5555 4444", [("CARD", "4012888888881881"),
                                                                  ("CARD", "5555 5555 5555 4444")]),
    ("Discover 6011-1111-1111-1117.", [("CARD", "6011-1111-1111-1117")]),
    ("JCB 3530111333300000 expired", [("CARD", "3530111333300000")]),
    ("not a card: 4111 1111 1111 1112", []),
    ("order id 1234567812345678 shipped", []),
    ("timestamp 1700000000123 ms", []),
    ("Server at 192.168.0.1 responded", [("IPV4", "192.168.0.1")]),
    ("open http://10.0.0.25:8080/status now", [("IPV4", "10.0.0.25")]),
    ("DNS 8.8.8.8; gateway 172.16.254.1", [("IPV4", "8.8.8.8"), ("IPV4", "172.16.254.1")]),
    ("ping 0.0.0.0 and 255.255.255.255", [("IPV4", "0.0.0.0"), ("IPV4", "255.255.255.255")]),
    ("host 10.1.2.3 is up", [("IPV4", "10.1.2.3")]),
    ("bad address 300.1.2.3 and 10.0.0.256", []),
    ("a dotted id 1.2.3.4.5 is not an IP, nor is v2.0.1.7", []),
    ("Contact: Ana <ana@site.org>, +1 415 555 0100, card 6011 0009 9013 9424, from 203.0.113.9",
     [("EMAIL", "ana@site.org"), ("PHONE", "+1 415 555 0100"), ("CARD", "6011 0009 9013 9424"),
      ("IPV4", "203.0.113.9")]),
    ("Nothing personal here: the loss fell from 3.31 to 2.95 in 1500 steps.", []),
    ("pi is 3.14159 and the budget 1,234,567,890", []),
]

LAB_PII_HIDDEN = [  # new texts of the same kinds, for the instructor's grader only
    ("Send the slides to maria.lopez@univ.example.edu; thanks.", [("EMAIL", "maria.lopez@univ.example.edu")]),
    ("Questions? dev-team@lists.acme.test or @acme_support", [("EMAIL", "dev-team@lists.acme.test")]),
    ("Mail K.Ito@mail.co.jp, not k.ito@intranet", [("EMAIL", "K.Ito@mail.co.jp")]),
    ("Ring +33 1 42 68 53 00 or 212-555-0147 today", [("PHONE", "+33 1 42 68 53 00"), ("PHONE", "212-555-0147")]),
    ("Fax (020) 7946 0000, room 4-12, built 1999-2003", [("PHONE", "(020) 7946 0000")]),
    ("Deadline 2025-03-31 at 17:00; call 650.555.0199", [("PHONE", "650.555.0199")]),
    ("Card on file: 4000 0566 5566 5556, backup 4000056655665557", [("CARD", "4000 0566 5566 5556")]),
    ("Refund to 4222222222222 and 30569309025904", [("CARD", "4222222222222"), ("CARD", "30569309025904")]),
    ("Tracking 1234 5678 9012 3456 is not a card", []),
    ("Pay 5105-1051-0510-5100 now", [("CARD", "5105-1051-0510-5100")]),
    ("Proxy 100.64.0.1, DNS 1.1.1.1 and 9.9.9.9", [("IPV4", "100.64.0.1"), ("IPV4", "1.1.1.1"), ("IPV4", "9.9.9.9")]),
    ("GET http://192.0.2.44/admin from 198.51.100.7:443", [("IPV4", "192.0.2.44"), ("IPV4", "198.51.100.7")]),
    ("Octets 256.1.1.1, 1.2.3.999 and 4.3.2.1.0 are not addresses", []),
    ("Build 3.12.1 shipped 12.03.2024 with 2,048 tests", []),
]

class BelowBar(Exception):
    "A scrubber's precision or recall on a labelled set is below the bar (the message says by how much)."

_PLACEHOLDER = re.compile(r"\[([A-Z][A-Z0-9_]*)\]")

def replaced_spans(text:str, scrubbed:str) -> set[tuple[str, int, int]]:
    "The spans of `text` that `scrubbed` replaced by [KIND] placeholders: `('a b', '[X] b') -> {('X', 0, 1)}`."
    if not isinstance(scrubbed, str):
        raise TypeError(f"scrub_pii must return a str, got {type(scrubbed).__name__}")
    parts = _PLACEHOLDER.split(scrubbed)
    literals, kinds = parts[0::2], parts[1::2]
    pattern = re.escape(literals[0]) + "".join(f"(.+?){re.escape(lit)}" for lit in literals[1:])
    m = re.fullmatch(pattern, text, re.S)
    if m is None:
        raise BelowBar(f"the output is not the input with some spans replaced by [KIND] placeholders: {text!r} became "
                       f"{scrubbed!r}")
    return {(kind, m.start(i + 1), m.end(i + 1)) for i, kind in enumerate(kinds)}

def scrub_scores(scrub, cases:list=LAB_PII_DEV) -> list[dict]:
    "Precision and recall of a scrubber (text -> scrubbed text) per kind and over all, on labelled texts."
    tp, fp, fn = {}, {}, {}
    for text, labels in cases:
        gold, got = label_spans(text, labels), replaced_spans(text, scrub(text))
        for counts, spans in ((tp, gold & got), (fp, got - gold), (fn, gold - got)):
            for kind, *_ in spans: counts[kind] = counts.get(kind, 0) + 1
    rows = []
    for kind in (*KINDS, "all"):
        t, p, n = [sum(d.values()) if kind == "all" else d.get(kind, 0) for d in (tp, fp, fn)]
        rows.append(dict(kind=kind, tp=t, fp=p, fn=n, precision=t / (t + p) if t + p else None,
                         recall=t / (t + n) if t + n else None))
    return rows

def scrub_harness(scrub, split:str="dev", kind:str="all", bar:float=0.9) -> str:
    "Whether a scrubber reaches precision and recall >= bar for one kind of PII on a labelled set (BelowBar if not)."
    cases = {"dev": LAB_PII_DEV, "hidden": LAB_PII_HIDDEN}[split]
    row = next(r for r in scrub_scores(scrub, cases) if r["kind"] == kind)
    p, r = row["precision"] or 0.0, row["recall"] or 0.0
    if p < bar or r < bar:
        raise BelowBar(f"{kind}: precision {p:.2f} ({row['tp']} right of {row['tp'] + row['fp']} replaced), recall "
                       f"{r:.2f} ({row['tp']} of {row['tp'] + row['fn']} labelled); both must reach {bar}")
    return f"{kind}: precision and recall >= {bar}"

def lab_equal_opportunity_thresholds(scores, y_true, group, target_tpr:float) -> dict:
    "Per group, the highest threshold t (flag: score >= t) whose true-positive rate in that group is >= target_tpr."
    if not len(scores) == len(y_true) == len(group) or not len(scores):
        raise ValueError(f"scores, y_true and group must be non-empty and of one length")
    if not 0 < target_tpr <= 1: raise ValueError(f"target_tpr must be in (0, 1], got {target_tpr}")
    out = {}
    for g in sorted(set(group)):
        pos = [s for s, y, h in zip(scores, y_true, group) if h == g and y == 1]
        if not pos: raise ValueError(f"group {g!r} has no positives: its true-positive rate is undefined")
        out[g] = next(float(t) for t in sorted(set(pos), reverse=True)
                      if sum(s >= t for s in pos) / len(pos) >= target_tpr)
    return out

def lab_checks() -> list:
    "The checks of lab 17 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    g = ["a", "a", "b", "b", "b", "c"]
    yt = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0]
    yp = [1, 0, 0, 1, 1, 0, 1, 1, 1, 0]
    grp = ["x", "x", "x", "x", "y", "y", "y", "y", "y", "y"]
    sc = [0.9, 0.2, 0.6, 0.8, 0.4, 0.3, 0.7, 0.5, 0.35, 0.1, 0.95, 0.65]
    ys = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1]
    gs = ["m", "m", "m", "m", "m", "m", "f", "f", "f", "f", "f", "f"]
    scrub_forbid = (scrub_pii, find_pii, pii_candidates, resolve_overlaps)
    return [
        Check("luhn_valid", luhn_valid, points=1,
              hint="from the rightmost digit, every second digit is doubled (a two-digit double counts as the sum "
                   "of its digits); only digits, spaces and dashes are allowed", cases=[
            Case("a test Visa number", ("4111 1111 1111 1111",)), Case("one digit off", ("4111 1111 1111 1112",)),
            Case("with dashes", ("5500-0000-0000-0004",)), Case("the Wikipedia example", ("79927398713",)),
            Case("an odd number of digits", ("378282246310005",)), Case("two digits swapped", ("4111 1111 1111 1121",)),
            Case("a letter inside a valid number", ("4111 1111 1111 11a11",)), Case("empty", ("",))]),
        Check("scrub_pii", scrub_pii, points=4, harness=scrub_harness, forbid=scrub_forbid, timeout=60,
              hint="run scrub_scores(scrub_pii) to see your precision and recall per kind, and read the failing texts: "
                   "boundaries (what may touch the match), validation (checksums, digit counts, octet ranges) and "
                   "overlaps decide the score", cases=[
            Case(f"{kind} on the {len(LAB_PII_DEV)} development texts", ("dev", kind)) for kind in KINDS] + [
            Case("every kind together, bar 0.95", ("dev", "all", 0.95))]),
        Check("demographic_parity_difference", demographic_parity_difference, points=1, tol=1e-9,
              hint="a group's selection rate is the share of its members selected; compare the most and the least "
                   "selected groups, whatever their labels and however many there are", cases=[
            Case("two groups", ([1, 0, 1, 1], ["a", "a", "b", "b"])), Case("parity", ([1, 0, 1, 0], [0, 0, 1, 1])),
            Case("three groups", ([1, 1, 0, 1, 0, 0], g)),
            Case("the first group selected less", ([0, 0, 1, 1, 1, 0], g)),
            Case("nobody selected", ([0, 0, 0], ["x", "y", "y"])),
            Case("lengths differ", ([1, 0, 1], ["a", "b"]), raises="ValueError")]),
        Check("group_rates", group_rates, points=2, tol=1e-9,
              hint="per group: its size, the share selected, the true-positive rate (among its actual positives), the "
                   "false-positive rate (among its actual negatives) and its accuracy; a group without both classes "
                   "has an undefined rate", cases=[
            Case("two groups of different sizes", (yt, yp, grp)),
            Case("integer groups", ([1, 0, 1, 0, 1, 0], [1, 1, 0, 0, 1, 0], [0, 0, 0, 1, 1, 1])),
            Case("one group", ([1, 0, 0, 1, 1], [1, 1, 0, 0, 1], ["g"] * 5)),
            Case("three groups, strings", ([1, 0, 1, 0, 1, 0, 0], [0, 0, 1, 1, 1, 0, 1], list("aabbccc"))),
            Case("a group with no negatives", ([1, 1, 1, 0], [1, 0, 1, 0], ["a", "a", "b", "b"]),
                 raises="ValueError")]),
        Check("equalized_odds_difference", equalized_odds_difference, points=1, tol=1e-9,
              hint="equalized odds compares both error rates across groups: report the larger of the two gaps", cases=[
            Case("the FPR gap is larger", (yt, yp, grp)),
            Case("the TPR gap is larger", ([1, 1, 0, 0, 1, 1, 0, 0], [1, 1, 0, 0, 1, 0, 0, 0], list("aaaabbbb"))),
            Case("three groups", ([1, 0, 1, 0, 1, 0], [1, 0, 0, 0, 1, 1], ["a", "a", "b", "b", "c", "c"]))]),
        Check("equal_opportunity_thresholds", lab_equal_opportunity_thresholds, points=2, tol=1e-9,
              forbid=(lab_equal_opportunity_thresholds,),
              hint="only a group's actual positives decide its true-positive rate; of the thresholds that reach the "
                   "target, the highest selects the fewest people", cases=[
            Case("target 0.5", (sc, ys, gs, 0.5)), Case("target 0.75", (sc, ys, gs, 0.75)),
            Case("target 1", (sc, ys, gs, 1.0)),
            Case("ties among the scores", ([0.5, 0.5, 0.4, 0.9, 0.2], [1, 1, 1, 1, 0], ["a", "a", "b", "b", "b"], 0.5)),
            Case("a target of 0", (sc, ys, gs, 0.0), raises="ValueError", match="target"),
            Case("a group without positives", ([0.1, 0.2], [1, 0], ["a", "b"], 0.5), raises="ValueError")]),
        Check("scrub_pii (hidden)", scrub_pii, points=2, hidden=True, func="scrub_pii", harness=scrub_harness,
              forbid=scrub_forbid, hint="new texts of the same kinds", cases=[
            Case(f"{kind} on new texts", ("hidden", kind, 0.85)) for kind in KINDS]),
        Check("demographic_parity_difference (hidden)", demographic_parity_difference, points=1, hidden=True,
              func="demographic_parity_difference", tol=1e-9, hint="many groups", cases=[
            Case("integer groups", ([1, 0, 0, 1, 1, 1, 0], [3, 3, 3, 7, 7, 9, 9]))]),
        Check("group_rates (hidden)", group_rates, points=1, hidden=True, func="group_rates", tol=1e-9,
              hint="other groups", cases=[Case("three groups", ([1, 0, 1, 0, 1, 0, 1], [1, 1, 1, 0, 0, 0, 1],
                                                                  ["p", "p", "q", "q", "r", "r", "r"]))]),
        Check("equal_opportunity_thresholds (hidden)", lab_equal_opportunity_thresholds, points=1, hidden=True,
              func="equal_opportunity_thresholds", tol=1e-9, forbid=(lab_equal_opportunity_thresholds,),
              hint="other targets", cases=[
            Case("target 0.6", (sc, ys, gs, 0.6)),
            Case("integer groups", ([0.3, 0.8, 0.6, 0.2], [1, 1, 1, 1], [0, 0, 1, 1], 0.5))]),
    ]
