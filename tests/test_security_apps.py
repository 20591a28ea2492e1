"""Issue 16: the course's own applications hold against hostile input (SQL guard, agent tools, server, widgets, PII).

Each test names the hole it closes; every one of them failed on the code before the fix. Servers bind 127.0.0.1,
request loops are bounded, Hypothesis runs derandomized with a bounded number of examples.
"""
import contextlib, json, re, shutil, sqlite3, subprocess, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------- SQL: the guard and the walls behind it
from course_lib.text_to_sql import COURSE_SCHEMA, build_course_db, connect_ro, run_sql
from course_lib.sql_guard import guard_sql, sql_tokens, sql_verdict, sql_walls

@pytest.fixture(scope="module")
def course_db(tmp_path_factory):
    return build_course_db(tmp_path_factory.mktemp("db") / "course.sqlite", seed=0)

@pytest.mark.parametrize("sql", [
    "SELECT sqlite_master.sql AS sql, 1 AS sqlite_master FROM students, sqlite_master",   # alias + comma (the issue)
    "SELECT * FROM grades g JOIN students s ON g.student_id = s.id, sqlite_master",
    "SELECT name FROM students WHERE id IN (SELECT 1 FROM grades, sqlite_master)",
    "SELECT * FROM (SELECT * FROM sqlite_master)", "SELECT * FROM main.sqlite_master",
    "SELECT * FROM pragma_table_info('grades')", "WITH x AS (SELECT 1) SELECT * FROM x",
    "SELECT * FROM grades LIMIT 0, 100000", "SELECT * FROM grades LIMIT 1 * 100000",
    "SELECT * FROM grades LIMIT (SELECT 100000)", "SELECT * FROM grades LIMIT -1",
    "SELECT * FROM grades LIMIT 5 OFFSET (SELECT 1)", "SELECT * FROM (SELECT * FROM grades LIMIT 0, 9)"])
def test_guard_refuses_hidden_tables_and_limit_forms(sql):
    assert sql_verdict(sql, COURSE_SCHEMA) == (False, None)

def test_row_cap_holds(course_db):
    assert len(run_sql(course_db, "SELECT * FROM grades LIMIT 100000", max_rows=100)[1]) == 100
    assert len(run_sql(course_db, "SELECT * FROM grades, students LIMIT 5 OFFSET 3", max_rows=100)[1]) == 5

def test_join_bomb_stops_within_budget(course_db):
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="budget of 1.0 s"):
        run_sql(course_db, "SELECT COUNT(*) FROM grades a, grades b, grades c, grades d, grades e, grades f", budget_s=1.0)
    assert time.perf_counter() - t0 < 5

def test_authorizer_stops_what_bypasses_the_guard(course_db):
    with contextlib.closing(connect_ro(course_db)) as con:
        for sql in ["SELECT sql FROM sqlite_master", "SELECT randomblob(4)", "SELECT COUNT(*) FROM students, sqlite_master"]:
            with pytest.raises(sqlite3.DatabaseError):
                with sql_walls(con, COURSE_SCHEMA): con.execute(sql).fetchall()

# Hypothesis: random statements from the guard's own vocabulary, and mutations of good ones
from hypothesis import HealthCheck, given, settings, strategies as st

_GOOD = ["SELECT name FROM students", "SELECT s.name, g.score FROM grades g JOIN students s ON g.student_id = s.id",
         "SELECT AVG(score) AS mean FROM grades GROUP BY lab_id ORDER BY mean DESC LIMIT 3",
         "SELECT name FROM students WHERE id IN (SELECT student_id FROM grades WHERE score > 99)",
         "SELECT COUNT(*) FROM labs l, lessons WHERE l.lesson = lessons.number LIMIT 5 OFFSET 1",
         "SELECT title FROM lessons WHERE title LIKE '%RAG%'"]
_VOCAB = (["SELECT", "FROM", "JOIN", "ON", "WHERE", "AS", "LIMIT", "OFFSET", "UNION", "IN", "GROUP", "BY", ",", "(", ")",
           "*", "=", ".", "1", "0", "100000", "'x'", "COUNT", "MAX", "randomblob", "sqlite_master", "sqlite_schema",
           "main", "temp", "secret", "rowid"] + list(COURSE_SCHEMA) + [c for cs in COURSE_SCHEMA.values() for c in cs])

def _mutate(draw_toks, edits):
    toks = list(draw_toks)
    for op, pos, tok in edits:
        i = pos % (len(toks) + 1)
        if op == 0: toks.insert(i, tok)
        elif op == 1 and toks: toks[min(i, len(toks) - 1)] = tok
        elif op == 2 and len(toks) > 1: del toks[min(i, len(toks) - 1)]
    return " ".join(toks)

_statements = st.one_of(
    st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=14).map(lambda t: "SELECT " + " ".join(t)),
    st.builds(_mutate, st.sampled_from(_GOOD).map(sql_tokens),
              st.lists(st.tuples(st.integers(0, 2), st.integers(0, 40), st.sampled_from(_VOCAB)), min_size=1, max_size=4)))

@settings(max_examples=300, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(sql=_statements)
def test_property_guard_accepts_only_what_the_authorizer_accepts(course_db, sql):
    ok, safe = sql_verdict(sql, COURSE_SCHEMA)
    if not ok: return
    log = []
    with contextlib.closing(connect_ro(course_db)) as con:
        try:
            with sql_walls(con, COURSE_SCHEMA, budget_s=1.0, log=log): con.execute(safe).fetchmany(5)
        except TimeoutError: pass
        except sqlite3.Error as e: assert "authoriz" not in str(e) and "prohibited" not in str(e), (safe, e)
    assert all(allowed for *_, allowed in log), (safe, [a for a in log if not a[-1]])
    assert {a[1] for a in log if a[0] == sqlite3.SQLITE_READ} <= set(COURSE_SCHEMA), safe

# ---------------------------------------------------------------- the agent's tools
from course_lib.agents import Tool, calculate, sql_tool

def test_calculator_refuses_bombs_quickly():
    t0 = time.perf_counter()
    for bomb in ["((((9**99)**99)**99)**99)**99", "(10**100)**41", "2.0**99*2.0**99*2.0**99*2.0**99*2.0**99*2.0**99*2.0**99"
                 "*2.0**99*2.0**99*2.0**99*2.0**99", "(-8) ** 0.5"]:
        with pytest.raises(ValueError): calculate(bomb)
    assert time.perf_counter() - t0 < 1
    assert calculate("9**99") == 9**99 and calculate("2 * (3 + 4)") == 14

def test_every_tool_has_a_time_budget(course_db):
    slow = Tool("slow", "sleeps", {"type": "object", "properties": {}}, lambda: time.sleep(3), budget_s=0.3)
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="budget"): slow({})
    assert time.perf_counter() - t0 < 1.5
    with pytest.raises(ValueError, match="budget"):
        sql_tool(course_db)({"query": "SELECT COUNT(*) FROM grades a, grades b, grades c, grades d, grades e, grades f"})

# ---------------------------------------------------------------- widgets escape what they insert
XSS = "<img src=x onerror=alert(1)>"

def test_search_widget_html_is_escaped():
    from course_lib.vectorstore import Hit, hits_html
    page = hits_html([Hit("1", XSS, {"source": XSS, "headers": XSS}, 0.5)])
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page

def test_rag_and_red_team_html_are_escaped():
    import html
    src = (ROOT / "course_lib" / "rag_answers.py").read_text()
    assert "html.escape(h.text" in src and "html.escape(ans.text)" in src
    assert html.escape(XSS) != XSS

# ---------------------------------------------------------------- PII
from course_lib.pii import PII_HELDOUT, find_pii, pii_scores

def test_pii_single_definitions_dates_and_bare_numbers():
    src = (ROOT / "course_lib" / "pii.py").read_text()
    assert src.count("def iban_valid") == 1 and src.count("\nDETECTORS =") == 1
    assert find_pii("Sent 2024-01-15 10:30") == []
    assert find_pii("call 5551234567") == [("PHONE", 5, 15)]

def test_pii_held_out_scores():
    total = pii_scores(PII_HELDOUT)[-1]
    assert total["precision"] >= 0.8 and total["recall"] >= 0.8, total

# ---------------------------------------------------------------- the server
@pytest.fixture(scope="module")
def server():
    import torch
    from course_lib.pretrain import load_base_model
    from course_lib.serve import ServeConfig, create_app, running_server
    torch.set_num_threads(1)
    model, tokenizer = load_base_model("cpu")
    app = create_app(model, tokenizer, ServeConfig(max_body_bytes=20_000, batch_window_ms=30))
    with running_server(app) as url:
        yield url, tokenizer

GOOD = {"model": "handbook-tiny", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 8, "temperature": 0}

def _post(url, body=None, **kw):
    import httpx
    with httpx.Client(base_url=url, timeout=120) as http:
        return http.post("/v1/chat/completions", **({"json": body} if body is not None else {}), **kw)

BAD = {"seed 2**64": dict(body={**GOOD, "seed": 2**64}, status=400, param="seed"),
       "seed -1": dict(body={**GOOD, "seed": -1}, status=400, param="seed"),
       "text/plain": dict(content=json.dumps(GOOD), headers={"content-type": "text/plain"}, status=415),
       "no content type": dict(content=json.dumps(GOOD).encode(), headers={"content-type": ""}, status=415),
       "Content-Length over the limit": dict(content=json.dumps({**GOOD, "pad": "x" * 30_000}), status=413,
                                             headers={"content-type": "application/json"}),
       "streamed body over the limit": dict(content=iter([b'{"model": "handbook-tiny", "pad": "'] + [b"x" * 4096] * 10 + [b'"}']),
                                            headers={"content-type": "application/json"}, status=413),
       "tools": dict(body={**GOOD, "tools": []}, status=400, param="tools"),
       "response_format json_schema": dict(body={**GOOD, "response_format": {"type": "json_schema"}}, status=400,
                                           param="response_format"),
       "presence_penalty 1": dict(body={**GOOD, "presence_penalty": 1}, status=400, param="presence_penalty"),
       "n over the limit": dict(body={**GOOD, "n": 99}, status=400, param="n"),
       "max_completion_tokens 0": dict(body={**GOOD, "max_completion_tokens": 0}, status=400, param="max_completion_tokens")}

@pytest.mark.parametrize("name", list(BAD))
def test_bad_request_fails_alone(server, name):
    url, _ = server
    spec = dict(BAD[name])
    status, param = spec.pop("status"), spec.pop("param", None)
    baseline = _post(url, GOOD).json()["choices"][0]["message"]["content"]
    with ThreadPoolExecutor(5) as pool:
        goods = [pool.submit(_post, url, GOOD) for _ in range(4)]
        bad = pool.submit(_post, url, spec.pop("body", None), **spec)
        r = bad.result()
        assert r.status_code == status, (name, r.status_code, r.text[:200])
        if param: assert r.json()["error"]["param"] == param
        for g in goods:
            assert g.result().status_code == 200
            assert g.result().json()["choices"][0]["message"]["content"] == baseline

def test_json_object_n_and_max_completion_tokens(server):
    url, _ = server
    r = _post(url, {**GOOD, "max_tokens": 64, "n": 2, "seed": 3, "temperature": 1.0, "response_format": {"type": "json_object"}})
    assert r.status_code == 200, r.text
    choices = r.json()["choices"]
    assert [c["index"] for c in choices] == [0, 1]
    for c in choices: assert isinstance(json.loads(c["message"]["content"]), dict), c
    r = _post(url, {k: v for k, v in GOOD.items() if k != "max_tokens"} | {"max_completion_tokens": 3})
    assert r.json()["usage"]["completion_tokens"] <= 3

def test_unseeded_sampling_is_random_and_seeded_repeats(server):
    url, _ = server
    body = {**GOOD, "max_tokens": 16, "temperature": 1.0}
    texts = [_post(url, body).json()["choices"][0]["message"]["content"] for _ in range(3)]
    assert len(set(texts)) > 1, texts
    seeded = [_post(url, {**body, "seed": 11}).json()["choices"][0]["message"]["content"] for _ in range(2)]
    assert seeded[0] == seeded[1]

def test_metrics_parse_with_prometheus_client(server):
    import httpx
    from prometheus_client.parser import text_string_to_metric_families
    url, _ = server
    _post(url, GOOD)
    families = {f.name: f for f in text_string_to_metric_families(httpx.get(url + "/metrics", timeout=30).text)}
    assert families["llm_requests"].type == "counter"
    assert families["llm_request_latency_seconds"].type == "histogram"
    assert any(s.value >= 1 for s in families["llm_requests"].samples)

@pytest.mark.skipif(not shutil.which("node"), reason="node runs the chat page's own fit()")
def test_chat_page_keeps_the_conversation_in_the_context(server):
    import httpx
    url, tokenizer = server
    page = httpx.get(url + "/", timeout=30).text
    fit_js = "\n".join(l for l in page.splitlines() if l.startswith(("function cost", "function fit", "  while")))
    history = [{"role": "user" if k % 2 == 0 else "assistant", "content": f"turn {k}: " + "naïve " * 15} for k in range(40)]
    js = fit_js + f"\nconsole.log(JSON.stringify(fit({json.dumps(history)}, 512 - 48)));"
    kept = json.loads(subprocess.run(["node", "-e", js], capture_output=True, text=True, timeout=30, check=True).stdout)
    assert kept == history[-len(kept):] and len(kept) >= 2
    r = _post(url, {"model": "handbook-tiny", "messages": kept, "max_tokens": 48, "temperature": 0})
    assert r.status_code == 200, r.text[:300]
    assert _post(url, {**GOOD, "messages": history, "max_tokens": 48}).status_code in (400, 413)  # untrimmed: refused

# ---------------------------------------------------------------- the course's load test against locust
LOCUSTFILE = '''
import itertools
from locust import HttpUser, constant, task
PROMPTS = itertools.cycle({prompts!r})
class Client(HttpUser):
    wait_time = constant(0)
    @task
    def complete(self):
        self.client.post("/v1/completions", json={{"model": "handbook-tiny", "prompt": next(PROMPTS), "max_tokens": 16,
                                                  "temperature": 0}})
'''
LOAD_PROMPTS = ["The function returns", "Return a new list of", "Raise ValueError if", "The default is"]

@pytest.mark.skipif(not shutil.which("locust") and not (ROOT / ".venv/bin/locust").exists(), reason="locust not installed")
def test_load_test_agrees_with_locust(server, tmp_path):
    "Same server, same mix (4 prompts, 16 greedy tokens, 4 clients in a closed loop): req/s within 50%."
    import csv, sys
    from course_lib.monitor import load_test
    url, _ = server
    ours = load_test(url, LOAD_PROMPTS, n_requests=24, concurrency=4, max_tokens=16)
    (tmp_path / "locustfile.py").write_text(LOCUSTFILE.format(prompts=LOAD_PROMPTS))
    exe = shutil.which("locust") or str(ROOT / ".venv/bin/locust")
    subprocess.run([exe, "-f", str(tmp_path / "locustfile.py"), "--headless", "-u", "4", "-r", "4", "--run-time", "20s",
                    "--host", url, "--csv", str(tmp_path / "run"), "--only-summary", "--stop-timeout", "10"],
                   capture_output=True, text=True, timeout=120, cwd=tmp_path)
    rows = {r["Name"]: r for r in csv.DictReader(open(tmp_path / "run_stats.csv"))}
    theirs = rows["Aggregated"]
    assert int(theirs["Failure Count"]) == 0 and ours["ok"] == 24
    rps, p50 = float(theirs["Requests/s"]), float(theirs["50%"])
    print(f"course load_test: {ours['req_per_s']:.2f} req/s, p50 {ours['p50_ms']:.0f} ms; "
          f"locust: {rps:.2f} req/s, p50 {p50:.0f} ms ({theirs['Request Count']} requests)", file=sys.stderr)
    assert 0.5 <= ours["req_per_s"] / rps <= 2.0
