"""Checks of lab 14_agents (the lesson's module: `course_lib.agents`). Hand-written, not exported: the library holds only what a practitioner imports."""
from __future__ import annotations
from course_lib.agents import COURSE_SCHEMA, parse_react, sql_verdict

LAB_ALLOWED = ["SELECT name FROM students", "select COUNT(*) from grades;", "SELECT s.name, g.score FROM grades g JOIN students s ON g.student_id = s.id WHERE g.score > 90",
               "SELECT AVG(score) AS mean FROM grades GROUP BY lab_id ORDER BY mean DESC LIMIT 3", "SELECT title FROM lessons LIMIT 1000",
               "SELECT name FROM students WHERE id IN (SELECT student_id FROM grades WHERE score > 99)", "SELECT 'a;b' FROM labs"]

LAB_REFUSED = ["SELECT * FROM grades; DROP TABLE grades", "DROP TABLE grades", "DELETE FROM grades", "SELECT * INTO copy FROM grades",
               "SELECT * FROM sqlite_master", "SELECT secret FROM students", "SELECT load_extension('x.so')", "", "   ;  ",
               "PRAGMA table_info(grades)", "SELECT name FROM students LIMIT ALL", "SELECT * FROM grades -- comment"]

LAB_REACT = ["Thought: easy\nFinal Answer: 42", 'Thought: look it up\nAction: sql\nAction Input: {"query": "SELECT 1"}',
             'Action: calculator\nAction Input: {"expression": "2 + 2"}\nObservation: 4',
             "Thought: a long answer\nFinal Answer: line one\nline two", 'Thought:\nAction: search\nAction Input:   {"query": "rag", "k": 2}  ']

def lab_checks() -> list:
    "The checks of lab 14 (see `course_lib.grading`)."
    from course_lib.grading import Check, Case
    sv = lambda sql, **kw: Case(f"{sql[:50]!r}", (sql, COURSE_SCHEMA), kw)
    return [
        Check("sql_verdict", sql_verdict, points=3, hint="tokenize with sql_tokens, drop one trailing ';', then: one statement, SELECT first, no forbidden keyword, known tables after FROM/JOIN, known names, allowed functions, clamp or add LIMIT; return join_sql(tokens)",
              cases=[sv(s) for s in LAB_ALLOWED + LAB_REFUSED] + [sv("SELECT name FROM students LIMIT 50", max_rows=10)]),
        Check("parse_react", parse_react, points=2, hint="cut at the first line starting with 'Observation:'; each field runs to the next field line; the first occurrence wins; Action Input is JSON",
              cases=[Case(repr(t[:40]), (t,)) for t in LAB_REACT]),
        Check("sql_verdict (hidden)", sql_verdict, points=1, hidden=True, func="sql_verdict", hint="names are case-insensitive; aliases come from AS and from the word after a table",
              cases=[sv(s) for s in ["SELECT * FROM Grades G WHERE G.Score >= 50", "SELECT 1; SELECT 2", "select name from students; ",
                                     "SELECT * FROM grades WHERE score > 1 UNION SELECT * FROM grades", "ATTACH DATABASE 'x' AS y",
                                     "SELECT randomblob(10)", "WITH x AS (SELECT 1) SELECT * FROM x"]]),
    ]
