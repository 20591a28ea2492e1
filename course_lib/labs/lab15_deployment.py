"""Checks of lab 15_deployment (the lessons' modules: `course_lib.openai_api`, `course_lib.serve`): request validation
with the fixes of issue 16 (seed range, no silently ignored field), the chunks and events of a streamed reply, and an
OpenAI-compatible endpoint tested over real HTTP with httpx and the `openai` client. Hand-written, not exported: the
library holds only what a practitioner imports. The references live here: they are the spec the lab teaches, while
the library's server was being changed in parallel (issue 16)."""
from __future__ import annotations
import asyncio, json, threading, time, uuid
from contextlib import contextmanager
from course_lib import openai_api as _api
from course_lib.openai_api import APIError, error_key

LAB_MODEL = "handbook-tiny"
ROLES = ("system", "user", "assistant")
CHAT_FIELDS = ("model", "messages", "max_tokens", "temperature", "top_p", "stream", "n", "seed", "stop", "user")
SEED_MAX = 2**63 - 1

def _is_int(x) -> bool: return isinstance(x, int) and not isinstance(x, bool)
def _is_num(x) -> bool: return isinstance(x, (int, float)) and not isinstance(x, bool)

def _check_messages(msgs) -> APIError|None:
    if not isinstance(msgs, list) or not msgs: return APIError(400, "messages must be a non-empty list", "messages")
    for i, m in enumerate(msgs):
        if not isinstance(m, dict): return APIError(400, f"messages[{i}] must be an object", f"messages[{i}]")
        if m.get("role") not in ROLES: return APIError(400, f"role must be one of {ROLES}", f"messages[{i}].role")
        if not isinstance(m.get("content"), str): return APIError(400, "content: a string", f"messages[{i}].content")
    return None

def _check_sampling(body:dict, max_tokens_cap:int) -> APIError|None:
    mt, t, p, seed, stop = (body.get(k) for k in ("max_tokens", "temperature", "top_p", "seed", "stop"))
    if mt is not None and not (_is_int(mt) and 1 <= mt <= max_tokens_cap):
        return APIError(400, f"max_tokens must be an integer in 1..{max_tokens_cap}", "max_tokens")
    if t is not None and not (_is_num(t) and 0 <= t <= 2): return APIError(400, "temperature: 0 to 2", "temperature")
    if p is not None and not (_is_num(p) and 0 < p <= 1): return APIError(400, "top_p must be in (0, 1]", "top_p")
    if "stream" in body and not isinstance(body["stream"], bool): return APIError(400, "stream: a bool", "stream")
    if "n" in body and not (_is_int(body["n"]) and body["n"] == 1): return APIError(400, "n must be 1", "n")
    if seed is not None and not (_is_int(seed) and 0 <= seed <= SEED_MAX):
        return APIError(400, f"seed must be an integer in 0..{SEED_MAX}", "seed")
    if stop is not None and not (isinstance(stop, str) or (isinstance(stop, list) and len(stop) <= 4
                                                            and all(isinstance(s, str) and s for s in stop))):
        return APIError(400, "stop must be a string or a list of at most 4 non-empty strings", "stop")
    return None

def validate_request(body, chat:bool=True, model_id:str=LAB_MODEL, max_tokens_cap:int=256) -> APIError|None:
    "The first problem with a request (an APIError), or None."
    if not isinstance(body, dict): return APIError(400, "the body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str): return APIError(400, "model must be a string", "model")
    if model != model_id: return APIError(404, f"no model {model!r}", "model", code="model_not_found")
    if chat and (err := _check_messages(body.get("messages"))): return err
    if not chat and not (isinstance(body.get("prompt"), str) and body["prompt"]):
        return APIError(400, "prompt must be a non-empty string", "prompt")
    known = CHAT_FIELDS if chat else tuple("prompt" if f == "messages" else f for f in CHAT_FIELDS)
    extra = [k for k in body if k not in known]
    if extra: return APIError(400, f"this server does not support {extra[0]!r}", extra[0], code="unsupported_parameter")
    return _check_sampling(body, max_tokens_cap)

def chat_chunk(id:str, created:int, model:str, delta:dict, finish_reason:str|None=None) -> dict:
    "One `chat.completion.chunk`."
    return {"id": id, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]}

def sse_event(data) -> str:
    "One server-sent event; a string is sent as it is."
    return "data: " + (data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)) + "\n\n"

def stream_events(pieces, id:str, created:int, model:str, max_tokens:int):
    "The events of a streamed reply: the role, one chunk per non-empty piece, the finish reason, [DONE]."
    yield sse_event(chat_chunk(id, created, model, {"role": "assistant", "content": ""}))
    n = 0
    for piece in pieces:
        n += 1
        if piece: yield sse_event(chat_chunk(id, created, model, {"content": piece}))
    yield sse_event(chat_chunk(id, created, model, {}, "length" if n >= max_tokens else "stop"))
    yield sse_event("[DONE]")

def _error(err:APIError):
    from fastapi.responses import JSONResponse
    return JSONResponse(err.body(), status_code=err.status)

def create_app(generate, model_id:str=LAB_MODEL, max_tokens_cap:int=256, max_body_bytes:int=100_000,
               default_max_tokens:int=16):
    "A FastAPI app with POST /v1/chat/completions: JSON only, a body limit, validation, streamed or whole replies."
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse, StreamingResponse
    app = FastAPI()

    async def chat(request):
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            return _error(APIError(415, "send application/json", code="unsupported_media_type"))
        size = request.headers.get("content-length", "")
        if size.isdigit() and int(size) > max_body_bytes: return _error(APIError(413, "the body is too large"))
        raw = await request.body()
        if len(raw) > max_body_bytes: return _error(APIError(413, "the body is too large"))
        try: body = json.loads(raw)
        except ValueError: return _error(APIError(400, "the body is not valid JSON"))
        if err := validate_request(body, True, model_id, max_tokens_cap): return _error(err)
        mt = body.get("max_tokens") or default_max_tokens
        temperature = 1.0 if body.get("temperature") is None else body["temperature"]
        pieces = generate(body["messages"], mt, temperature, body.get("seed"))
        rid, created = "chatcmpl-" + uuid.uuid4().hex[:24], int(time.time())
        if body.get("stream"):
            return StreamingResponse(stream_events(pieces, rid, created, model_id, mt), media_type="text/event-stream")
        pieces = list(pieces)
        choice = {"index": 0, "message": {"role": "assistant", "content": "".join(pieces)}, "logprobs": None,
                  "finish_reason": "length" if len(pieces) >= mt else "stop"}
        return JSONResponse({"id": rid, "object": "chat.completion", "created": created, "model": model_id,
                             "choices": [choice]})
    chat.__annotations__ = {"request": Request}  # annotations here are strings (__future__): FastAPI needs the class
    app.post("/v1/chat/completions")(chat)
    return app

# --- what the checks run ------------------------------------------------------------------------------------------
@contextmanager
def serving(app, timeout:float=30.0):
    "Serve an ASGI app on 127.0.0.1 (a free port) in a thread; yield its base URL; always stop it."
    import uvicorn

    class QuickServer(uvicorn.Server):
        async def main_loop(self):  # uvicorn's own loop looks at should_exit every 0.1 s; this one every 0.01 s
            counter = 0
            while not await self.on_tick(counter):
                counter = (counter + 1) % 864000
                await asyncio.sleep(0.01)
    server = QuickServer(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="critical", access_log=False,
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, name="lab15-server", daemon=True)
    thread.start()
    try:
        t0 = time.monotonic()
        while not server.started:
            if not thread.is_alive() or time.monotonic() - t0 > timeout: raise RuntimeError("the server did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout)

def fake_generate(messages, max_tokens, temperature=1.0, seed=None):
    "A stand-in model: the words of the last message, backwards, one piece per word, at most max_tokens."
    words = messages[-1]["content"].split()[::-1] or ["..."]
    for i in range(min(max_tokens, 2 * len(words))):
        yield (" " if i else "") + words[i % len(words)]

def _norm(x):
    "A reply with what differs between correct servers taken out: random ids, clocks, error messages."
    if isinstance(x, dict):
        out = {}
        for k, v in x.items():
            if k == "id": out[k] = isinstance(v, str) and v.startswith("chatcmpl-")
            elif k == "created": out[k] = _is_int(v)
            elif k == "message" and isinstance(v, str): out[k] = bool(v)
            else: out[k] = _norm(v)
        return out
    return [_norm(v) for v in x] if isinstance(x, list) else x

def _send(url:str, req:dict) -> list:
    "POST one request; [status, content type, the JSON body or the list of SSE data payloads]."
    import httpx
    raw = req["raw"].encode() if "raw" in req else json.dumps(req["body"]).encode()
    headers = {"Content-Type": req.get("ctype", "application/json")}
    r = httpx.post(url + "/v1/chat/completions", content=raw, headers=headers, timeout=20)
    ctype = r.headers.get("content-type", "").split(";")[0].strip()
    if ctype == "text/event-stream":
        events = [line[6:] for line in r.text.split("\n\n") if line.startswith("data: ")]
        tail_ok = r.text.endswith("\n\n")
        return [r.status_code, ctype, [_norm(e if e == "[DONE]" else json.loads(e)) for e in events], tail_ok]
    try: body = _norm(r.json())
    except ValueError: body = None
    return [r.status_code, ctype, body]

def _openai(url:str, kind:str, body:dict):
    "What the openai client sees: streamed deltas and finish reasons, a whole reply, or the status of its error."
    import openai
    client = openai.OpenAI(base_url=url + "/v1", api_key="lab", max_retries=0, timeout=20)
    try:
        if kind == "openai_stream":
            out = []
            for c in client.chat.completions.create(stream=True, **body):
                out.append([c.choices[0].delta.role, c.choices[0].delta.content, c.choices[0].finish_reason])
            return out
        r = client.chat.completions.create(**body)
        return [r.choices[0].message.role, r.choices[0].message.content, r.choices[0].finish_reason, r.object]
    except openai.APIStatusError as e: return ["error", e.status_code, type(e).__name__]

_REFERENCE_RUNS: dict = {}

def _app_harness(fn, kind:str, requests:list):
    "Start the student's app (a fake model behind it) on 127.0.0.1, send the requests, stop it."
    key = json.dumps([kind, requests], sort_keys=True) if fn is create_app else None
    if key in _REFERENCE_RUNS: return _REFERENCE_RUNS[key]  # the judge asks for the reference once per mistake
    app = fn(fake_generate, model_id=LAB_MODEL, max_tokens_cap=32, max_body_bytes=2000)
    if not callable(app):  # no server to start: say so (uvicorn would answer every request with a 500)
        raise TypeError(f"create_app returned {type(app).__name__} {app!r:.40}, not an ASGI app such as FastAPI()")
    with serving(app) as url:
        out = [_send(url, r) if kind == "http" else _openai(url, kind, r["body"]) for r in requests]
    if key: _REFERENCE_RUNS[key] = out
    return out

def _lab_requests() -> list:
    u = [{"role": "user", "content": "hi"}]
    ok = {"model": LAB_MODEL, "messages": u}
    return [("valid chat", ok), ("valid completion", {"model": LAB_MODEL, "prompt": "x", "max_tokens": 5}, False),
            ("body not an object", "hello"), ("model missing", {"messages": u}), ("model a number", {**ok, "model": 7}),
            ("unknown model", {**ok, "model": "gpt-4"}), ("messages missing", {"model": LAB_MODEL}),
            ("messages empty", {**ok, "messages": []}), ("a message not an object", {**ok, "messages": ["hi"]}),
            ("role unknown", {**ok, "messages": [u[0], {"role": "tool", "content": "x"}]}),
            ("content missing", {**ok, "messages": [{"role": "user"}]}),
            ("prompt missing", {"model": LAB_MODEL}, False),
            ("prompt a list", {"model": LAB_MODEL, "prompt": ["a"]}, False),
            ("max_tokens negative", {**ok, "max_tokens": -1}), ("max_tokens zero", {**ok, "max_tokens": 0}),
            ("max_tokens over the cap", {**ok, "max_tokens": 257}),
            ("max_tokens at the cap", {**ok, "max_tokens": 256}),
            ("max_tokens a float", {**ok, "max_tokens": 5.0}), ("max_tokens a bool", {**ok, "max_tokens": False}),
            ("temperature 2.5", {**ok, "temperature": 2.5}), ("temperature 2", {**ok, "temperature": 2}),
            ("temperature null", {**ok, "temperature": None}), ("top_p 0", {**ok, "top_p": 0}),
            ("top_p 1", {**ok, "top_p": 1}), ("stream 1", {**ok, "stream": 1}), ("n=3", {**ok, "n": 3}),
            ("n=true", {**ok, "n": True}), ("n=1", {**ok, "n": 1}), ("seed a string", {**ok, "seed": "1"}),
            ("seed 2**64", {**ok, "seed": 2**64}), ("seed -1", {**ok, "seed": -1}),
            ("seed 2**63 - 1", {**ok, "seed": 2**63 - 1}), ("stop a list of 5", {**ok, "stop": list("abcde")}),
            ("stop a string", {**ok, "stop": "\n"}),
            ("tools are not supported", {**ok, "tools": [{"type": "function"}]}),
            ("response_format is not supported", {**ok, "response_format": {"type": "json_object"}}),
            ("a prompt in a chat request", {**ok, "prompt": "x"}), ("the user field is fine", {**ok, "user": "me"}),
            ("the first unknown field is named", {**ok, "max_tokens": 999, "presence_penalty": 0, "logprobs": True})]

def _hidden_requests(Case) -> list:
    one = [{"role": "user", "content": "x"}]
    return [Case("cap 10, max_tokens 11", ({"model": "m", "prompt": "p", "max_tokens": 11},),
                 {"chat": False, "model_id": "m", "max_tokens_cap": 10}),
            Case("other model id", ({"model": LAB_MODEL, "messages": one},), {"model_id": "m"}),
            Case("content a list", ({"model": LAB_MODEL, "messages": [{"role": "user", "content": ["x"]}]},)),
            Case("stop with an empty string", ({"model": LAB_MODEL, "prompt": "p", "stop": [""]},), {"chat": False}),
            Case("seed 2**63", ({"model": LAB_MODEL, "prompt": "p", "seed": 2**63},), {"chat": False}),
            Case("messages in a completion request", ({"model": LAB_MODEL, "prompt": "p", "messages": []},),
                 {"chat": False})]

def _app_cases(Case) -> list:
    u = [{"role": "user", "content": "one two three"}]
    req = lambda **kw: {"body": {"model": LAB_MODEL, "messages": u, **kw}}
    http = lambda desc, *reqs: Case(desc, ("http", list(reqs)))
    big = {"body": {"model": LAB_MODEL, "messages": [{"role": "user", "content": "x " * 1500}]}}
    return [http("a whole reply", req(), req(max_tokens=2)),
            http("a streamed reply", req(stream=True), req(stream=True, max_tokens=4)),
            http("validation errors keep their status", req(model="gpt-4"), req(seed=2**64), req(tools=[]),
                 req(max_tokens=33)),
            http("a text/plain body", {**req(), "ctype": "text/plain"}),
            http("not JSON", {"raw": "{model: handbook-tiny"}),
            http("a body over the limit", big),
            Case("the openai client streams", ("openai_stream", [req(max_tokens=3), req()])),
            Case("the openai client, whole replies and an error", ("openai_plain", [req(), req(temperature=3)]))]

def lab_checks() -> list:
    "The checks of lab 15 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    cases = [Case(r[0], (r[1],), {} if len(r) == 2 else {"chat": r[2]}) for r in _lab_requests()]
    lib = tuple(getattr(_api, n) for n in ("validate_request", "chat_chunk", "sse_event") if hasattr(_api, n))
    chunk_args = ("chatcmpl-1", 1700000000, LAB_MODEL)
    return [
        Check("validate_request", validate_request, cases, points=4, output=error_key, forbid=(validate_request,) + lib,
              hint="check in the order of the steps; bools are not numbers; the first field the server does not know "
                   "is named; a seed must fit in 63 bits"),
        Check("chat_chunk", chat_chunk, points=1, forbid=(chat_chunk,) + lib,
              hint="object 'chat.completion.chunk'; one choice with index 0, the delta, logprobs None and the "
                   "finish reason",
              cases=[Case("a content piece", (*chunk_args, {"content": "Hi"})),
                     Case("the role chunk", ("c", 0, "m", {"role": "assistant", "content": ""})),
                     Case("the last chunk", ("c", 5, "m", {}, "length"))]),
        Check("sse_event", sse_event, points=1, forbid=(sse_event,) + lib,
              hint="'data: ', the payload, then a blank line; strings go as they are; JSON keeps non-ASCII readable",
              cases=[Case("a dict", ({"a": 1},)), Case("[DONE]", ("[DONE]",)),
                     Case("non-ASCII text stays readable", ({"content": "café ✓"},)),
                     Case("a chunk", (chat_chunk("c", 0, "m", {"content": "x"}),))]),
        Check("stream_events", stream_events, points=2, output=list, forbid=(stream_events,) + lib,
              hint="the role chunk first, a chunk per non-empty piece, then an empty delta with the finish reason "
                   "('length' when as many pieces came as max_tokens allowed), then [DONE]",
              cases=[Case("three pieces, room for more", (["Hel", "lo", "!"], *chunk_args, 16)),
                     Case("cut by max_tokens", (iter(["a", " b", " c"]), *chunk_args, 3)),
                     Case("an empty piece is not sent", (["x", "", "y"], "c", 1, "m", 8)),
                     Case("nothing generated", ([], "c", 1, "m", 8))]),
        Check("create_app", create_app, points=5, harness=_app_harness, timeout=180,
              forbid=(create_app, stream_events, validate_request) + lib,
              hint="415 unless the Content-Type is application/json; 413 past max_body_bytes (look at Content-Length "
                   "first); 400 for a body that is not JSON; validate_request's error with its status; stream: a "
                   "StreamingResponse of your stream_events with media type text/event-stream; else one "
                   "chat.completion object",
              cases=_app_cases(Case)),
        Check("validate_request (hidden)", validate_request, _hidden_requests(Case), points=1, hidden=True,
              func="validate_request", output=error_key, forbid=(validate_request,) + lib,
              hint="use the model_id and max_tokens_cap arguments; content must be a string; stop strings must be "
                   "non-empty"),
    ]
