# Plausible wrong answers to lab 14. Each runs in the kernel that ran the solution (it sees its globals: json, re,
# sqlite3, time, sql_tokens, join_sql, the keyword sets, table_refs, clamp_limit, guard_sql, parse_react, ...) and
# must lose visible points of its exercise. `mistake` is injected by the grader.

def _is_word(t): return bool(t) and (t[0].isalpha() or t[0] == "_")

# --- table_refs --------------------------------------------------------------------------------------------------
def _refs(tokens, commas=True, per_depth=True, parens_are_subqueries=False, bare_alias=True, lower=True):
    refs, open_at, i = [], [False], 0
    case = (lambda t: t.lower()) if lower else (lambda t: t)
    while i < len(tokens):
        t, up = tokens[i], tokens[i].upper()
        if t == "(" and per_depth: open_at.append(False)
        elif t == ")" and per_depth: open_at = open_at[:-1] or [False]
        elif up in CLAUSE_END and per_depth: open_at[-1] = False
        elif up in ("FROM", "JOIN") or (commas and t == "," and open_at[-1]):
            open_at[-1] = True
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            after = tokens[i + 2] if i + 2 < len(tokens) else ""
            if nxt == "(" and (parens_are_subqueries or after.upper() == "SELECT"): pass
            elif nxt == "(": refs.append(("(", None))
            else:
                has_as = after.upper() == "AS"
                j = i + 3 if has_as else i + 2
                word = tokens[j] if j < len(tokens) else ""
                ok = _is_word(word) and word.upper() not in SQL_KEYWORDS and (has_as or bare_alias)
                alias = tokens[j] if ok else None
                refs.append((case(nxt), case(alias) if alias else None))
                i = j + 1 if alias else i + 2
                continue
        i += 1
    return refs

@mistake("table_refs")
def from_join_only(tokens):
    "Looks only after FROM and JOIN: the table after a comma is never found (the original hole)."
    return _refs(tokens, commas=False)

@mistake("table_refs")
def one_flag_for_all_depths(tokens):
    "Keeps one 'FROM list open' flag for the whole statement: commas in sub-queries and IN lists are misread."
    return _refs(tokens, per_depth=False)

@mistake("table_refs")
def every_paren_is_a_subquery(tokens):
    "Skips any '(' in a table position, so a parenthesised table is never checked."
    return _refs(tokens, parens_are_subqueries=True)

@mistake("table_refs")
def alias_only_after_as(tokens):
    "Finds an alias only after AS (`FROM grades g` has one too)."
    return _refs(tokens, bare_alias=False)

@mistake("table_refs")
def names_not_lowercased(tokens):
    "Keeps the names as written: Grades and grades are one table."
    return _refs(tokens, lower=False)

# --- clamp_limit -------------------------------------------------------------------------------------------------
def _clamp(tokens, max_rows=100, strict_tail=True, any_depth=False, offset_check=True, validate=True, pick=min,
           always_append=False):
    if validate and not (isinstance(max_rows, int) and max_rows >= 1): raise ValueError("max_rows must be >= 1")
    out, depth, clamped = list(tokens), 0, False
    for i, t in enumerate(tokens):
        depth += (t == "(") - (t == ")")
        if offset_check and t.upper() == "OFFSET" and not (i >= 2 and tokens[i - 2].upper() == "LIMIT"):
            raise ValueError("OFFSET only after LIMIT n")
        if t.upper() != "LIMIT": continue
        if i + 1 >= len(tokens) or not tokens[i + 1].isdigit(): raise ValueError("LIMIT needs a whole number")
        j = i + 2
        if j < len(tokens) and tokens[j].upper() == "OFFSET":
            if j + 1 >= len(tokens) or not tokens[j + 1].isdigit(): raise ValueError("OFFSET needs a whole number")
            j += 2
        if strict_tail and j < len(tokens) and tokens[j] != ")": raise ValueError("LIMIT takes one number")
        if depth == 0 or any_depth:
            out[i + 1], clamped = str(pick(int(tokens[i + 1]), max_rows)), True
    return out + ["LIMIT", str(max_rows)] if always_append or not clamped else out

@mistake("clamp_limit")
def reads_only_the_first_number(tokens, max_rows=100):
    "Clamps the number after LIMIT and ignores what follows it: LIMIT 0, 100000 and LIMIT 1 * 100000 get through."
    return _clamp(tokens, max_rows, strict_tail=False)

@mistake("clamp_limit")
def clamps_inside_subqueries(tokens, max_rows=100):
    "Clamps every LIMIT, also those of sub-queries, which changes what they mean."
    return _clamp(tokens, max_rows, any_depth=True)

@mistake("clamp_limit")
def stray_offset_allowed(tokens, max_rows=100):
    "Lets an OFFSET through without a LIMIT before it."
    return _clamp(tokens, max_rows, offset_check=False)

@mistake("clamp_limit")
def max_instead_of_min(tokens, max_rows=100):
    "Keeps the larger of the two numbers."
    return _clamp(tokens, max_rows, pick=max)

@mistake("clamp_limit")
def appends_a_second_limit(tokens, max_rows=100):
    "Appends LIMIT max_rows even when the statement has one."
    return _clamp(tokens, max_rows, always_append=True)

@mistake("clamp_limit")
def no_validation(tokens, max_rows=100):
    "Accepts max_rows = 0."
    return _clamp(tokens, max_rows, validate=False)

# --- sql_verdict (the guard) -------------------------------------------------------------------------------------
def _guard(sql, schema, max_rows=100, refs=table_refs, alias_tables=False, functions=True, balance=True, clamp=True):
    toks = sql_tokens(sql)
    if toks and toks[-1] == ";": toks = toks[:-1]
    if not toks: raise ValueError("empty")
    if ";" in toks: raise ValueError("one statement")
    if toks[0].upper() != "SELECT": raise ValueError("SELECT only")
    if any(_is_word(t) and t.upper() in FORBIDDEN_SQL for t in toks): raise ValueError("forbidden")
    if balance and toks.count("(") != toks.count(")"): raise ValueError("unbalanced parentheses")
    tables = {t.lower(): [c.lower() for c in cols] for t, cols in schema.items()}
    found = refs(toks)
    aliases = {a for _, a in found if a} | {toks[i + 1].lower() for i in range(len(toks) - 1)
                                           if toks[i].upper() == "AS" and _is_word(toks[i + 1])}
    for table, _ in found:
        if table not in tables and not (alias_tables and table in aliases): raise ValueError(f"unknown table {table}")
    names = set(tables) | {c for cols in tables.values() for c in cols} | aliases
    for i, t in enumerate(toks):
        if not _is_word(t) or t.upper() in SQL_KEYWORDS: continue
        if i + 1 < len(toks) and toks[i + 1] == "(":
            if functions and t.upper() not in SQL_FUNCTIONS: raise ValueError(f"function {t}")
        elif t.lower() not in names: raise ValueError(f"unknown name {t}")
    return join_sql(clamp_limit(toks, max_rows) if clamp else toks)

def _verdict(guard, sql, schema, max_rows, **kw):
    try: return True, guard(sql, schema, max_rows, **kw)
    except ValueError: return False, None

@mistake("sql_verdict")
def alias_makes_table_legal(sql, schema, max_rows=100):
    "Accepts a table reference that some AS made an alias: `1 AS sqlite_master ... FROM students, sqlite_master`."
    return _verdict(_guard, sql, schema, max_rows, alias_tables=True)

@mistake("sql_verdict")
def tables_after_from_join_only(sql, schema, max_rows=100):
    "Checks tables only after FROM and JOIN (the original hole)."
    return _verdict(_guard, sql, schema, max_rows, refs=lambda toks: _refs(toks, commas=False))

@mistake("sql_verdict")
def functions_not_checked(sql, schema, max_rows=100):
    "Lets any function through: load_extension, randomblob."
    return _verdict(_guard, sql, schema, max_rows, functions=False)

@mistake("sql_verdict")
def parentheses_not_balanced(sql, schema, max_rows=100):
    "Never counts parentheses."
    return _verdict(_guard, sql, schema, max_rows, balance=False)

@mistake("sql_verdict")
def no_row_cap(sql, schema, max_rows=100):
    "Returns the statement without clamping or adding a LIMIT."
    return _verdict(_guard, sql, schema, max_rows, clamp=False)

# --- walled_query ------------------------------------------------------------------------------------------------
def _walls(con, sql, schema, budget_s=1.0, budget=True, take_down=True, any_table=False, any_function=False,
           convert=True, count_star=True):
    tables = {t.lower(): {c.lower() for c in cols} for t, cols in schema.items()}
    functions = {f.lower() for f in SQL_FUNCTIONS} | {"like"}
    def authorize(action, arg1, arg2, db_name, trigger):
        table, column = (arg1 or "").lower(), (arg2 or "").lower()
        if action == sqlite3.SQLITE_SELECT: ok = True
        elif action == sqlite3.SQLITE_READ:
            ok = any_table or (table in tables and (column in tables[table] or (count_star and column == "")))
        elif action == sqlite3.SQLITE_FUNCTION: ok = any_function or column in functions
        else: ok = False
        return sqlite3.SQLITE_OK if ok else sqlite3.SQLITE_DENY
    deadline = time.monotonic() + budget_s
    con.set_authorizer(authorize)
    if budget: con.set_progress_handler(lambda: time.monotonic() > deadline, 1000)
    try: return con.execute(sql).fetchall()
    except sqlite3.Error as e:
        if not convert: raise
        if "interrupted" in str(e): raise TimeoutError("over budget") from None
        raise ValueError(f"sqlite refused the query: {e}") from None
    finally:
        if take_down:
            con.set_authorizer(None)
            con.set_progress_handler(None, 0)

@mistake("walled_query")
def no_time_budget(con, sql, schema, budget_s=1.0):
    "Puts up the authorizer only: a join bomb runs until something else stops it."
    return _walls(con, sql, schema, budget_s, budget=False)

@mistake("walled_query")
def walls_left_up(con, sql, schema, budget_s=1.0):
    "Never takes the authorizer and the progress handler down."
    return _walls(con, sql, schema, budget_s, take_down=False)

@mistake("walled_query")
def reads_any_table(con, sql, schema, budget_s=1.0):
    "Allows every READ: sqlite_master and columns outside the schema."
    return _walls(con, sql, schema, budget_s, any_table=True)

@mistake("walled_query")
def any_function_allowed(con, sql, schema, budget_s=1.0):
    "Allows every function."
    return _walls(con, sql, schema, budget_s, any_function=True)

@mistake("walled_query")
def sqlite_errors_escape(con, sql, schema, budget_s=1.0):
    "Lets sqlite's own exceptions out instead of TimeoutError / ValueError."
    return _walls(con, sql, schema, budget_s, convert=False)

@mistake("walled_query")
def count_star_denied(con, sql, schema, budget_s=1.0):
    "Forgets that COUNT(*) reads a table with the column ''."
    return _walls(con, sql, schema, budget_s, count_star=False)

# --- parse_react -------------------------------------------------------------------------------------------------
def _parse(text, cut=True, first_wins=True, multiline=True, object_only=True, both_error=True):
    if cut: text = re.split(r"^Observation:", text, maxsplit=1, flags=re.M)[0]
    names = "Thought|Action Input|Action|Final Answer"
    stop = rf"(?=^(?:{names}|Observation):|\Z)" if multiline else r"(?=\n|\Z)"
    fields = {}
    for name, value in re.findall(rf"^({names}):[ \t]*(.*?){stop}", text, re.M | re.S):
        if first_wins: fields.setdefault(name, value.strip())
        else: fields[name] = value.strip()
    thought = fields.get("Thought", "")
    if both_error and "Action" in fields and "Final Answer" in fields: raise ValueError("both")
    if "Final Answer" in fields: return {"thought": thought, "final_answer": fields["Final Answer"]}
    if "Action" not in fields: raise ValueError("no Action and no Final Answer")
    if "Action Input" not in fields: raise ValueError("no Action Input")
    try: args = json.loads(fields["Action Input"])
    except json.JSONDecodeError as e: raise ValueError(f"not JSON: {e}") from None
    if object_only and not isinstance(args, dict): raise ValueError("not an object")
    return {"thought": thought, "action": fields["Action"], "action_input": args}

@mistake("parse_react")
def observation_not_cut(text):
    "Reads on past an 'Observation:' line the model wrote itself."
    return _parse(text, cut=False)

@mistake("parse_react")
def last_occurrence_wins(text):
    "A field written twice keeps its last value."
    return _parse(text, first_wins=False)

@mistake("parse_react")
def one_line_values(text):
    "Stops each value at the end of its line."
    return _parse(text, multiline=False)

@mistake("parse_react")
def any_json_input(text):
    "Accepts a JSON list or string as the Action Input."
    return _parse(text, object_only=False)

@mistake("parse_react")
def final_answer_wins(text):
    "Takes the final answer when a step has both an Action and a Final Answer."
    return _parse(text, both_error=False)

# --- react -------------------------------------------------------------------------------------------------------
def _loop(model, tools, question, max_steps=5, catch=True, cut=True, extra_step=False, check_names=True,
          feed_back=True, check_tool=True):
    by_name = {t.name: t for t in tools}
    if check_names and len(by_name) != len(tools): raise ValueError("two tools have the same name")
    prompt, run = react_prompt(question, tools), AgentRun(None)
    for _ in range(max_steps + extra_step):
        out = model(prompt)
        step = {"output": out}
        run.steps.append(step)
        try:
            parsed = parse_react(out)
            if "final_answer" in parsed:
                run.answer, run.stop = parsed["final_answer"], "answer"
                return run
            step.update(action=parsed["action"], action_input=parsed["action_input"])
            if check_tool and parsed["action"] not in by_name: raise ValueError("unknown tool")
            obs = str(by_name[parsed["action"]](parsed["action_input"]))
        except ValueError as e:
            if not catch: raise
            obs = f"Error: {e}"
        step["observation"] = obs
        if feed_back:
            text = re.split(r"^Observation:", out, maxsplit=1, flags=re.M)[0] if cut else out
            prompt += text.rstrip() + f"\nObservation: {obs}\n"
    run.stop = "max_steps"
    return run

@mistake("react")
def errors_end_the_run(model, tools, question, max_steps=5):
    "Lets a ValueError escape instead of showing it to the model as an observation."
    return _loop(model, tools, question, max_steps, catch=False)

@mistake("react")
def keeps_the_models_observation(model, tools, question, max_steps=5):
    "Appends the model's whole text, its invented 'Observation:' included."
    return _loop(model, tools, question, max_steps, cut=False)

@mistake("react")
def one_step_too_many(model, tools, question, max_steps=5):
    "Runs max_steps + 1 model calls."
    return _loop(model, tools, question, max_steps, extra_step=True)

@mistake("react")
def unknown_tool_crashes(model, tools, question, max_steps=5):
    "Looks the tool up without checking its name: a KeyError escapes."
    return _loop(model, tools, question, max_steps, check_tool=False)

@mistake("react")
def observation_not_fed_back(model, tools, question, max_steps=5):
    "Never appends the step and its observation to the prompt."
    return _loop(model, tools, question, max_steps, feed_back=False)

@mistake("react")
def duplicate_names_allowed(model, tools, question, max_steps=5):
    "Accepts two tools with one name (the second silently wins)."
    return _loop(model, tools, question, max_steps, check_names=False)
