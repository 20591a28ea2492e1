"""The instructor's grader (`python -m course_lib grade`) on hostile and broken submissions of lab 01: each is a real
notebook file, graded in one batch with 2 workers; each must get the right score and a clear reason, and the batch
must finish and leave the honest submission alone."""
import json, subprocess, sys
import nbformat, pytest
from conftest import ROOT

LAB = ROOT / "labs" / "01_tokenizer"
FULL = 7.0
ARGS = ["--workers", "2", "--timeout", "3", "--total", "15", "--memory", "1024", "--quiet"]

def code_cells(path):
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]

SOL, STUB = code_cells(LAB / "source.ipynb"), code_cells(LAB / "workbook.ipynb")
YES = "class Yes:\n    def __eq__(self, other): return True\n    __hash__ = object.__hash__\n" + "".join(
    f"def {f}(*a, **k): return Yes()\n" for f in ("get_stats", "merge", "train_bpe_naive", "build_vocab", "encode_chunk"))
PATCH_GRADING = ("import course_lib.grading as g, json\ng.same = lambda *a, **k: True\ng.judge_lab = lambda *a, **k: None\n"
                 "g.probe_lab = lambda lab, ns: json.dumps({'merge': [{'value': 1}]})\ng.lab_checks = lambda lab: []")
PATCH_BUILTINS = "import builtins, json\nbuiltins.print = lambda *a, **k: None\nbuiltins.isinstance = lambda *a: True\njson.dumps = lambda *a, **k: '{}'"
SWALLOW = "import time\nwhile True:\n    try: time.sleep(0.05)\n    except KeyboardInterrupt: pass"
TRANSFORM = "get_ipython().input_transformers_cleanup.append(lambda lines: ['raise SystemExit\\n'])"
SHOWTB = "from IPython.core.interactiveshell import InteractiveShell\nInteractiveShell.showtraceback = lambda *a, **k: None"

def without(cells, needle, new=None):
    "The cells without the one defining `needle` (or with it renamed to `new`)."
    return [c.replace(needle, new) if new else c for c in cells if new or needle not in c]

# name -> (cells, or raw text for a file that is not a notebook; expected score or a (low, high) range; text the reason/feedback must have)
CASES = {
    "good": (SOL, FULL, "full marks"),
    "malformed_json": ('{"cells": [{"cell_type": "code", ', 0, "not a readable notebook"),
    "not_a_notebook": ("def merge(ids, pair, idx):\n    return ids\n", 0, "not a readable notebook"),
    "empty": ([], 0, "no code cells"),
    "starter": (STUB, 0, "0/6 checks passed"),
    "missing_function": (without(SOL, "def merge("), (0.5, FULL - 0.5), "`merge` is not defined"),
    "renamed_cell": (without(SOL, "def get_stats(", "def get_stats_v2("), (0.5, FULL - 0.5), "`get_stats` is not defined"),
    "top_level_exception": ([*SOL[:3], "1/0", *SOL[3:]], FULL, "ZeroDivisionError"),
    "infinite_loop": ([*SOL, "while True: pass", "x = 1"], FULL, "interrupted after the 3 s cell time limit"),
    "swallows_interrupt": ([*SOL, SWALLOW], 0, "total time limit of 15 s"),
    "memory_bomb": ([*SOL, "x = bytearray(4 * 2**30)"], FULL, "MemoryError"),
    "os_exit": ([*SOL, "import os; os._exit(0)"], 0, "the kernel died"),
    "sys_exit": ([*SOL, "import sys; sys.exit(3)"], FULL, "SystemExit"),
    "patches_grading": ([*STUB, PATCH_GRADING], 0, "0/6 checks passed"),
    "patches_builtins": ([*STUB, PATCH_BUILTINS], 0, "score 0"),
    "input_transformer": ([*SOL, TRANSFORM, "y = 1"], FULL, "SystemExit"),
    "input_transformer_stub": ([*STUB, TRANSFORM], 0, "0/6 checks passed"),
    "showtraceback": ([*SOL, SHOWTB, "1/0"], FULL, "full marks"),
    "eq_always_true": ([YES], 0, "cannot check a value of type Yes"),
    "megabytes_of_output": ([*SOL, "print('x' * 3_000_000)\nfor i in range(20000): print(i)"], FULL, "full marks"),
    "writes_files": ([*SOL, "open('inside.txt', 'w').write('x')\nopen(OUTSIDE, 'w').write('x')\nopen('big.bin', 'wb').write(b'0' * (100 << 20))"],
                     FULL, "File too large"),
}

def grade(lab, paths, out, *extra):
    return subprocess.run([sys.executable, "-m", "course_lib", "grade", lab, *map(str, paths), "--out", str(out), *ARGS, *extra],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)

@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    "Every case as a notebook file, graded in one batch: (gradebook rows, feedback folder, the 'outside' file)."
    tmp = tmp_path_factory.mktemp("grader")
    subs, outside = tmp / "subs", tmp / "outside.txt"
    subs.mkdir()
    for name, (cells, _, _) in CASES.items():
        if isinstance(cells, str): (subs / f"{name}.ipynb").write_text(cells); continue
        cells = [c.replace("OUTSIDE", repr(str(outside))) for c in cells]
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), subs / f"{name}.ipynb")
    res = grade("01_tokenizer", sorted(subs.iterdir()), tmp / "out")
    assert res.returncode == 0, res.stderr[-3000:]
    rows = {r["student"]: r for r in json.loads((tmp / "out" / "gradebook.json").read_text())["rows"]}
    return rows, tmp / "out" / "feedback", outside, res.stdout

@pytest.mark.parametrize("name", CASES)
def test_submission(batch, name):
    rows, feedback, _, _ = batch
    _, expected, why = CASES[name]
    row = rows[name]
    if isinstance(expected, tuple): assert expected[0] <= row["score"] <= expected[1], row
    else: assert row["score"] == expected, row
    assert row["points"] == FULL
    assert why in row["reason"] + (feedback / f"{name}.txt").read_text(), row

def test_batch_outputs(batch):
    rows, feedback, outside, stdout = batch
    assert sorted(rows) == sorted(CASES) and sorted(p.stem for p in feedback.iterdir()) == sorted(CASES)
    assert f"{len(CASES)} submissions" in stdout and "gradebook.csv" in stdout
    assert outside.exists()  # NOT defended: the kernel runs as the grader's user (see the threat model in nbs/19b_grader.ipynb)

def test_resume_force_shard_and_merge(tmp_path):
    subs = []
    for name, cells in (("ann", SOL), ("bob", STUB), ("cy", STUB[:2])):
        subs.append(tmp_path / f"{name}.ipynb")
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), subs[-1])
    assert grade("01_tokenizer", subs, tmp_path / "all").returncode == 0
    (tmp_path / "all" / "feedback" / "ann.txt").unlink()
    assert grade("01_tokenizer", subs, tmp_path / "all").returncode == 0
    assert not (tmp_path / "all" / "feedback" / "ann.txt").exists()      # resumed: ann was not graded again
    assert grade("01_tokenizer", subs, tmp_path / "all", "--force").returncode == 0
    assert (tmp_path / "all" / "feedback" / "ann.txt").exists()          # --force grades everyone again
    for i in (1, 2): assert grade("01_tokenizer", subs, tmp_path / f"s{i}", "--shard", f"{i}/2").returncode == 0
    res = subprocess.run([sys.executable, "-m", "course_lib", "merge-gradebooks", tmp_path / "s1", tmp_path / "s2", "--out", tmp_path / "m"],
                         capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    read = lambda d: {r["student"]: r["score"] for r in json.loads((tmp_path / d / "gradebook.json").read_text())["rows"]}
    assert read("m") == read("all") == {"ann": FULL, "bob": 0, "cy": 0}
    assert (tmp_path / "all" / "gradebook.csv").read_text().splitlines()[0].startswith("student,score,points,get_stats,")

@pytest.mark.parametrize("args, message", [
    (["99_nothing", "LAB/source.ipynb"], "no checks for lab"),
    (["01_tokenizer", "nowhere.ipynb"], "no such submission file"),
    (["01_tokenizer", "LAB/source.ipynb", "--shard", "3/2"], "1 <= i <= n"),
    (["01_tokenizer", "LAB/source.ipynb", "--memory", "12"], "memory must be"),
    (["01_tokenizer", "LAB/source.ipynb", "LAB/source.ipynb"], "two submissions for student"),
])
def test_bad_input(tmp_path, args, message):
    args = [a.replace("LAB", str(LAB)) for a in args]
    res = subprocess.run([sys.executable, "-m", "course_lib", "grade", *args, "--out", str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 2 and message in res.stderr, res.stderr
