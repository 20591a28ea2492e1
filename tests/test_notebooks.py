"""Every lesson notebook in nbs/ runs top to bottom, offline (pytest --durations prints each one's time)."""
import pytest
from conftest import NBS, ROOT, run_python

@pytest.mark.parametrize("nb", NBS, ids=[p.name for p in NBS])
def test_notebook_runs(nb):
    code = f"from nbdev.test import test_nb; from pathlib import Path; import sys; ok, t = test_nb(Path({str(nb)!r})); print(f'ran in {{t:.1f}}s'); sys.exit(0 if ok else 1)"
    res = run_python(code)
    assert res.returncode == 0, f"{nb.name} failed:\n{res.stderr[-6000:]}"
