"""Every lesson notebook runs top to bottom, offline, the way a student or a practitioner runs it: course_lib built as
a wheel and installed (no nbs/ or labs/ beside it), the notebook copied alone into an empty folder
(pytest --durations prints each one's time). One smoke test runs the editable install of the repository."""
from pathlib import Path
import pytest
from conftest import NBS, ROOT, run_python

RUN = """import sys
from pathlib import Path
from nbdev.test import test_nb
ok, t = test_nb(Path({name!r}).resolve())
import course_lib
print(f"ran in {{t:.1f}}s with course_lib from", Path(course_lib.__file__).resolve().parent)
sys.exit(0 if ok else 1)"""

@pytest.mark.parametrize("nb", NBS, ids=[p.name for p in NBS])
def test_notebook_runs(nb, installed, tmp_path):
    (tmp_path / nb.name).write_bytes(nb.read_bytes())
    res = run_python(RUN.format(name=nb.name), cwd=tmp_path, env={"PYTHONPATH": str(installed)})
    where = f"installed course_lib, notebook alone in {tmp_path}"
    assert res.returncode == 0, f"{nb.name} failed ({where}):\n{res.stderr[-6000:]}"
    assert f"with course_lib from {(installed / 'course_lib').resolve()}" in res.stdout, res.stdout[-2000:]

def test_editable_install_runs_a_notebook(tmp_path):
    "The repository's own course_lib (pip install -e) imports from the checkout and runs the core lesson."
    res = run_python(RUN.format(name=str(ROOT / "nbs" / "00_core.ipynb")))
    assert res.returncode == 0, res.stderr[-6000:]
    assert f"with course_lib from {ROOT / 'course_lib'}" in res.stdout, res.stdout[-2000:]

def test_wheel_ships_the_whole_package(installed):
    "Every file of course_lib (modules, lab checks, assets) is in the wheel; nothing else is."
    files = lambda root: {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
                          and "__pycache__" not in p.parts}
    shipped, here = files(installed / "course_lib"), files(installed.parent / "src" / "course_lib")  # what was built
    missing, extra = sorted(here - shipped), sorted(shipped - here)
    assert not missing and not extra, \
        f"missing from the wheel (package_data in settings.ini): {missing[:20]}; extra: {extra[:20]}"
