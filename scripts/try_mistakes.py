"""Authors' tool: run a lab's source notebook in a kernel, then probe its mistakes file there and judge every
mistake (`python scripts/try_mistakes.py labs/01_tokenizer`). CI does the same through the real grader
(`python -m course_lib grade LAB SOLUTION --mistakes FILE`); this script is for a lab author's quick loop."""
import json, sys, tempfile
from pathlib import Path
import nbformat
from nbclient import NotebookClient
from course_lib.grading import judge_lab, judge_mistakes

def main(lab_dir:str) -> int:
    lab_dir = Path(lab_dir)
    nb = nbformat.read(lab_dir/"source.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "code"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)/"probed.json"
        src = (lab_dir/"mistakes.py").read_text() if (lab_dir/"mistakes.py").exists() else ""
        nb.cells.append(nbformat.v4.new_code_cell(
            "import json as _j, pathlib as _p\nfrom course_lib.grading import probe_lab as _pl, probe_mistakes as _pm\n"
            f"_p.Path({str(out)!r}).write_text(_j.dumps({{'lab': _j.loads(_pl({lab_dir.name!r}, globals())), "
            f"'mistakes': _j.loads(_pm({lab_dir.name!r}, globals(), {src!r}))}}))"))
        NotebookClient(nb, timeout=900, resources={"metadata": {"path": tmp}}).execute()
        data = json.loads(out.read_text())
    report = judge_lab(lab_dir.name, data["lab"])
    print(report)
    rows = judge_mistakes(lab_dir.name, data["mistakes"])
    bad = [r for r in rows if not r["ok"]]
    for r in rows:
        if r["kind"] == "mistake" or not r["ok"]:
            print(f"{'ok ' if r['ok'] else 'BAD'} {r['kind']:9} {r['mistake']:<45} {r['earned']:g}/{r['points']:g}  {r['reason'][:90]}")
    n_m = sum(r["kind"] == "mistake" for r in rows)
    print(f"{n_m} mistakes, {len(rows) - n_m} stubs/references; {len(bad)} not caught; solution {report.earned:g}/{report.points:g}")
    return 1 if bad or report.earned != report.points else 0

if __name__ == "__main__": sys.exit(main(sys.argv[1]))
