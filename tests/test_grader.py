"""The instructor's grader (`python -m course_lib grade`) on hostile and broken submissions of lab 01: each is a real
notebook file, graded in one batch under bubblewrap by the real command; each must get the right score and a clear
reason, the batch must finish, the honest submission must keep full marks, no file may appear outside a submission's
own folder and no secret of the grader's environment may reach a kernel. No assertion depends on the machine's
speed: correct code gets limits 10-100x what it needs unloaded, and the time-limit cases never end on their own."""
import json, os, subprocess, sys
import nbformat, pytest
from conftest import ROOT
from course_lib import grading
from course_lib.sandbox import bwrap_problem

LAB = ROOT / "labs" / "01_tokenizer"
CHECKS = grading.lab_checks("01_tokenizer")
FULL = sum(c.points for c in CHECKS)
LIMIT = 20  # s per cell and per check: lab 01's slowest graded cell or check needs under 0.5 s unloaded
ARGS = ["--workers", "4", "--timeout", str(LIMIT), "--check-timeout", str(LIMIT), "--memory", "1024", "--quiet"]
TOTAL, SHORT_TOTAL = "600", "60"  # the batch's limit per submission; the batch that tests the total limit itself
SECRET = "hunter2-do-not-leak"
needs_bwrap = pytest.mark.skipif(bwrap_problem() is not None, reason=f"no bubblewrap here: {bwrap_problem()}")

def code_cells(path):
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]

# the lab's two demo cells (a 20,000-character naive BPE run, a comparison with transformers) grade nothing and cost
# ~11 s of CPU in each of the ~25 submissions built on the solution or the starter: the hostile cases run them without
# the demos ("starter" is the whole workbook; tests/test_labs.py grades the whole solution notebook)
DEMOS = ("from course_lib.tokenizer import stdlib_corpus", "from transformers import")
WORKBOOK = code_cells(LAB / "workbook.ipynb")
SOL, STUB = ([c for c in code_cells(LAB / f) if not c.startswith(DEMOS)] for f in ("source.ipynb", "workbook.ipynb"))
assert len(code_cells(LAB / "source.ipynb")) - len(SOL) == len(WORKBOOK) - len(STUB) == len(DEMOS), \
    "lab 01's demo cells changed: update DEMOS"
YES = "class Yes:\n    def __eq__(self, other): return True\n    __hash__ = object.__hash__\n" + "".join(
    f"def {c.target}(*a, **k): return Yes()\n" for c in CHECKS)
# patches every module of the lab framework (lessons 19 to 19c): the probe loads fresh copies, so none of it counts
PATCH_GRADING = ("import json\nimport course_lib.checks as c, course_lib.probing as p, course_lib.judging as j\n"
                 "import course_lib.grading as g\nfake = lambda lab, ns, **k: json.dumps({'merge': [{'value': 1}]})\n"
                 "for m in (c, j, g): m.same = lambda *a, **k: True\n"
                 "for m in (p, j, g): m.lab_checks = lambda lab: []\n"
                 "for m in (p, g): m.probe_lab, m.probe = fake, lambda *a, **k: [{'value': 1}]\n"
                 "c.to_data = p.to_data = lambda x, *a: 1\nj.judge_lab = g.judge_lab = lambda *a, **k: None")
PATCH_BUILTINS = ("import builtins, json\nbuiltins.print = lambda *a, **k: None\n"
                  "builtins.isinstance = lambda *a: True\njson.dumps = lambda *a, **k: '{}'")
DUMPS_FORGED = ("import json\n_dumps = json.dumps\n"  # keeps the nonce, carries data that is not the checks' results
                "def dumps(o, *a, **k):\n    if isinstance(o, dict) and 'nonce' in o:\n"
                "        o = dict(o, results=[{'value': {'__tensor__': 'x'}}] * 50, final='not a table')\n"
                "    return _dumps(o, *a, **k)\njson.dumps = dumps")
SWALLOW = "import time\nwhile True:\n    try: time.sleep(0.05)\n    except KeyboardInterrupt: pass"
UNSTOPPABLE = ("import time\ndef encode_chunk(*a, **k):\n    while True:\n        try: time.sleep(0.05)\n"
               "        except BaseException: pass")  # swallows the per-check limit too: only the total limit ends it
HANG = "def merge(ids, pair, idx):\n    while True: pass"
TRANSFORM = "get_ipython().input_transformers_cleanup.append(lambda lines: ['raise SystemExit\\n'])"
SHOWTB = ("from IPython.core.interactiveshell import InteractiveShell\n"
          "InteractiveShell.showtraceback = lambda *a, **k: None")
KILL_PARENT = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(1, signal.SIGKILL)"
FIND_GRADER = ("import os\ndef grader():\n    for pid in filter(str.isdigit, os.listdir('/proc')):\n"
               "        try: argv = open(f'/proc/{pid}/cmdline', 'rb').read().decode().split('\\0')\n"
               "        except OSError: continue\n"
               "        if 'grade' in argv and '--out' in argv: return int(pid), argv[argv.index('--out') + 1]\n")
FORGE_ROW = FIND_GRADER + (
    "found = grader()\nif found is None: raise RuntimeError('could not find the grader in /proc')\n"
    "import json\nout = found[1]\nopen(os.path.join(out, 'forged.txt'), 'w').write('x')\n"
    "json.dump({'lab': '01_tokenizer', 'rows': [{'student': 'forge_row', 'score': 99, 'points': 99, 'sha256': '',"
    " 'checks': {}, 'reason': 'forged', 'file': ''}]}, open(os.path.join(out, 'gradebook.json'), 'w'))")
KILL_GRADER = FIND_GRADER + (
    "found = grader()\nif found is None: raise RuntimeError('could not find the grader in /proc')\n"
    "import signal\nos.kill(found[0], signal.SIGKILL)\nraise RuntimeError('ATTACK WORKED: killed the grader')")
READ_SECRETS = ("import os\nleak = [k for k, v in os.environ.items() if 'SECRET' in k or 'hunter2' in v]\n"
                "if leak: raise RuntimeError(f'ATTACK WORKED: {leak}')\n"
                "for p in (KEYFILE, '/etc/shadow', os.path.expanduser('~root/.bash_history')):\n"
                "    try: open(p).read()\n    except OSError: continue\n"
                "    raise RuntimeError(f'ATTACK WORKED: read {p}')")
NETWORK = ("import socket\nnames = [n for _, n in socket.if_nameindex()]\n"
           "if names != ['lo']: raise RuntimeError(f'ATTACK WORKED: network interfaces {names}')\n"
           "try: socket.create_connection(('1.1.1.1', 53), timeout=3)\nexcept OSError: pass\n"
           "else: raise RuntimeError('ATTACK WORKED: connected')")
WRITES = ("import os\nfor p in (OUTSIDE, PWNED_REPO, PWNED_LIB):\n    try: open(p, 'w').write('x')\n"
          "    except OSError as e: print(e)\nopen('inside.txt', 'w').write('x')\n"
          "open('big.bin', 'wb').write(b'0' * (100 << 20))")
ESCAPE = "import subprocess\nsubprocess.Popen(['setsid', 'sleep', '9876'])"

def without(cells, needle, new=None):
    "The cells without the one defining `needle` (or with it renamed to `new`)."
    return [c.replace(needle, new) if new else c for c in cells if new or needle not in c]

GOOD = "good"  # expected score: the solution's (full marks)
# name -> (cells, or raw text for a file that is not a notebook; expected score: GOOD, a number, or "PARTIAL"
#          (more than 0, less than GOOD, `merge` failed); text the reason/feedback must have)
CASES = {
    "good": (SOL, GOOD, "full marks"),
    "malformed_json": ('{"cells": [{"cell_type": "code", ', 0, "not a readable notebook"),
    "not_a_notebook": ("def merge(ids, pair, idx):\n    return ids\n", 0, "not a readable notebook"),
    "empty": ([], 0, "no code cells"),
    "starter": (WORKBOOK, 0, "checks passed"),
    "missing_function": (without(SOL, "def merge("), "PARTIAL", "`merge` is not defined"),
    "top_level_exception": ([*SOL[:3], "1/0", *SOL[3:]], GOOD, "ZeroDivisionError"),
    "infinite_loop": ([*SOL, "while True: pass", "x = 1"], GOOD, f"interrupted after the {LIMIT} s cell time limit"),
    "hanging_function": ([*SOL, HANG], "PARTIAL", "time limit"),
    "memory_bomb": ([*SOL, "x = bytearray(4 * 2**30)"], GOOD, "MemoryError"),
    "os_exit": ([*SOL, "import os; os._exit(0)"], 0, "the kernel died"),
    "sys_exit": ([*SOL, "import sys; sys.exit(3)"], GOOD, "SystemExit"),
    "patches_grading": ([*STUB, PATCH_GRADING], 0, "checks passed"),
    "patches_builtins": ([*STUB, PATCH_BUILTINS], 0, "the checks stopped answering"),  # not waited out to the total
    "dumps_forged": ([*SOL, DUMPS_FORGED], 0, "malformed"),
    "dumps_garbage": ([*SOL, "import json\njson.dumps = lambda *a, **k: 'not json'"], 0, "forged or broken"),
    "input_transformer": ([*SOL, TRANSFORM, "y = 1"], GOOD, "SystemExit"),
    "showtraceback": ([*SOL, SHOWTB, "1/0"], GOOD, "full marks"),
    "eq_always_true": ([YES], 0, "cannot check a value of type Yes"),
    "megabytes_of_output": ([*SOL, "print('x' * 3_000_000)\nfor i in range(20000): print(i)"], GOOD, "full marks"),
    "writes_files": ([*SOL, WRITES], GOOD, "File too large"),
    "kill_parent": ([*STUB, KILL_PARENT], 0, "checks passed"),
    "kill_grader": ([*STUB, KILL_GRADER], 0, "could not find the grader"),
    "forge_row": ([*STUB, FORGE_ROW], 0, "could not find the grader"),
    "reads_secrets": ([*SOL, READ_SECRETS], GOOD, "full marks"),
    "network": ([*SOL, NETWORK], GOOD, "full marks"),
    "escapes_process_group": ([*SOL, ESCAPE], GOOD, "full marks"),
}

# graded in a batch of their own, with a shorter total limit that they exceed by far
TOTAL_CASES = {
    "swallows_interrupt": ([*SOL, SWALLOW], 0, f"total time limit of {SHORT_TOTAL} s"),
    "unstoppable_check": ([*SOL, UNSTOPPABLE], "PARTIAL", "did not finish within the total time limit"),
}

def grade(paths, out, *extra, env=None, sandbox="auto", total=TOTAL):
    cmd = [sys.executable, "-m", "course_lib", "grade", "01_tokenizer", *map(str, paths), "--out", str(out), *ARGS,
           "--total", total, "--sandbox", sandbox, *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=1800, cwd=ROOT, env=env)

def write_nb(path, cells):
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), path)
    return path

@pytest.fixture(scope="module")
def env(tmp_path_factory):
    "The grader's environment: a secret the kernels must not see, and a signing key of the test's own."
    key = tmp_path_factory.mktemp("key") / "grader.key"
    return dict(os.environ, COURSE_TEST_SECRET=SECRET, COURSE_GRADER_KEY_FILE=str(key))

@pytest.fixture(scope="module")
def batch(tmp_path_factory, env):
    "Every case as a notebook, graded in one batch under bubblewrap: (rows, the test's folder, the result, the paths)."
    if bwrap_problem(): pytest.skip(f"no bubblewrap here: {bwrap_problem()}")
    tmp = tmp_path_factory.mktemp("grader")
    subs = tmp / "subs"
    subs.mkdir()
    names = {"OUTSIDE": tmp / "outside.txt", "PWNED_REPO": ROOT / "labs" / "pwned.txt",
             "PWNED_LIB": ROOT / "course_lib" / "pwned.py", "KEYFILE": env["COURSE_GRADER_KEY_FILE"]}
    for name, (cells, _, _) in CASES.items():
        if isinstance(cells, str):
            (subs / f"{name}.ipynb").write_text(cells)
            continue
        for k, v in names.items(): cells = [c.replace(k, repr(str(v))) for c in cells]
        write_nb(subs / f"{name}.ipynb", cells)
    res = grade(sorted(subs.iterdir()), tmp / "out", "--format", "gradescope", env=env, sandbox="bwrap")
    assert res.returncode == 0, res.stderr[-3000:]
    rows = {r["student"]: r for r in json.loads((tmp / "out" / "gradebook.json").read_text())["rows"]}
    return rows, tmp, res, names

def test_solution_has_full_marks(batch):
    rows = batch[0]
    assert rows["good"]["score"] == FULL and rows["good"]["reason"].startswith("full marks"), rows["good"]

@pytest.mark.parametrize("name", CASES)
def test_submission(batch, name):
    rows, tmp, _, _ = batch
    _, expected, why = CASES[name]
    row, good = rows[name], rows["good"]["score"]
    feedback = (tmp / "out" / "feedback" / f"{name}.txt").read_text()
    if expected == GOOD: assert row["score"] == good, row
    elif expected == "PARTIAL": assert 0 < row["score"] < good and "merge" in row["failures"], row
    else: assert row["score"] == expected, row
    assert row["points"] == FULL
    assert why in row["reason"] + feedback, row
    assert "ATTACK WORKED" not in row["reason"] + feedback, row

def test_batch_finishes_and_nothing_escapes(batch):
    rows, tmp, res, names = batch
    assert sorted(rows) == sorted(CASES)
    assert sorted(p.stem for p in (tmp / "out" / "feedback").iterdir()) == sorted(CASES)
    assert "sandbox: bubblewrap" in res.stdout and f"{len(CASES)} submissions" in res.stdout
    for k in ("OUTSIDE", "PWNED_REPO", "PWNED_LIB"): assert not names[k].exists(), f"a submission wrote {names[k]}"
    assert sorted(p.name for p in tmp.iterdir()) == ["out", "subs"]
    assert not (tmp / "out" / "forged.txt").exists()
    assert sorted(p.name for p in (tmp / "subs").iterdir()) == sorted(f"{n}.ipynb" for n in CASES)
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert "sleep 9876" not in ps, "a process started by a submission outlived its sandbox"

def test_item_analysis(batch):
    rows, tmp, res, _ = batch
    items = {i["check"]: i for i in json.loads((tmp / "out" / "summary.json").read_text())["checks"]}
    assert sorted(items) == sorted(c.name for c in CHECKS)
    assert items["merge"]["failed_by"] >= 2 and items["merge"]["most_common_failure"]
    assert 0 < items["merge"]["full_marks"] < 1
    assert (tmp / "out" / "summary.csv").read_text().startswith("check,points,hidden,mean,full_marks,")
    assert "most common failing case" in res.stdout

def test_gradescope_results(batch):
    "Each results.json has Gradescope's fields: score, and per test name, score, max_score, output, visibility."
    rows, tmp, _, _ = batch
    for name, row in rows.items():
        data = json.loads((tmp / "out" / "gradescope" / f"{name}.json").read_text())
        assert isinstance(data["score"], float) and data["score"] == row["score"]
        assert isinstance(data["tests"], list) and len(data["tests"]) == len(CHECKS)
        for t, c in zip(data["tests"], CHECKS):
            assert {"name", "score", "max_score", "output", "visibility"} <= set(t), t
            assert t["name"] == c.name and isinstance(t["output"], str) and t["max_score"] == c.points
            assert t["visibility"] == ("after_published" if c.hidden else "visible")
        assert sum(t["score"] for t in data["tests"]) == pytest.approx(row["score"])

def test_export_lms_csv(batch, env):
    rows, tmp, _, _ = batch
    res = subprocess.run([sys.executable, "-m", "course_lib", "export-grades", tmp / "out", "--lms", "csv", "--column",
                          "Lab 01"], capture_output=True, text=True, cwd=ROOT, env=env)
    assert res.returncode == 0, res.stderr
    lines = (tmp / "out" / "lms.csv").read_text().splitlines()
    assert lines[0] == "student,Lab 01,points,percent" and len(lines) == len(CASES) + 1

def test_total_time_limit(tmp_path, env):
    "A submission past the total limit is killed; the checks probed before that keep their points."
    subs = [write_nb(tmp_path / f"{n}.ipynb", cells) for n, (cells, _, _) in TOTAL_CASES.items()]
    res = grade(subs, tmp_path / "out", env=env, total=SHORT_TOTAL)
    assert res.returncode == 0, res.stderr
    rows = {r["student"]: r for r in json.loads((tmp_path / "out" / "gradebook.json").read_text())["rows"]}
    swallow = rows["swallows_interrupt"]
    assert swallow["score"] == 0 and f"total time limit of {SHORT_TOTAL} s" in swallow["reason"], swallow
    part = rows["unstoppable_check"]
    assert 0 < part["score"] < FULL and "did not finish within the total time limit" in part["reason"], part

def test_without_sandbox_a_killed_worker_is_one_row(tmp_path, env):
    "Without bubblewrap a submission can kill its worker: the supervisor writes its row and grades the others."
    killer = KILL_PARENT.split("\nos.kill(1")[0]
    subs = [write_nb(tmp_path / "ann.ipynb", SOL), write_nb(tmp_path / "eve.ipynb", [*SOL, killer])]
    res = grade(subs, tmp_path / "out", env=env, sandbox="none")
    assert res.returncode == 0, res.stderr
    assert "sandbox: NONE" in res.stdout
    rows = {r["student"]: r for r in json.loads((tmp_path / "out" / "gradebook.json").read_text())["rows"]}
    assert rows["eve"]["score"] == 0 and "killed by SIGKILL" in rows["eve"]["reason"], rows["eve"]
    assert rows["ann"]["score"] == rows["ann"]["points"], rows["ann"]

def test_resume_trusts_only_signed_rows_force_shard_and_merge(tmp_path, env):
    subs = [write_nb(tmp_path / f"{n}.ipynb", cells) for n, cells in (("ann", SOL), ("bob", STUB), ("cy", STUB[:2]))]
    run = lambda out, *extra: grade(subs, tmp_path / out, *extra, env=env)
    assert run("all").returncode == 0
    (tmp_path / "all" / "feedback" / "ann.txt").unlink()
    assert run("all").returncode == 0
    assert not (tmp_path / "all" / "feedback" / "ann.txt").exists()      # resumed: ann was not graded again
    book = json.loads((tmp_path / "all" / "gradebook.json").read_text())
    book["rows"] = [dict(r, score=99.0) if r["student"] == "bob" else r for r in book["rows"]]  # a forged score
    (tmp_path / "all" / "gradebook.json").write_text(json.dumps(book))
    (tmp_path / "all" / "feedback" / "bob.txt").unlink()
    assert run("all").returncode == 0
    assert (tmp_path / "all" / "feedback" / "bob.txt").exists()          # bob's row was not signed: graded again
    assert run("all", "--force").returncode == 0
    assert (tmp_path / "all" / "feedback" / "ann.txt").exists()          # --force grades everyone again
    for i in (1, 2): assert run(f"s{i}", "--shard", f"{i}/2").returncode == 0
    res = subprocess.run([sys.executable, "-m", "course_lib", "merge-gradebooks", tmp_path / "s1", tmp_path / "s2",
                          "--out", tmp_path / "m"], capture_output=True, text=True, cwd=ROOT, env=env)
    assert res.returncode == 0, res.stderr
    book = lambda d: json.loads((tmp_path / d / "gradebook.json").read_text())["rows"]
    read = lambda d: {r["student"]: r["score"] for r in book(d)}
    ann = read("all")["ann"]
    assert read("m") == read("all") == {"ann": ann, "bob": 0, "cy": 0}
    header = (tmp_path / "all" / "gradebook.csv").read_text().splitlines()[0]
    assert header.startswith("student,score,points,get_stats,"), header

MISTAKES = '''
@mistake("merge")
def merge_first_only(ids, pair, idx):
    "replaces only the first occurrence of the pair"
    out, i, done = [], 0, False
    while i < len(ids):
        if not done and i + 1 < len(ids) and (ids[i], ids[i + 1]) == tuple(pair):
            out, i, done = out + [idx], i + 2, True
        else:
            out, i = out + [ids[i]], i + 1
    return out

@mistake("merge")
def merge_right(ids, pair, idx):
    "not a mistake at all: a correct merge under another name, so the checks cannot catch it"
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == tuple(pair):
            out, i = out + [idx], i + 2
        else:
            out, i = out + [ids[i]], i + 1
    return out
'''

def test_mistakes_mode(tmp_path, env):
    "`grade --mistakes` grades the solution, then each mistake in the same kernel; exit 1 when one keeps its points."
    (tmp_path / "mistakes.py").write_text(MISTAKES)
    res = grade([LAB / "source.ipynb"], tmp_path / "out", "--mistakes", tmp_path / "mistakes.py", env=env)
    rows = {m["mistake"]: m for m in json.loads((tmp_path / "out" / "mistakes.json").read_text())}
    assert rows["merge_first_only"]["visible_lost"] and rows["merge_first_only"]["exercise"] == "merge", rows
    assert not rows["merge_right"]["visible_lost"], rows["merge_right"]
    assert res.returncode == 1 and "MISSED" in res.stdout and "merge_right" in res.stdout, res.stdout + res.stderr

@pytest.mark.parametrize("args, message", [
    (["99_nothing", "LAB/source.ipynb"], "no checks for lab"),
    (["01_tokenizer", "nowhere.ipynb"], "no such submission file"),
    (["01_tokenizer", "LAB/source.ipynb", "--shard", "3/2"], "1 <= i <= n"),
    (["01_tokenizer", "LAB/source.ipynb", "--memory", "12"], "memory must be"),
    (["01_tokenizer", "LAB/source.ipynb", "LAB/source.ipynb"], "two submissions for student"),
    (["01_tokenizer", "LAB/source.ipynb", "LAB/workbook.ipynb", "--mistakes", "x.py"], "--mistakes grades one"),
    (["01_tokenizer", "LAB/source.ipynb", "--sandbox", "docker"], "invalid choice"),
])
def test_bad_input(tmp_path, args, message):
    args = [a.replace("LAB", str(LAB)) for a in args]
    res = subprocess.run([sys.executable, "-m", "course_lib", "grade", *args, "--out", str(tmp_path)],
                         capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 2 and message in res.stderr, res.stderr
