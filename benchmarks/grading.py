"""Benchmark: grade 30 submissions of lab 01 (correct, partial and broken) with `--workers 2`, each in its own worker
and kernel, inside bubblewrap where it works here (`--sandbox auto`; the run prints which); print the wall time.
Goal: <= 3 minutes on 2 cores. Run: python benchmarks/grading.py [--n 30] [--workers 2] [--sandbox auto]"""
import argparse, os, subprocess, sys, tempfile, time
from pathlib import Path
import nbformat

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "labs" / "01_tokenizer"

def submissions(folder: Path, n: int) -> list[Path]:
    "n notebooks: a rotation of correct, partial (one function missing), starter, error-raising and looping ones."
    sol = [c.source for c in nbformat.read(LAB / "source.ipynb", as_version=4).cells if c.cell_type == "code"]
    stub = [c.source for c in nbformat.read(LAB / "workbook.ipynb", as_version=4).cells if c.cell_type == "code"]
    kinds = [sol, [c for c in sol if "def merge(" not in c], stub, [*sol, "1/0"], [*sol, "while True: pass"], sol]
    paths = []
    for i in range(n):
        p = folder / f"student{i:02}.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in kinds[i % len(kinds)]]), p)
        paths.append(p)
    return paths

def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sandbox", default="auto", choices=["auto", "bwrap", "none"])
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = submissions(Path(tmp), a.n)
        t = time.perf_counter()
        cmd = [sys.executable, "-m", "course_lib", "grade", "01_tokenizer", *map(str, paths), "--out", f"{tmp}/out",
               "--workers", str(a.workers), "--timeout", "5", "--sandbox", a.sandbox, "--quiet"]
        env = dict(os.environ, COURSE_GRADER_KEY_FILE=f"{tmp}/grader.key")  # the benchmark's own signing key
        res = subprocess.run(cmd, cwd=ROOT, text=True, capture_output=True, env=env)
        dt = time.perf_counter() - t
    print(res.stdout.strip() or res.stderr[-2000:])
    sandbox = "bubblewrap" if "sandbox: bubblewrap" in res.stdout else "none"
    print(f"graded {a.n} submissions with --workers {a.workers}, sandbox {sandbox}, in {dt:.1f}s wall time "
          "(goal: <= 180s)")
    return res.returncode

if __name__ == "__main__": sys.exit(main())
