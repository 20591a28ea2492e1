"""The reference solutions of lab 14_agents (the SQL guard, sqlite's walls, the ReAct loop), kept apart from the
checks in `lab14_agents.py`. Hand-written, not exported: the library holds only what a practitioner imports; the
guard, the walls and the loop are specified as the lab teaches them."""
from __future__ import annotations
import re, sqlite3, time
from course_lib.text_to_sql import FORBIDDEN_SQL, SQL_FUNCTIONS, SQL_KEYWORDS, connect_ro, join_sql, sql_tokens
from course_lib.agents import AgentRun, Tool, parse_react, react_prompt

CLAUSE_END = {"WHERE", "GROUP", "ORDER", "LIMIT", "OFFSET", "HAVING", "UNION"}  # what ends a FROM list

def _is_word(t:str) -> bool: return bool(t) and (t[0].isalpha() or t[0] == "_")

def table_refs(tokens:list[str]) -> list[tuple[str, str|None]]:
    "(table, alias) of every table reference: after FROM, JOIN and each comma of a FROM list, at every depth."
    refs, in_from, i = [], [False], 0
    while i < len(tokens):
        t, up = tokens[i], tokens[i].upper()
        if t == "(": in_from.append(False)
        elif t == ")": in_from = in_from[:-1] or [False]
        elif up in CLAUSE_END: in_from[-1] = False
        elif up in ("FROM", "JOIN") or (t == "," and in_from[-1]):
            in_from[-1] = True
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            after = tokens[i + 2] if i + 2 < len(tokens) else ""
            if nxt == "(" and after.upper() == "SELECT": pass  # a sub-query: its own FROM is found when we get there
            elif nxt == "(":  # a parenthesised table or join: recorded as "(", which no schema allows
                refs.append(("(", None))
            else:
                j = i + 3 if after.upper() == "AS" else i + 2
                word = tokens[j] if j < len(tokens) else ""
                alias = word if _is_word(word) and word.upper() not in SQL_KEYWORDS else None
                refs.append((nxt.lower(), alias.lower() if alias else None))
                i = j + 1 if alias else i + 2
                continue
        i += 1
    return refs

def _whole(tokens:list[str], i:int, what:str) -> int:
    if i >= len(tokens) or not tokens[i].isdigit():
        got = tokens[i] if i < len(tokens) else "nothing"
        raise ValueError(f"{what} must be followed by a whole number, got {got!r}")
    return int(tokens[i])

def clamp_limit(tokens:list[str], max_rows:int=100) -> list[str]:
    "Every LIMIT must be `LIMIT n [OFFSET m]` (else a ValueError); the ones outside parentheses clamped, or one added."
    if not (isinstance(max_rows, int) and max_rows >= 1):
        raise ValueError(f"max_rows must be an int >= 1, got {max_rows!r}")
    out, depth, clamped = list(tokens), 0, False
    for i, t in enumerate(tokens):
        depth += (t == "(") - (t == ")")
        up = t.upper()
        if up == "OFFSET" and not (i >= 2 and tokens[i - 2].upper() == "LIMIT"):
            raise ValueError("OFFSET is only allowed right after LIMIT n")
        if up != "LIMIT": continue
        n = _whole(tokens, i + 1, "LIMIT")
        j = i + 2
        if j < len(tokens) and tokens[j].upper() == "OFFSET":
            _whole(tokens, j + 1, "OFFSET")
            j += 2
        if j < len(tokens) and tokens[j] != ")":
            raise ValueError(f"LIMIT takes one whole number and an optional OFFSET, not {tokens[j]!r} after it")
        if depth == 0:
            out[i + 1], clamped = str(min(n, max_rows)), True
    return out if clamped else out + ["LIMIT", str(max_rows)]

def guard_sql(sql:str, schema:dict, max_rows:int=100) -> str:
    "The normalised statement if it is one safe SELECT over the schema's tables and names; a ValueError otherwise."
    toks = sql_tokens(sql)
    if toks and toks[-1] == ";": toks = toks[:-1]
    if not toks: raise ValueError("the statement is empty")
    if ";" in toks: raise ValueError("only one statement is allowed")
    if toks[0].upper() != "SELECT": raise ValueError(f"only SELECT is allowed, not {toks[0].upper()}")
    bad = [t.upper() for t in toks if _is_word(t) and t.upper() in FORBIDDEN_SQL]
    if bad: raise ValueError(f"{bad[0]} is not allowed")
    depth = 0
    for t in toks:
        depth += (t == "(") - (t == ")")
        if depth < 0: raise ValueError("unbalanced parentheses")
    if depth: raise ValueError("unbalanced parentheses")
    tables = {t.lower(): {c.lower() for c in cols} for t, cols in schema.items()}
    refs = table_refs(toks)
    for table, _ in refs:
        if table not in tables: raise ValueError(f"unknown table {table!r}")
    aliases = {a for _, a in refs if a} | {toks[i + 1].lower() for i, t in enumerate(toks[:-1])
                                          if t.upper() == "AS" and _is_word(toks[i + 1])}
    names = set(tables) | {c for cols in tables.values() for c in cols} | aliases
    for i, t in enumerate(toks):
        if not _is_word(t) or t.upper() in SQL_KEYWORDS: continue
        if i + 1 < len(toks) and toks[i + 1] == "(":
            if t.upper() not in SQL_FUNCTIONS: raise ValueError(f"function {t}() is not allowed")
        elif t.lower() not in names: raise ValueError(f"unknown name {t!r}")
    return join_sql(clamp_limit(toks, max_rows))

def sql_verdict(sql:str, schema:dict, max_rows:int=100) -> tuple:
    "(True, normalised SQL) if the guard lets the statement through, else (False, None)."
    try: return True, guard_sql(sql, schema, max_rows)
    except ValueError: return False, None

def walled_query(con:sqlite3.Connection, sql:str, schema:dict, budget_s:float=1.0) -> list[tuple]:
    "The rows of `sql`, run behind an authorizer (SELECT, READ of the schema, allowed functions) and a time budget."
    tables = {t.lower(): {c.lower() for c in cols} for t, cols in schema.items()}
    functions = {f.lower() for f in SQL_FUNCTIONS} | {"like"}
    def authorize(action, arg1, arg2, db_name, trigger):
        if action == sqlite3.SQLITE_SELECT: ok = True
        elif action == sqlite3.SQLITE_READ:
            table, column = (arg1 or "").lower(), (arg2 or "").lower()
            ok = table in tables and (column in tables[table] or column == "")
        elif action == sqlite3.SQLITE_FUNCTION: ok = (arg2 or "").lower() in functions
        else: ok = False
        return sqlite3.SQLITE_OK if ok else sqlite3.SQLITE_DENY
    deadline = time.monotonic() + budget_s
    con.set_authorizer(authorize)
    con.set_progress_handler(lambda: int(time.monotonic() > deadline), 1000)
    try: return con.execute(sql).fetchall()
    except sqlite3.OperationalError as e:
        if "interrupted" in str(e): raise TimeoutError(f"the query ran past its budget of {budget_s} s") from None
        raise ValueError(f"sqlite refused the query: {e}") from None
    except sqlite3.Error as e: raise ValueError(f"sqlite refused the query: {e}") from None
    finally:
        con.set_authorizer(None)
        con.set_progress_handler(None, 0)

def react(model, tools:list, question:str, max_steps:int=5) -> AgentRun:
    "The Thought/Action/Observation loop: parse each step, run its tool, append the observation; errors are observed."
    by_name = {t.name: t for t in tools}
    if len(by_name) != len(tools): raise ValueError("two tools have the same name")
    if max_steps < 1: raise ValueError(f"max_steps must be >= 1, got {max_steps}")
    prompt, run = react_prompt(question, tools), AgentRun(None)
    for _ in range(max_steps):
        out = model(prompt)
        step = {"output": out}
        run.steps.append(step)
        try:
            parsed = parse_react(out)
            if "final_answer" in parsed:
                run.answer, run.stop = parsed["final_answer"], "answer"
                return run
            step.update(action=parsed["action"], action_input=parsed["action_input"])
            if parsed["action"] not in by_name: raise ValueError(f"unknown tool {parsed['action']!r}")
            obs = str(by_name[parsed["action"]](parsed["action_input"]))
        except ValueError as e: obs = f"Error: {e}"
        step["observation"] = obs
        prompt += re.split(r"^Observation:", out, maxsplit=1, flags=re.M)[0].rstrip() + f"\nObservation: {obs}\n"
    run.stop = "max_steps"
    return run
