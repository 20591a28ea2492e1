"""Checks of lab 09_evaluation (the lesson's modules: `course_lib.evaluate` and `course_lib.harness`). Hand-written, not
exported: the library holds only what a practitioner imports.

`multiple_choice_accuracy` (the lab's end-to-end exercise) has its reference here: lesson 09b's `multiple_choice_eval`
returns per-question rows; the lab asks for the accuracies they add up to."""
from __future__ import annotations
import copy
from course_lib.evaluate import (bleu, brevity_penalty, clipped_matches, exact_match, f1, lcs_length, normalize_answer,
                                 rouge, tokenize_13a)
from course_lib.generate import continuation_logprobs
from course_lib.harness import choice_logprobs, load_questions, multiple_choice_eval

_BASE = []  # the base model and its tokenizer, loaded once per process

def _base():
    if not _BASE:
        import torch
        from course_lib.pretrain import load_base_model
        model, tok = load_base_model("cpu")
        _BASE.append((model.float().eval(), tok))
    return _BASE[0]

def multiple_choice_accuracy(model, tokenizer, questions:list[dict]) -> dict[str, float]:
    "Accuracy by the highest summed log-prob ('acc') and mean per token ('acc_norm'), and chance (mean of 1/k)."
    if not questions: raise ValueError("no questions to evaluate")
    rows = multiple_choice_eval(model, tokenizer, questions)
    return {"acc": sum(r["sum"] for r in rows) / len(rows), "acc_norm": sum(r["mean"] for r in rows) / len(rows),
            "chance": sum(1 / r["k"] for r in rows) / len(rows)}

_REFERENCE_RESULTS = {}  # the references' results per case: the grader judges every mistake against them

def on_base_model(fn, *args):
    "Harness: call fn(model, tokenizer, *args) with the course's base model, handbook-tiny."
    model, tok = _base()
    if fn not in (choice_logprobs, multiple_choice_accuracy): return fn(model, tok, *args)
    key = (fn.__name__, repr(args))
    if key not in _REFERENCE_RESULTS: _REFERENCE_RESULTS[key] = fn(model, tok, *args)
    return copy.deepcopy(_REFERENCE_RESULTS[key])

LAB_CORPORA = [  # (hypotheses, references per hypothesis)
    (["the cat sat on the mat"], [["the cat sat on the mat"]]),
    (["the cat is on the mat .", "there is a dog"],
     [["the cat sat on the mat."], ["a dog is there", "there is a dog here"]]),
    (["It costs $3.50, or 3,000 yen.", ""], [["It costs $ 3.50 or 3,000 yen."], ["nothing"]]),
    (["a b c", "d e"], [["a b c d"], ["d e f"]]),
    (["the the the the"], [["the cat", "the the dog"]]),
]

LAB_PAIRS = [("the cat was found under the bed", "the cat was under the bed"), ("Don't panic!", "do not panic"),
             ("", "empty hypothesis"), ("a b a b a", "b a b"),
             ("Police kill the gunman.", "The gunman was shot dead by police.")]

def lab_checks() -> list:
    "The checks of lab 09 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    tok = lambda s: tokenize_13a(s)
    qs = load_questions()
    mc_forbid = (multiple_choice_accuracy, multiple_choice_eval, choice_logprobs, continuation_logprobs)
    return [
        Check("clipped_matches", clipped_matches, points=2, hint="clipping: each n-gram counts at most as often as the "
              "single reference that has most of it; the total counts every hypothesis n-gram", cases=[
            Case("repeated word, two references",
                 ("the the the cat".split(), ["the cat".split(), "the the dog".split()], 1)),
            Case("bigrams", (tok("the cat is on the mat ."), [tok("the cat sat on the mat.")], 2)),
            Case("n longer than the hypothesis", ("a b".split(), ["a b".split()], 3)),
            Case("empty hypothesis", ([], [["x"]], 1))]),
        Check("brevity_penalty", brevity_penalty, points=1, tol=1e-9, hint="only hypotheses shorter than the "
              "references are penalised, more the shorter they are; no words at all scores nothing",
              cases=[Case(f"hyp {h}, ref {r}", (h, r)) for h, r in [(8, 10), (10, 10), (12, 10), (0, 3), (1, 9)]]),
        Check("bleu", bleu, points=3, tol=1e-6, hint="corpus sums, not sentence averages; the closest reference length "
              "(the shorter on ties); 'exp' smoothing doubles its divisor with each zero precision", cases=[
            *[Case(f"corpus {i}", LAB_CORPORA[i]) for i in range(4)],
            Case("the closest reference is not the shortest",
                 (["the cat sat on a mat today"], [["a cat", "the cat sat on the mat today ."]])),
            Case("two orders without a match", (["the cat dog sat mat"], [["the cat sat on the mat"]])),
            Case("2 hypotheses, 1 list of references", (["a b", "c d"], [["a b"]]), raises="ValueError"),
            Case("an empty list of references", (["a b"], [[]]), raises="ValueError")]),
        Check("lcs_length", lcs_length, points=1, hint="a subsequence keeps the order but may skip items; dynamic "
              "programming over prefixes", cases=[
            Case("letters", ("abcbdab", "bdcaba")), Case("words", ("the cat sat".split(), "cat the sat".split())),
            Case("one empty", ([], ["a"])), Case("a run is not needed", ("axbxc", "abc"))]),
        Check("rouge", rouge, points=2, tol=1e-9, hint="rouge-score's tokens; shared n-grams counted as often as both "
              "texts have them; F-measures; ROUGE-L from the LCS of the tokens", cases=[
            *[Case(f"pair {i}", LAB_PAIRS[i]) for i in range(4)],
            Case("a list instead of a string", (["the", "cat"], "the cat"), raises="ValueError")]),
        Check("normalize_answer", normalize_answer, points=1, hint="SQuAD's four steps, in order; articles only as "
              "whole words",
              cases=[Case(repr(s), (s,)) for s in ["The  Eiffel-Tower!", "an apple a day", "theatre", "  A.  "]]),
        Check("exact_match", exact_match, points=1, tol=1e-9, hint="equality after normalising; the best of several "
              "gold answers", cases=[
            Case("articles and punctuation", ("The Paris.", "paris")), Case("different", ("Lyon", "Paris")),
            Case("several references", ("Lima", ["Santiago", "lima!"])),
            Case("a longer prediction", ("Paris, France", "Paris")),
            Case("an empty list of references", ("Lima", []), raises="ValueError")]),
        Check("f1", f1, points=2, tol=1e-9, hint="bag-of-words overlap of the normalised answers; the empty-answer "
              "rule; the best gold answer", cases=[
            Case("partial overlap", ("the Eiffel tower in Paris", "Eiffel Tower")),
            Case("repeated words", ("red red blue", "red blue blue")),
            Case("a word repeated in both", ("red red red", "red red blue")),
            Case("both empty", ("", "")), Case("several references", ("New Delhi", ["Delhi", "Mumbai"])),
            Case("an empty list of references", ("Delhi", []), raises="ValueError")]),
        Check("choice_logprobs", choice_logprobs, points=3, tol=1e-4, harness=on_base_model, forbid=mc_forbid,
              hint="each choice's tokens as the continuation of the context, after the end-of-text token; the logits "
              "at one position score the next token; (sum of log-probabilities, number of tokens)", cases=[
            Case("a docstring item", (qs[0]["context"], qs[0]["choices"])),
            Case("a Python question", (qs[30]["context"], qs[30]["choices"])),
            Case("choices of different lengths", ("The capital of France is", [" Paris", " the city of Lyon", " a"]))]),
        Check("multiple_choice_accuracy", multiple_choice_accuracy, points=3, tol=1e-9, harness=on_base_model,
              forbid=mc_forbid, hint="the most likely choice by total and by per-token log-probability; chance "
              "averages each question's own odds", cases=[
            Case("8 docstring items", (qs[:8],)), Case("the Python and task questions 24-51", (qs[24:],)),
            Case("no questions", ([],), raises="ValueError")]),
        Check("bleu (hidden)", bleu, points=1, tol=1e-6, hidden=True, func="bleu", hint="repeated words and too-short "
              "corpora", cases=[Case("corpus 4", LAB_CORPORA[4])]),
        Check("rouge (hidden)", rouge, points=1, tol=1e-9, hidden=True, func="rouge", hint="different lengths",
              cases=[Case("pair 4", LAB_PAIRS[4])]),
        Check("f1 (hidden)", f1, points=1, tol=1e-9, hidden=True, func="f1", hint="one empty answer",
              cases=[Case("empty prediction", ("", "Paris")), Case("the only article", ("The", "a"))]),
        Check("multiple_choice_accuracy (hidden)", multiple_choice_accuracy, points=1, tol=1e-9, hidden=True,
              func="multiple_choice_accuracy", harness=on_base_model, forbid=mc_forbid, hint="other questions",
              cases=[Case("questions 8-23", (qs[8:24],))]),
    ]
