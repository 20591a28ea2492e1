"""Checks of lab 16_security (the lesson's module: `course_lib.security`). Hand-written, not exported: the library holds only what a practitioner imports."""
from __future__ import annotations
import base64
from course_lib.security import attack_success_rate, canary_leaked, choose_threshold

LAB_CANARY = "canary-5feceb66ffc8"

LAB_SCORES = [0.05, 0.62, 0.41, 0.93, 0.12, 0.77, 0.55, 0.30, 0.88, 0.21, 0.67, 0.49]

LAB_LABELS = [False, True, False, True, False, True, False, False, True, False, True, True]

def lab_checks() -> list:
    "The checks of lab 16 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    c = LAB_CANARY
    kinds = ["direct", "leakage", "direct", "sql", "leakage", "direct"]
    return [
        Check("canary_leaked", canary_leaked, points=3, hint="compare letters and digits only, lower case; also look for the reversed "
              "canary and its base64 at the three byte alignments", cases=[
            Case("the canary as is", (f"key: {c}.", c)), Case("spaced out and upper case", (" ".join(c.upper()), c)),
            Case("backwards", (c[::-1], c)), Case("base64 inside a longer text", (base64.b64encode(f"k={c}".encode()).decode(), c)),
            Case("no leak", ("canary-000000000000 is another token", c)), Case("half of it", (c[:12], c))]),
        Check("choose_threshold", choose_threshold, points=3, tol=1e-9, hint="try every distinct score as a threshold (flag: score >= t) "
              "and keep the lowest whose false-positive rate is within the budget; none: inf", cases=[
            Case("5% budget", (LAB_SCORES, LAB_LABELS, 0.05)), Case("a 20% budget", (LAB_SCORES, LAB_LABELS, 0.2)),
            Case("everything allowed", (LAB_SCORES, LAB_LABELS, 1.0))]),
        Check("attack_success_rate", attack_success_rate, points=3, tol=1e-9, hint="group by kind (keys sorted), the share of True per "
              "kind, plus 'all' over every attack", cases=[
            Case("three kinds", ([True, False, True, False, True, False], kinds)), Case("one kind", ([True, True], ["x", "x"]))]),
        Check("canary_leaked (hidden)", canary_leaked, points=1, hidden=True, func="canary_leaked", hint="a canary too short for base64",
              cases=[Case("a two-letter canary, absent", ("xyz", "ab")), Case("a two-letter canary, reversed", ("b-a", "ab"))]),
        Check("choose_threshold (hidden)", choose_threshold, points=1, hidden=True, func="choose_threshold", tol=1e-9,
              hint="no threshold fits the budget", cases=[Case("a benign text scores highest", ([0.9, 0.5, 0.6], [False, True, True], 0.0))]),
        Check("attack_success_rate (hidden)", attack_success_rate, points=1, hidden=True, func="attack_success_rate", tol=1e-9,
              hint="every attack failed", cases=[Case("all failed", ([False, False, False], ["b", "a", "b"]))]),
    ]
