"""Every lab: its solution scores full marks, its starter workbook scores zero, and the workbook is in sync."""
import json
import nbformat, pytest
from nbclient import NotebookClient
from conftest import LABS, ROOT
from course_lib.grading import judge_lab, workbook_text

MARK = "@@PROBE@@"

def probe_notebook(path, lab: str, timeout: int = 300) -> str:
    "Run a lab notebook's code cells in a fresh kernel (errors allowed), then probe its functions; return the JSON."
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "code"]
    nb.cells.append(nbformat.v4.new_code_cell(
        f"from course_lib.grading import probe_lab as _p\nprint({MARK!r} + _p({lab!r}, globals()))"))
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    assert MARK in out, f"the probe cell printed no results: {nb.cells[-1].outputs}"
    return out.split(MARK, 1)[1].strip()

@pytest.mark.parametrize("lab", LABS, ids=[p.name for p in LABS])
def test_solution_scores_full_marks(lab):
    report = judge_lab(lab.name, probe_notebook(lab / "source.ipynb", lab.name))
    assert report.earned == report.points > 0, repr(report)

@pytest.mark.parametrize("lab", LABS, ids=[p.name for p in LABS])
def test_starter_scores_zero(lab):
    report = judge_lab(lab.name, probe_notebook(lab / "workbook.ipynb", lab.name))
    assert report.earned == 0, repr(report)
    assert all(r.failures for r in report.results)

@pytest.mark.parametrize("lab", LABS, ids=[p.name for p in LABS])
def test_workbook_in_sync(lab):
    assert (lab / "workbook.ipynb").read_text(encoding="utf-8") == workbook_text(lab), \
        f"{lab.name}/workbook.ipynb is out of sync with source.ipynb: run `python -m course_lib release {lab}`"
