"""Checks of lab 15_deployment (the lesson's module: `course_lib.openai_api`). Hand-written, not exported: the library holds only what a practitioner imports."""
from __future__ import annotations
from course_lib.openai_api import chat_chunk, error_key, sse_event, validate_request

LAB_MODEL = "handbook-tiny"

def _lab_requests() -> list:
    u = [{"role": "user", "content": "hi"}]
    ok = {"model": LAB_MODEL, "messages": u}
    return [("valid chat", ok), ("valid completion", {"model": LAB_MODEL, "prompt": "x", "max_tokens": 5}, False),
            ("body not an object", "hello"), ("model missing", {"messages": u}), ("model a number", {**ok, "model": 7}),
            ("unknown model", {**ok, "model": "gpt-4"}), ("messages missing", {"model": LAB_MODEL}),
            ("messages empty", {**ok, "messages": []}), ("a message not an object", {**ok, "messages": ["hi"]}),
            ("role unknown", {**ok, "messages": [u[0], {"role": "tool", "content": "x"}]}),
            ("content missing", {**ok, "messages": [{"role": "user"}]}), ("prompt missing", {"model": LAB_MODEL}, False),
            ("prompt a list", {"model": LAB_MODEL, "prompt": ["a"]}, False), ("max_tokens negative", {**ok, "max_tokens": -1}),
            ("max_tokens zero", {**ok, "max_tokens": 0}), ("max_tokens over the cap", {**ok, "max_tokens": 257}),
            ("max_tokens at the cap", {**ok, "max_tokens": 256}), ("max_tokens a float", {**ok, "max_tokens": 5.0}),
            ("max_tokens a bool", {**ok, "max_tokens": False}), ("temperature 2.5", {**ok, "temperature": 2.5}),
            ("temperature null", {**ok, "temperature": None}), ("top_p 0", {**ok, "top_p": 0}),
            ("stream 1", {**ok, "stream": 1}), ("n=3", {**ok, "n": 3}), ("seed a string", {**ok, "seed": "1"}),
            ("stop a list of 5", {**ok, "stop": list("abcde")}), ("stop a string", {**ok, "stop": "\n"}),
            ("unknown fields are ignored", {**ok, "user": "me", "presence_penalty": 0})]

def lab_checks() -> list:
    "The checks of lab 15 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    reqs = _lab_requests()
    cases = [Case(r[0], (r[1],), {} if len(r) == 2 else {"chat": r[2]}) for r in reqs]
    hidden = [Case("cap 10, max_tokens 11", ({"model": "m", "prompt": "p", "max_tokens": 11},), {"chat": False, "model_id": "m", "max_tokens_cap": 10}),
              Case("other model id", ({"model": LAB_MODEL, "messages": [{"role": "user", "content": "x"}]},), {"model_id": "m"}),
              Case("content a list", ({"model": LAB_MODEL, "messages": [{"role": "user", "content": ["x"]}]},)),
              Case("stop with an empty string", ({"model": LAB_MODEL, "prompt": "p", "stop": [""]},), {"chat": False})]
    return [
        Check("validate_request", validate_request, cases, points=4, output=error_key,
              hint="check in this order: body, model, messages/prompt, max_tokens, temperature, top_p, stream, n, seed, stop; bools are not ints"),
        Check("chat_chunk", chat_chunk, points=2, hint="object 'chat.completion.chunk'; one choice with index 0, delta, logprobs None, finish_reason",
              cases=[Case("a content piece", ("chatcmpl-1", 1700000000, "handbook-tiny", {"content": "Hi"})),
                     Case("the role chunk", ("c", 0, "m", {"role": "assistant", "content": ""})), Case("the last chunk", ("c", 5, "m", {}, "length"))]),
        Check("sse_event", sse_event, points=2, hint="'data: ' + JSON + a blank line; strings are sent as they are",
              cases=[Case("a dict", ({"a": 1},)), Case("[DONE]", ("[DONE]",)), Case("non-ASCII text stays readable", ({"content": "café ✓"},)),
                     Case("a chunk", (chat_chunk("c", 0, "m", {"content": "x"}),))]),
        Check("validate_request (hidden)", validate_request, hidden, points=1, hidden=True, func="validate_request", output=error_key,
              hint="use the model_id and max_tokens_cap arguments; content must be a string; stop strings must be non-empty"),
    ]
