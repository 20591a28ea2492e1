"""Shared helpers of the test suite: where things are, and how to run a notebook."""
import os, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted((ROOT / "nbs").glob("*.ipynb"))
LABS = sorted(p.parent for p in (ROOT / "labs").glob("*/source.ipynb"))

def run_python(code: str, timeout: float = 900, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    "Run Python code in a fresh interpreter of this environment (offline), capturing its output."
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_DATASETS_OFFLINE="1", MPLBACKEND="Agg")
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)

def pytest_terminal_summary(terminalreporter):
    "Print each notebook's run time (lessons, and labs graded by the real grade command)."
    rows = []
    for outcome in ("passed", "failed"):
        for rep in terminalreporter.stats.get(outcome, []):
            if rep.when == "call" and "test_notebook_runs[" in rep.nodeid:
                rows.append((rep.nodeid.split("[", 1)[1].rstrip("]"), rep.duration, outcome))
    if rows:
        terminalreporter.section("notebook run times")
        for name, secs, outcome in sorted(rows):
            terminalreporter.write_line(f"{secs:7.1f}s  {name}{'' if outcome == 'passed' else '  FAILED'}")
        terminalreporter.write_line(f"{sum(r[1] for r in rows):7.1f}s  total for {len(rows)} notebooks")
