"""Checks of lab 07_sft (the lesson's module: `course_lib.sft`). Hand-written, not exported: the library holds only what a practitioner imports."""
from __future__ import annotations
from course_lib.sft import mask_labels, pad_batch

LAB_SEQS = [([1, 2, 3, 4, 5], [0, 0, 1, 1, 1]), ([7, 8, 9], [0, 0, 0]), ([3, 1, 4, 1, 5, 9, 2, 6], [0, 1, 1, 0, 0, 1, 1, 1]), ([42], [1])]

def lab_checks() -> list:
    "The checks of lab 07 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    ex = [{"input_ids": ids, "labels": mask_labels(ids, m)} for ids, m in LAB_SEQS]
    return [
        Check("mask_labels", mask_labels, points=2, hint="keep the token where the mask is 1, put -100 where it is 0; same length as input_ids",
              cases=[Case(f"{len(ids)} tokens, {sum(m)} of them the assistant's", (ids, m)) for ids, m in LAB_SEQS[:3]]),
        Check("pad_batch", pad_batch, points=3, hint="pad on the right to the longest example: input_ids with pad_token_id, "
              "labels with -100, attention_mask 1 on real tokens and 0 on padding; return tensors", cases=[
            Case("three examples of different lengths", (ex[:3], 0)), Case("one example (nothing to pad)", (ex[1:2], 5)),
            Case("a pad id that is also a real token", (ex[:2], 1))]),
        Check("mask_labels (hidden)", mask_labels, points=1, hidden=True, func="mask_labels", hint="a one-token conversation",
              cases=[Case("a single assistant token", LAB_SEQS[3])]),
        Check("pad_batch (hidden)", pad_batch, points=1, hidden=True, func="pad_batch", hint="all four lab sequences",
              cases=[Case("four examples", (ex, 2048))]),
    ]
