"""Every lab: graded with the real `python -m course_lib grade` command, its solution scores full marks and its
starter workbook scores zero; and the workbook is in sync with its source."""
import json, subprocess, sys
import pytest
from conftest import LABS, ROOT
from course_lib.grading import workbook_text

def grade(lab, tmp_path) -> dict:
    "Grade a lab's source.ipynb and workbook.ipynb in one batch; their gradebook rows by student id."
    res = subprocess.run([sys.executable, "-m", "course_lib", "grade", lab.name, lab / "source.ipynb", lab / "workbook.ipynb",
                          "--out", tmp_path, "--workers", "2", "--timeout", "300", "--quiet"],
                         capture_output=True, text=True, timeout=1200, cwd=ROOT)
    assert res.returncode == 0, res.stderr[-4000:]
    return {r["student"]: r for r in json.loads((tmp_path / "gradebook.json").read_text())["rows"]}

@pytest.fixture(scope="module", params=LABS, ids=[p.name for p in LABS])
def graded(request, tmp_path_factory):
    return request.param, grade(request.param, tmp_path_factory.mktemp(request.param.name))

def test_solution_scores_full_marks(graded):
    lab, rows = graded
    assert rows["source"]["score"] == rows["source"]["points"] > 0, rows["source"]

def test_starter_scores_zero(graded):
    lab, rows = graded
    assert rows["workbook"]["score"] == 0 and rows["workbook"]["points"] > 0, rows["workbook"]
    assert all(v == 0 for v in rows["workbook"]["checks"].values()), rows["workbook"]

@pytest.mark.parametrize("lab", LABS, ids=[p.name for p in LABS])
def test_workbook_in_sync(lab):
    assert (lab / "workbook.ipynb").read_text(encoding="utf-8") == workbook_text(lab), \
        f"{lab.name}/workbook.ipynb is out of sync with source.ipynb: run `python -m course_lib release {lab}`"
