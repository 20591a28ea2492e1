"""Shared helpers of the test suite: where things are, how to run a notebook, and course_lib installed from a wheel."""
import os, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
NBS = sorted((ROOT / "nbs").glob("*.ipynb"))
LABS = sorted(p.parent for p in (ROOT / "labs").glob("*/source.ipynb"))
PACKAGE_FILES = ("setup.py", "settings.ini", "pyproject.toml", "README.md")

def run_python(code: str, timeout: float = 900, cwd: Path = ROOT,
               env: dict | None = None) -> subprocess.CompletedProcess:
    "Run Python code in a fresh interpreter of this environment (offline, plus `env`), capturing its output."
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_DATASETS_OFFLINE="1", MPLBACKEND="Agg",
               **(env or {}))
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)

def build_and_install(tmp: Path) -> Path:
    "Build course_lib's wheel from a copy of this checkout and install it alone into tmp/site; that folder."
    src = tmp / "src"
    src.mkdir()
    for name in PACKAGE_FILES: shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "course_lib", src / "course_lib", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    # no build isolation: the course is offline, and the environment already has setuptools
    subprocess.run(pip + ["wheel", "--no-deps", "--no-build-isolation", str(src), "-w", str(tmp / "dist")],
                   check=True, capture_output=True, cwd=tmp)
    wheel, = (tmp / "dist").glob("course_lib-*.whl")
    subprocess.run(pip + ["install", "--no-deps", "--target", str(tmp / "site"), str(wheel)], check=True,
                   capture_output=True, cwd=tmp)
    return tmp / "site"

@pytest.fixture(scope="session")
def installed(tmp_path_factory) -> Path:
    "The folder where course_lib is installed from its wheel (once per session): put it on PYTHONPATH."
    return build_and_install(tmp_path_factory.mktemp("installed"))

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
