"""Checks of lab 17_responsible_ai (the lesson's module: `course_lib.responsible`). Hand-written, not exported: the library holds only what a practitioner imports."""
from __future__ import annotations
from course_lib.responsible import demographic_parity_difference

LAB_SCRUB = ["Write to jane.doe@example.com.", "Call +1 (555) 123-4567 or 555.987.6543 today",
             "Pay with 4111 1111 1111 1111, not 4111 1111 1111 1112", "Server 192.168.0.1 is up; 300.1.2.3 is not an address",
             "Released 2024-01-15, patched 15.01.2024", "No personal data in this sentence.",
             "Contact Ana <ana@site.org>, +44 20 7946 0958, card 5500-0000-0000-0004, host 10.0.0.25"]

LAB_SCRUB_HIDDEN = ["Amex 378282246310005 and 3782 822463 10005", "bad 10.0.0.256, dotted 1.2.3.4.5, ok 8.8.8.8",
                    "[mail](mailto:bob+news@mail.example.org) or 020 7946 0958", "order id 1234567812345678 and @handle",
                    "open http://10.0.0.25:8080/status and call (555) 321 9876"]

def lab_checks() -> list:
    "The checks of lab 17 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    from course_lib.pii import luhn_valid, scrub_pii
    g = ["a", "a", "b", "b", "b", "c"]
    return [
        Check("luhn_valid", luhn_valid, points=1, hint="from the right, double every second digit (minus 9 if > 9); valid when the sum is a multiple of 10; spaces and dashes are ignored, other characters make it invalid", cases=[
            Case("a test Visa number", ("4111 1111 1111 1111",)), Case("one digit off", ("4111 1111 1111 1112",)), Case("with dashes", ("5500-0000-0000-0004",)),
            Case("the Wikipedia example", ("79927398713",)), Case("a letter inside", ("4111-1111-1111-111a",)), Case("empty", ("",))]),
        Check("scrub_pii", scrub_pii, points=3, hint="find e-mails, phones (10-11 digits, or 8-15 with a leading +), Luhn-valid cards and IPv4 (octets <= 255) with boundaries, keep the longest of overlapping matches, replace each by [KIND]",
              cases=[Case(f"text {i + 1}: {t[:30]!r}...", (t,)) for i, t in enumerate(LAB_SCRUB)]),
        Check("demographic_parity_difference", demographic_parity_difference, points=1, tol=1e-9, hint="selection rate = mean prediction within a group; return the largest minus the smallest", cases=[
            Case("two groups", ([1, 0, 1, 1], ["a", "a", "b", "b"])), Case("parity", ([1, 0, 1, 0], [0, 0, 1, 1])),
            Case("three groups", ([1, 1, 0, 1, 0, 0], g)), Case("nobody selected", ([0, 0, 0], ["x", "y", "y"]))]),
        Check("scrub_pii (hidden)", scrub_pii, points=1, hidden=True, func="scrub_pii", hint="check Amex grouping, octets > 255, e-mails inside links, numbers that fail Luhn",
              cases=[Case(f"hidden text {i + 1}", (t,)) for i, t in enumerate(LAB_SCRUB_HIDDEN)]),
        Check("demographic_parity_difference (hidden)", demographic_parity_difference, points=1, hidden=True, func="demographic_parity_difference", tol=1e-9,
              hint="groups may be any labels, and there may be many", cases=[Case("integer groups", ([1, 0, 0, 1, 1, 1, 0], [3, 3, 3, 7, 7, 9, 9]))]),
    ]
