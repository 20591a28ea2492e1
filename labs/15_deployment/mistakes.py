# Plausible wrong answers to lab 15. Each runs in the kernel that ran the solution (it sees its globals: json, time,
# uuid, APIError, FastAPI, Request, JSONResponse, StreamingResponse, chat_chunk, sse_event, stream_events,
# validate_request, ...) and must lose visible points of its exercise. `mistake` is injected by the grader.

# --- validate_request --------------------------------------------------------------------------------------------
def _validate(body, chat=True, model_id="handbook-tiny", max_tokens_cap=256, bools_are_ints=False, cap_exclusive=False,
              seed_bounded=True, unknown_ignored=False, top_p_zero=False, missing_model_404=False):
    def is_int(x): return isinstance(x, int) and (bools_are_ints or not isinstance(x, bool))
    def is_num(x): return isinstance(x, (int, float)) and (bools_are_ints or not isinstance(x, bool))
    if not isinstance(body, dict): return APIError(400, "not an object")
    model = body.get("model")
    if not isinstance(model, str):
        if missing_model_404: return APIError(404, "no model", "model", code="model_not_found")
        return APIError(400, "model", "model")
    if model != model_id: return APIError(404, "no model", "model", code="model_not_found")
    if chat:
        msgs = body.get("messages")
        if not isinstance(msgs, list) or not msgs: return APIError(400, "messages", "messages")
        for i, m in enumerate(msgs):
            if not isinstance(m, dict): return APIError(400, "message", f"messages[{i}]")
            if m.get("role") not in ("system", "user", "assistant"): return APIError(400, "role", f"messages[{i}].role")
            if not isinstance(m.get("content"), str): return APIError(400, "content", f"messages[{i}].content")
    elif not (isinstance(body.get("prompt"), str) and body["prompt"]): return APIError(400, "prompt", "prompt")
    known = KNOWN_FIELDS if chat else tuple("prompt" if f == "messages" else f for f in KNOWN_FIELDS)
    for key in body:
        if key not in known and not unknown_ignored:
            return APIError(400, "unsupported", key, code="unsupported_parameter")
    mt, t, p, seed, stop = (body.get(k) for k in ("max_tokens", "temperature", "top_p", "seed", "stop"))
    top = max_tokens_cap - 1 if cap_exclusive else max_tokens_cap
    if mt is not None and not (is_int(mt) and 1 <= mt <= top): return APIError(400, "max_tokens", "max_tokens")
    if t is not None and not (is_num(t) and 0 <= t <= 2): return APIError(400, "temperature", "temperature")
    if p is not None and not (is_num(p) and (0 <= p if top_p_zero else 0 < p) and p <= 1):
        return APIError(400, "top_p", "top_p")
    if "stream" in body and not isinstance(body["stream"], bool): return APIError(400, "stream", "stream")
    if "n" in body and not (is_int(body["n"]) and body["n"] == 1): return APIError(400, "n", "n")
    if seed is not None and not (is_int(seed) and (not seed_bounded or 0 <= seed < 2**63)):
        return APIError(400, "seed", "seed")
    if stop is not None and not (isinstance(stop, str) or (isinstance(stop, list) and len(stop) <= 4
                                                            and all(isinstance(s, str) and s for s in stop))):
        return APIError(400, "stop", "stop")
    return None

@mistake("validate_request")
def bools_pass_as_numbers(body, chat=True, model_id="handbook-tiny", max_tokens_cap=256):
    "Forgets that True and False are ints in Python: max_tokens=false, n=true pass."
    return _validate(body, chat, model_id, max_tokens_cap, bools_are_ints=True)

@mistake("validate_request")
def cap_off_by_one(body, chat=True, model_id="handbook-tiny", max_tokens_cap=256):
    "Refuses max_tokens equal to the cap."
    return _validate(body, chat, model_id, max_tokens_cap, cap_exclusive=True)

@mistake("validate_request")
def seed_unbounded(body, chat=True, model_id="handbook-tiny", max_tokens_cap=256):
    "Accepts any integer seed: 2**64 reaches the generator and fails there (a 500)."
    return _validate(body, chat, model_id, max_tokens_cap, seed_bounded=False)

@mistake("validate_request")
def unknown_fields_ignored(body, chat=True, model_id="handbook-tiny", max_tokens_cap=256):
    "Silently ignores tools, response_format and every other field it does not implement."
    return _validate(body, chat, model_id, max_tokens_cap, unknown_ignored=True)

@mistake("validate_request")
def top_p_zero_allowed(body, chat=True, model_id="handbook-tiny", max_tokens_cap=256):
    "Accepts top_p = 0, which keeps no token at all."
    return _validate(body, chat, model_id, max_tokens_cap, top_p_zero=True)

@mistake("validate_request")
def missing_model_is_404(body, chat=True, model_id="handbook-tiny", max_tokens_cap=256):
    "Answers a missing model with 404 instead of 400 (nothing was looked up: the request is malformed)."
    return _validate(body, chat, model_id, max_tokens_cap, missing_model_404=True)

# --- chat_chunk --------------------------------------------------------------------------------------------------
@mistake("chat_chunk")
def object_chat_completion(id, created, model, delta, finish_reason=None):
    "Labels the chunk 'chat.completion' (the whole reply's object)."
    return {"id": id, "object": "chat.completion", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]}

@mistake("chat_chunk")
def choice_not_in_a_list(id, created, model, delta, finish_reason=None):
    "Puts the one choice directly under 'choices' instead of in a list."
    return {"id": id, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}}

@mistake("chat_chunk")
def message_not_delta(id, created, model, delta, finish_reason=None):
    "Calls the delta 'message', as in a whole reply."
    return {"id": id, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "message": delta, "logprobs": None, "finish_reason": finish_reason}]}

@mistake("chat_chunk")
def no_logprobs(id, created, model, delta, finish_reason=None):
    "Leaves out logprobs."
    return {"id": id, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}

# --- sse_event ---------------------------------------------------------------------------------------------------
@mistake("sse_event")
def one_newline(data):
    "Ends the event with one newline: no blank line, so the client never sees the event end."
    return "data: " + (data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)) + "\n"

@mistake("sse_event")
def ascii_escapes(data):
    "Lets json.dumps escape non-ASCII characters."
    return "data: " + (data if isinstance(data, str) else json.dumps(data)) + "\n\n"

@mistake("sse_event")
def strings_json_encoded(data):
    "JSON-encodes strings too: the stream ends with '\"[DONE]\"', which no client recognises."
    return "data: " + json.dumps(data, ensure_ascii=False) + "\n\n"

@mistake("sse_event")
def no_data_field(data):
    "Sends the payload without the 'data: ' field name."
    return (data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)) + "\n\n"

# --- stream_events -----------------------------------------------------------------------------------------------
def _events(pieces, id, created, model, max_tokens, role=True, done=True, finish=None, send_empty=False, strict=False):
    if role: yield sse_event(chat_chunk(id, created, model, {"role": "assistant", "content": ""}))
    n = 0
    for piece in pieces:
        n += 1
        if piece or send_empty: yield sse_event(chat_chunk(id, created, model, {"content": piece}))
    reason = finish or ("length" if (n > max_tokens if strict else n >= max_tokens) else "stop")
    yield sse_event(chat_chunk(id, created, model, {}, reason))
    if done: yield sse_event("[DONE]")

@mistake("stream_events")
def no_role_chunk(pieces, id, created, model, max_tokens):
    "Starts with the text: the client never learns who speaks."
    return _events(pieces, id, created, model, max_tokens, role=False)

@mistake("stream_events")
def no_done(pieces, id, created, model, max_tokens):
    "Never sends [DONE]."
    return _events(pieces, id, created, model, max_tokens, done=False)

@mistake("stream_events")
def finish_always_stop(pieces, id, created, model, max_tokens):
    "Always reports 'stop', also when max_tokens cut the reply."
    return _events(pieces, id, created, model, max_tokens, finish="stop")

@mistake("stream_events")
def finish_length_off_by_one(pieces, id, created, model, max_tokens):
    "Reports 'length' only when more pieces came than max_tokens (never happens)."
    return _events(pieces, id, created, model, max_tokens, strict=True)

@mistake("stream_events")
def empty_pieces_sent(pieces, id, created, model, max_tokens):
    "Sends a chunk for every piece, empty ones too."
    return _events(pieces, id, created, model, max_tokens, send_empty=True)

# --- create_app --------------------------------------------------------------------------------------------------
def _app(generate, model_id="handbook-tiny", max_tokens_cap=256, max_body_bytes=100_000, default_max_tokens=16,
         buffer_stream=False, errors_200=False, any_type=False, no_limit=False, media="text/event-stream",
         own_max=False):
    app = FastAPI()
    def error(err): return JSONResponse(err.body(), status_code=200 if errors_200 else err.status)

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        if not any_type and request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            return error(APIError(415, "json only", code="unsupported_media_type"))
        raw = await request.body()
        if not no_limit and len(raw) > max_body_bytes: return error(APIError(413, "too large"))
        try: body = json.loads(raw)
        except ValueError: return error(APIError(400, "not JSON"))
        if err := validate_request(body, True, model_id, max_tokens_cap): return error(err)
        mt = default_max_tokens if own_max else body.get("max_tokens") or default_max_tokens
        temperature = 1.0 if body.get("temperature") is None else body["temperature"]
        pieces = generate(body["messages"], mt, temperature, body.get("seed"))
        rid, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        if body.get("stream") and not buffer_stream:
            return StreamingResponse(stream_events(pieces, rid, created, model_id, mt), media_type=media)
        pieces = list(pieces)
        choice = {"index": 0, "message": {"role": "assistant", "content": "".join(pieces)}, "logprobs": None,
                  "finish_reason": "length" if len(pieces) >= mt else "stop"}
        return JSONResponse({"id": rid, "object": "chat.completion", "created": created, "model": model_id,
                             "choices": [choice]})
    return app

@mistake("create_app")
def buffers_the_stream(generate, **settings):
    "Answers stream=true with one whole JSON reply."
    return _app(generate, buffer_stream=True, **settings)

@mistake("create_app")
def errors_with_status_200(generate, **settings):
    "Sends the error body with status 200."
    return _app(generate, errors_200=True, **settings)

@mistake("create_app")
def any_content_type(generate, **settings):
    "Runs a generation for a text/plain POST, which any web page can send."
    return _app(generate, any_type=True, **settings)

@mistake("create_app")
def no_body_limit(generate, **settings):
    "Reads and parses a body of any size."
    return _app(generate, no_limit=True, **settings)

@mistake("create_app")
def wrong_media_type(generate, **settings):
    "Streams the events as text/plain."
    return _app(generate, media="text/plain", **settings)

@mistake("create_app")
def ignores_max_tokens(generate, **settings):
    "Always generates default_max_tokens tokens, whatever the request asked for."
    return _app(generate, own_max=True, **settings)
