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
