"""Every lab, graded with the real `python -m course_lib grade` command:
- its solution (source.ipynb) scores full marks;
- its starter workbook scores zero on every check, and so does a submission that only imports course_lib;
- every plausible mistake in its mistakes.py loses visible points of its exercise, and every do-nothing stub, the
  reference itself and a wrapper of it score zero (`--mistakes`, in the kernel that ran the solution);
- the workbook is in sync with its source."""
import json, os, shutil, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import nbformat
import pytest
from conftest import LABS, ROOT
from course_lib.grading import LAB_MODULES, workbook_text

def _grade(lab, out, *subs, mistakes=False, site=None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "course_lib", "grade", lab.name, *map(str, subs), "--out", str(out),
           "--workers", "2", "--timeout", "600", "--total", "1800", "--quiet"]
    if mistakes: cmd += ["--mistakes", str(lab / "mistakes.py")]
    env = dict(os.environ, PYTHONPATH=str(site)) if site else None  # course_lib installed from its wheel
    return subprocess.Popen(cmd, cwd=out.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

def _wait(proc, ok_codes=(0,)) -> str:
    out, err = proc.communicate(timeout=2400)
    assert proc.returncode in ok_codes, (out + err)[-4000:]
    return out

def _star_import(lab, tmp_path):
    "A submission that defines nothing and imports the lesson's module and the lab's checks module."
    module = LAB_MODULES.get(lab.name, "course_lib." + lab.name.split("_", 1)[1])
    code = f"from {module} import *\nfrom course_lib.labs.lab{lab.name} import *"
    path = tmp_path / "star_import.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]), path)
    return path

def _grade_lab(lab, tmp, site=None):
    "Grade a lab's solution (with its mistakes), its workbook and a star import; (rows by student, mistakes, log)."
    tmp.mkdir(parents=True, exist_ok=True)
    lab = Path(shutil.copytree(lab, tmp / lab.name))  # the lab's files alone in a folder, no repository around
    solo = _grade(lab, tmp / "solution", lab / "source.ipynb", mistakes=True, site=site)
    rest = _grade(lab, tmp / "others", lab / "workbook.ipynb", _star_import(lab, tmp), site=site)
    _wait(rest)
    log = _wait(solo, ok_codes=(0, 1))
    rows = {}
    for d in ("solution", "others"):
        rows |= {r["student"]: r for r in json.loads((tmp / d / "gradebook.json").read_text())["rows"]}
    mistakes = json.loads((tmp / "solution" / "mistakes.json").read_text())
    return rows, mistakes, log

_RUNS = {}  # lab name -> future: two labs are graded at once (a lab's solution kernel keeps one core busy)

@pytest.fixture(scope="module", params=LABS, ids=[p.name for p in LABS])
def graded(request, tmp_path_factory, installed):
    if not _RUNS:  # start every lab this session selected, two at a time
        chosen = {item.callspec.params["graded"].name for item in request.session.items
                  if hasattr(item, "callspec") and "graded" in item.callspec.params}
        root, pool = tmp_path_factory.mktemp("labs"), ThreadPoolExecutor(2)
        _RUNS.update({lab.name: pool.submit(_grade_lab, lab, root / lab.name, installed)
                      for lab in LABS if lab.name in chosen})
        pool.shutdown(wait=False)
    return (request.param, *_RUNS[request.param.name].result())

def test_solution_scores_full_marks(graded):
    lab, rows, _, _ = graded
    assert rows["source"]["score"] == rows["source"]["points"] > 0, rows["source"]

@pytest.mark.parametrize("who", ["workbook", "star_import"])
def test_starter_and_star_import_score_zero(graded, who):
    lab, rows, _, _ = graded
    assert rows[who]["score"] == 0 and rows[who]["points"] > 0, rows[who]
    assert all(v == 0 for v in rows[who]["checks"].values()), rows[who]

def test_every_mistake_is_caught(graded):
    lab, _, mistakes, log = graded
    assert sum(m["kind"] == "mistake" for m in mistakes) >= 3, f"{lab.name}/mistakes.py has fewer than 3 mistakes"
    missed = [f"{m['kind']} {m['mistake']}: {m['reason']}" for m in mistakes if not m["ok"]]
    assert not missed, "not caught:\n" + "\n".join(missed)

def test_three_mistakes_per_exercise(graded):
    lab, _, mistakes, _ = graded
    exercises = {m["exercise"] for m in mistakes if m["kind"] != "mistake"}
    count = {e: sum(m["kind"] == "mistake" and m["exercise"] == e for m in mistakes) for e in exercises}
    assert all(n >= 3 for n in count.values()), f"fewer than 3 mistakes for: {[e for e, n in count.items() if n < 3]}"

@pytest.mark.parametrize("lab", LABS, ids=[p.name for p in LABS])
def test_workbook_in_sync(lab):
    assert (lab / "workbook.ipynb").read_text(encoding="utf-8") == workbook_text(lab), \
        f"{lab.name}/workbook.ipynb is out of sync with source.ipynb: run `python -m course_lib release {lab}`"
