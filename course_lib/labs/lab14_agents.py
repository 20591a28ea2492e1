"""Checks of lab 14_agents (the lessons' modules: `course_lib.text_to_sql`, `course_lib.agents`): the SQL guard of
issue 16 (table references wherever they occur, every LIMIT form, an alias never makes a table legal), sqlite's own
walls behind it (an authorizer and a time budget), the ReAct parser and the ReAct loop. Hand-written, not exported:
the library holds only what a practitioner imports. The guard, the walls and the loop are specified here, as the
lab teaches them, so their references live beside these checks, in `reference14_agents.py`."""
from __future__ import annotations
import re, sqlite3, tempfile, time
from pathlib import Path
from course_lib.text_to_sql import COURSE_SCHEMA, build_course_db, connect_ro, join_sql, sql_tokens
from course_lib import text_to_sql as _t2s, agents as _agents
from course_lib.agents import ScriptedModel, Tool, calculator_tool, parse_react
from course_lib.labs.reference14_agents import (CLAUSE_END, clamp_limit, guard_sql, react, sql_verdict, table_refs,
                                                walled_query)

# --- what the checks run ------------------------------------------------------------------------------------------
_DB: dict = {}

def course_db() -> Path:
    "The seeded course database, built once per process in a temporary folder."
    if "path" not in _DB: _DB["path"] = build_course_db(Path(tempfile.mkdtemp(prefix="lab14-"))/"course.sqlite")
    return _DB["path"]

def _outcome(e:BaseException) -> str:
    if isinstance(e, TimeoutError): return "TimeoutError"
    if isinstance(e, ValueError):
        return "ValueError" + (" (denied)" if re.search(r"not authorized|prohibited", str(e), re.I) else "")
    return type(e).__name__

def _walls_harness(fn, sql, schema=COURSE_SCHEMA, budget_s=0.3):
    "Run walled_query on a fresh read-only connection (a 6 s backstop behind it): [what came out, in time, walls down]."
    con = connect_ro(course_db())
    try:
        backstop = time.monotonic() + 6.0
        con.set_progress_handler(lambda: int(time.monotonic() > backstop), 1000)
        t0 = time.monotonic()
        try: got = [list(r) for r in fn(con, sql, schema, budget_s)]
        except (ValueError, TimeoutError, sqlite3.Error) as e: got = _outcome(e)
        in_time = time.monotonic() - t0 < budget_s + 2.0
        con.set_progress_handler(None, 0)
        try: walls_down = bool(con.execute("SELECT name FROM sqlite_master LIMIT 1").fetchall())
        except sqlite3.Error: walls_down = False
        return [got, in_time, walls_down]
    finally: con.close()

def _lookup(key:str) -> str:
    "A toy tool: a fixed table of facts."
    facts = {"capital of france": "Paris", "lab 14": "agents", "answer": "42"}
    if key.lower() not in facts: raise ValueError(f"no fact about {key!r}")
    return facts[key.lower()]

def _tools() -> list:
    schema = {"type": "object", "properties": {"key": {"type": "string"}}, "required": ["key"],
              "additionalProperties": False}
    return [calculator_tool(), Tool("lookup", "Look up a fact.", schema, _lookup)]

def _norm(text) -> str|None:
    "An observation or prompt with error messages cut to 'Error' (messages are the student's own words)."
    return None if text is None else re.sub(r"^Observation: Error\b.*$", "Observation: Error", re.sub(
        r"^Error\b.*", "Error", str(text), flags=re.S), flags=re.M)

def _react_harness(fn, outputs, question="q?", max_steps=5, tools=None):
    "Run the student's loop with a scripted model; its answer, stop reason, observations and the prompts the model saw."
    model = ScriptedModel(outputs)
    run = fn(model, _tools() if tools is None else tools, question, max_steps)
    steps = getattr(run, "steps", None) or []
    return {"answer": getattr(run, "answer", None), "stop": getattr(run, "stop", None),
            "actions": [s.get("action") for s in steps], "observations": [_norm(s.get("observation")) for s in steps],
            "prompts": [_norm(p) for p in model.prompts]}

def _step(action:str, **args) -> str:
    import json
    return f"Thought: use {action}\nAction: {action}\nAction Input: {json.dumps(args)}"

LAB_ALLOWED = ["SELECT name FROM students", "select COUNT(*) from grades;",
               "SELECT s.name, g.score FROM grades g JOIN students s ON g.student_id = s.id WHERE g.score > 90",
               "SELECT AVG(score) AS mean FROM grades GROUP BY lab_id ORDER BY mean DESC LIMIT 3",
               "SELECT title FROM lessons LIMIT 1000", "SELECT title FROM lessons LIMIT 5 OFFSET 100000",
               "SELECT name FROM students WHERE id IN (SELECT student_id FROM grades WHERE score > 99 LIMIT 5)",
               "SELECT 'a;b' FROM labs", "SELECT s.name FROM students AS s, grades AS g WHERE s.id = g.student_id",
               "SELECT (SELECT COUNT(*) FROM labs), name FROM students",
               "SELECT l.name FROM labs l LEFT JOIN grades g ON g.lab_id = l.id, students s WHERE s.id = 1"]
ATTACKS = ["SELECT sqlite_master.sql AS sql, 1 AS sqlite_master FROM students, sqlite_master",
           "SELECT name FROM students LIMIT 0, 100000", "SELECT name FROM students LIMIT 1 * 100000",
           "SELECT COUNT(*) FROM grades a, grades b, grades c, grades d, grades e, grades f"]
LAB_REFUSED = ATTACKS[:3] + [
    "SELECT * FROM grades; DROP TABLE grades", "DROP TABLE grades", "DELETE FROM grades",
    "SELECT * INTO copy FROM grades",
    "SELECT * FROM sqlite_master", "SELECT secret FROM students", "SELECT load_extension('x.so')", "", "   ;  ",
    "PRAGMA table_info(grades)", "SELECT name FROM students LIMIT ALL", "SELECT * FROM grades -- comment",
    "SELECT name FROM students AS sqlite_master, sqlite_master", "SELECT 1 AS sqlite_master FROM sqlite_master",
    "SELECT name FROM students WHERE id IN (SELECT id FROM sqlite_master)", "SELECT name FROM students LIMIT -1",
    "SELECT name FROM students LIMIT (SELECT 100000)", "SELECT name FROM students OFFSET 5",
    "SELECT x.name FROM students s JOIN sqlite_master x ON 1 = 1", "SELECT COUNT(*) FROM (SELECT * FROM sqlite_master)",
    "SELECT name FROM (students)", "SELECT name FROM students WHERE (id = 1",
    "SELECT sqlite_master.sql AS x, 1 AS sqlite_master FROM (sqlite_master)"]

LAB_REACT = ["Thought: easy\nFinal Answer: 42", 'Thought: look it up\nAction: sql\nAction Input: {"query": "SELECT 1"}',
             'Action: calculator\nAction Input: {"expression": "2 + 2"}\nObservation: 4',
             'Action: calculator\nAction Input: {"expression": "2 + 2"}\nObservation: 4\n'
             'Thought: done\nFinal Answer: 4',
             "Thought: a long answer\nFinal Answer: line one\nline two",
             'Thought:\nAction: search\nAction Input:   {"query": "rag", "k": 2}  ',
             'Thought: first\nThought: second\nFinal Answer: a\nFinal Answer: b']
LAB_REACT_BAD = ["Thought: nothing to do", "Action: sql", 'Action: sql\nAction Input: {"query": ',
                 'Action: sql\nAction Input: ["SELECT 1"]', 'Action: calculator\nAction Input: {}\nFinal Answer: 3',
                 'Thought: t\nObservation: Final Answer: 4']

HIDDEN_SQL = ["SELECT * FROM Grades G WHERE G.Score >= 50", "SELECT 1; SELECT 2", "select name from students; ",
              "SELECT * FROM grades WHERE score > 1 UNION SELECT * FROM grades", "ATTACH DATABASE 'x' AS y",
              "SELECT randomblob(10)", "WITH x AS (SELECT 1) SELECT * FROM x",
              "SELECT name FROM labs, lessons AS sqlite_schema, sqlite_schema", "SELECT title FROM lessons LIMIT 2, 3",
              "SELECT title FROM lessons LIMIT 10 OFFSET 2 * 3"]

def _lib_guard() -> tuple:
    "The library's guard functions (whichever exist in this version): a student may not call them either."
    names = ((_t2s, "guard_sql"), (_t2s, "sql_verdict"), (_agents, "sql_verdict"))
    return tuple(getattr(m, n) for m, n in names if getattr(m, n, None) is not None)

def _guard_checks(Check, Case) -> list:
    "table_refs, clamp_limit and the guard (through sql_verdict)."
    sv = lambda sql, **kw: Case(f"{sql[:60]!r}" + (f" {kw}" if kw else ""), (sql, COURSE_SCHEMA), kw)
    tr = lambda sql: Case(f"{sql[:60]!r}", (sql_tokens(sql),))
    cl = lambda sql, n=100, **kw: Case(f"{sql[:60]!r}, max_rows={n}", (sql_tokens(sql), n), **kw)
    no = dict(raises="ValueError", match="LIMIT")
    return [
        Check("table_refs", table_refs, points=2,
              hint="a table position is the token after FROM or JOIN, or after a comma while a FROM list is open at "
                   "that depth of parentheses; WHERE, GROUP, ORDER, LIMIT, OFFSET, HAVING and UNION close the list; "
                   "an alias is the non-keyword word after the table (AS optional); '(' SELECT is a sub-query",
              cases=[tr("SELECT name FROM students"), tr("SELECT * FROM Grades G WHERE G.score > 1"),
                     tr(ATTACKS[0]), tr(ATTACKS[3]),
                     tr("SELECT s.name FROM students AS s JOIN grades g ON g.student_id = s.id"),
                     tr("SELECT name FROM students WHERE id IN (SELECT student_id FROM grades, labs "
                        "WHERE lab_id = labs.id)"),
                     tr("SELECT a, b FROM t WHERE c IN (1, 2), d"),
                     tr("SELECT (SELECT COUNT(*) FROM labs), name FROM students"),
                     tr("SELECT x FROM (SELECT y FROM t1) AS sub, t2 ORDER BY x, y"),
                     tr("SELECT a FROM t UNION SELECT b FROM u, v"), tr("SELECT 1"),
                     tr("SELECT a FROM (t1 JOIN t2), t3")]),
        Check("clamp_limit", clamp_limit, points=2,
              hint="every LIMIT, at any depth, must be one whole number with an optional OFFSET and a whole number, "
                   "then the end or ')'; OFFSET only right after LIMIT n; clamp the ones outside parentheses, add one "
                   "if none",
              cases=[cl("SELECT a FROM t"), cl("SELECT a FROM t LIMIT 1000"), cl("SELECT a FROM t LIMIT 7", 5),
                     cl("SELECT a FROM t LIMIT 3"), cl("SELECT a FROM t LIMIT 500 OFFSET 100000"),
                     cl("SELECT a FROM t WHERE b IN (SELECT c FROM u LIMIT 1000)"),
                     cl("SELECT a FROM t WHERE b IN (SELECT c FROM u LIMIT 2) LIMIT 9999", 50),
                     cl("SELECT a FROM t LIMIT 0, 100000", **no), cl("SELECT a FROM t LIMIT 1 * 100000", **no),
                     cl("SELECT a FROM t LIMIT ALL", **no), cl("SELECT a FROM t LIMIT -1", **no),
                     cl("SELECT a FROM t LIMIT 5 OFFSET 1 + 1", raises="ValueError"),
                     cl("SELECT a FROM t OFFSET 5", raises="ValueError", match="OFFSET"),
                     cl("SELECT a FROM t WHERE b IN (SELECT c FROM u LIMIT 0, 99999)", **no),
                     cl("SELECT a FROM t", 0, raises="ValueError", match="max_rows")]),
        Check("sql_verdict", sql_verdict, points=4, forbid=(sql_verdict, guard_sql) + _lib_guard(),
              hint="refuse unless: one statement, SELECT first, no forbidden word, balanced parentheses, every table "
                   "reference (table_refs) in the schema, every function allowed, every other word a keyword, "
                   "table, column or alias; then clamp_limit and join_sql",
              cases=[sv(s) for s in LAB_ALLOWED + LAB_REFUSED]
                    + [sv("SELECT name FROM students LIMIT 50", max_rows=10)]),
        Check("sql_verdict (hidden)", sql_verdict, points=1, hidden=True, func="sql_verdict",
              forbid=(sql_verdict, guard_sql) + _lib_guard(),
              hint="names are case-insensitive; aliases come from AS and from the word after a table",
              cases=[sv(s) for s in HIDDEN_SQL]),
    ]

def _wall_checks(Check, Case) -> list:
    "walled_query, on the course database."
    wq = lambda desc, sql, **kw: Case(desc, (sql,), kw)
    small = {"students": ["id", "name"], "lessons": ["number", "title"]}
    return [
        Check("walled_query", walled_query, points=3, harness=_walls_harness,
              hint="set_authorizer: SELECT, READ of the schema's tables and columns (a COUNT(*) reads column ''), "
                   "FUNCTION if allowed (LIKE is a function to sqlite), deny the rest; set_progress_handler with a "
                   "deadline; an interrupt is a TimeoutError, any other sqlite error a ValueError; take both walls "
                   "down afterwards, whatever happened",
              cases=[wq("a plain SELECT", "SELECT name, cohort FROM students WHERE id <= 3"),
                     wq("COUNT(*) and LIKE", "SELECT COUNT(*) FROM students WHERE name LIKE 'A%'"),
                     wq("allowed functions", "SELECT ABS(-2), LOWER('A'), ROUND(2.567, 1)"),
                     wq("a join", "SELECT s.name, g.score FROM grades g JOIN students s ON g.student_id = s.id "
                                  "WHERE g.lab_id = 1 ORDER BY g.score DESC LIMIT 3"),
                     wq("the schema table", "SELECT sql FROM sqlite_master"), wq(ATTACKS[0][:60], ATTACKS[0]),
                     wq("a function not allowed", "SELECT randomblob(10)"), wq("a pragma", "PRAGMA table_info(grades)"),
                     wq("a column outside a narrower schema", "SELECT cohort FROM students", schema=small),
                     wq("* reads every column", "SELECT * FROM students", schema=small),
                     wq("a table outside a narrower schema", "SELECT COUNT(*) FROM grades", schema=small),
                     wq("the six-way self join", ATTACKS[3]),
                     wq("a three-way join in time", "SELECT COUNT(*) FROM students a, students b, students c",
                        budget_s=2.0)]),
    ]

def _agent_checks(Check, Case) -> list:
    "parse_react and the ReAct loop, with scripted models."
    own_obs = 'Action: lookup\nAction Input: {"key": "lab 14"}\nObservation: hacked\nFinal Answer: hacked'
    return [
        Check("parse_react", parse_react, points=2,
              hint="cut at the first line starting with 'Observation:'; each field runs to the next field line; the "
                   "first occurrence wins; Action Input is a JSON object; both or neither of Action and Final Answer "
                   "is an error",
              cases=[Case(repr(t[:40]), (t,)) for t in LAB_REACT] +
                    [Case(repr(t[:40]), (t,), raises="ValueError") for t in LAB_REACT_BAD]),
        Check("react", react, points=3, harness=_react_harness, forbid=(react, _agents.react),
              hint="each step: call the model on the prompt so far, parse it; a final answer ends the run; else run "
                   "the named tool on its input; any ValueError becomes the observation 'Error: ...'; append the "
                   "step (up to any 'Observation:' the model wrote) and the real observation to the prompt; stop "
                   "after max_steps",
              cases=[Case("an answer at once", (["Thought: easy\nFinal Answer: 4"],)),
                     Case("one tool call, then the answer",
                          ([_step("calculator", expression="6 * 7"), "Thought: done\nFinal Answer: 42"],)),
                     Case("two tools", ([_step("lookup", key="answer"), _step("calculator", expression="40 + 2"),
                                        "Final Answer: 42"],)),
                     Case("an unknown tool", ([_step("search", query="x"), "Final Answer: sorry"],)),
                     Case("bad arguments and a tool error",
                          ([_step("calculator", expr="1"), _step("lookup", key="moon"), "Final Answer: no"],)),
                     Case("a step that does not parse", (["I think the answer is 4", "Final Answer: 4"],)),
                     Case("the model writes its own observation", ([own_obs, "Final Answer: agents"],)),
                     Case("out of steps", ([_step("lookup", key="answer")] * 3, "q?", 2)),
                     Case("two tools with one name",
                          (["Final Answer: 1"], "q?", 5, [calculator_tool(), calculator_tool()]),
                          raises="ValueError")]),
    ]

def lab_checks() -> list:
    "The checks of lab 14 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    return _guard_checks(Check, Case) + _wall_checks(Check, Case) + _agent_checks(Check, Case)
