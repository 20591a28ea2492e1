"""The repository is in sync with itself: library == export of the notebooks, notebooks clean, README and
workbooks generated from their sources; course_lib imports light; the doctor runs; every notebook has its Colab badge."""
import json, shutil, subprocess, sys
from pathlib import Path
import pytest
from conftest import LABS, NBS, ROOT, run_python

BIN = Path(sys.executable).parent

def _copy_project(tmp: Path) -> Path:
    for name in ("settings.ini", "setup.py", "README.md"): shutil.copy(ROOT / name, tmp / name)
    for name in ("nbs", "course_lib", "labs"):
        shutil.copytree(ROOT / name, tmp / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    return tmp

def _files(root: Path, pattern: str) -> dict:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in sorted(root.rglob(pattern))}

def test_library_in_sync_with_notebooks(tmp_path):
    tmp = _copy_project(tmp_path)
    subprocess.run([BIN / "nbdev_export"], cwd=tmp, check=True, capture_output=True)
    before, after = _files(ROOT / "course_lib", "*.py"), _files(tmp / "course_lib", "*.py")
    stale = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not stale, f"course_lib is out of sync with nbs/ in {stale}: run `nbdev_export` and commit (never edit course_lib by hand)"

def test_ruff_line_checks():
    "ruff (settings in pyproject.toml): no line over 120 characters, no `;`-chained statement, in course_lib and nbs."
    # nbdev's own long lines in course_lib/*.py (docstring, __all__) are exempt; the hand-written labs are not
    runs = [["course_lib", "nbs"], ["--config", "lint.per-file-ignores = {}", "course_lib/labs"]]
    for args in runs:
        res = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *args], cwd=ROOT,
                             capture_output=True, text=True)
        assert res.returncode == 0, (f"{res.stdout}{res.stderr}\nwrap the line or split the statement, in the notebook "
                                     "(course_lib/*.py is generated), then run nbdev_export")

def test_notebooks_clean(tmp_path):
    tmp = _copy_project(tmp_path)
    for folder in ("nbs", "labs"):
        subprocess.run([BIN / "nbdev_clean", "--fname", tmp / folder], cwd=tmp, check=True, capture_output=True)
    dirty = [k for folder in ("nbs", "labs") for k, v in _files(ROOT / folder, "*.ipynb").items()
             if _files(tmp / folder, "*.ipynb")[k] != v]
    assert not dirty, f"notebooks not clean: {dirty}: run `nbdev_clean --fname nbs` and `nbdev_clean --fname labs`"

def test_readme_in_sync():
    res = subprocess.run([sys.executable, ROOT / "scripts" / "make_readme.py", "--check"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr

def test_assets_in_sync():
    "What the lessons read from nbs/ and labs/ ships in course_lib/assets (installed mode has no repository)."
    res = subprocess.run([sys.executable, ROOT / "scripts" / "make_assets.py", "--check"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr

def test_colab_cells_in_sync():
    "Every badge and install cell comes from settings.ini and each notebook's imports (scripts/make_colab_cells.py)."
    res = subprocess.run([sys.executable, ROOT / "scripts" / "make_colab_cells.py", "--check"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr

def test_colab_cells_name_the_extras_each_notebook_imports():
    "The extras come from the imports, followed through course_lib: a RAG lesson needs rag, lesson 01 needs none."
    sys.path.insert(0, str(ROOT / "scripts"))
    try: from make_colab_cells import notebook_extras, part_extras, settings
    finally: sys.path.remove(str(ROOT / "scripts"))
    table = part_extras(settings())
    assert table["chromadb"] == "rag" and table["bs4"] == "rag" and table["trl"] == "post"
    extras = lambda nb: notebook_extras(json.loads((ROOT / "nbs" / nb).read_text(encoding="utf-8")), table)
    assert extras("13_rag.ipynb") == ["rag"] and extras("01a_tokenizer.ipynb") == []
    assert "post" in extras("07_sft.ipynb") and "serve" in extras("15d_deployment.ipynb")
    fake = {"cells": [{"cell_type": "code", "source": "from course_lib.vectorstore import embed\nimport httpx"}]}
    assert notebook_extras(fake, table) == ["rag", "serve"]

def test_packaged_prose_is_the_lessons_prose():
    from course_lib.vectorstore import course_documents
    packaged, live = course_documents(), course_documents(ROOT / "nbs")
    assert [(d.text, d.metadata) for d in packaged] == [(d.text, d.metadata) for d in live], \
        "course_documents() differs from the lessons: run `python scripts/make_assets.py`"

def test_import_is_light():
    res = run_python("import time; t = time.perf_counter(); import course_lib, course_lib.core, course_lib.tokenizer, course_lib.grading; "
                     "dt = time.perf_counter() - t; import sys; heavy = [m for m in ('torch', 'transformers', 'trl', 'chromadb') if m in sys.modules]; "
                     "print(f'import course_lib: {dt:.3f}s'); assert not heavy, heavy")
    assert res.returncode == 0, res.stderr
    print(res.stdout)

def test_doctor_command():
    res = subprocess.run([sys.executable, "-m", "course_lib", "doctor"], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "all essentials present" in res.stdout

COLAB = "https://colab.research.google.com/github/handbook-workbook/llm-handbook-workbook/blob/main/"
LESSONS = [p for p in NBS if p.name[:2].isdigit()]

@pytest.mark.parametrize("nb", LESSONS + [l / "source.ipynb" for l in LABS], ids=lambda p: str(p.relative_to(ROOT)))
def test_colab_badge_and_install_cell(nb):
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    text = lambda c: "".join(c["source"])
    rel = nb.relative_to(ROOT).as_posix().replace("source.ipynb", "workbook.ipynb")
    assert any(COLAB + rel in text(c) for c in cells if c["cell_type"] == "markdown"), f"{nb.name}: no Open in Colab badge for {rel}"
    code = [text(c) for c in cells if c["cell_type"] == "code"]
    assert any('"google.colab" in sys.modules' in c and "pip" in c for c in code[:3]), f"{nb.name}: no Colab install cell near the top"

def test_index_links_every_lesson_and_only_existing_files():
    import re
    cells = json.loads((ROOT / "nbs" / "index.ipynb").read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    links = set(re.findall(r"\]\(((?!https?:)[^)#]+\.ipynb)\)", text))
    missing = [l for l in links if not (ROOT / "nbs" / l).resolve().exists()]
    assert not missing, f"nbs/index.ipynb links to notebooks that do not exist: {missing}"
    unlisted = [p.name for p in LESSONS if p.name not in links] + [f"../labs/{l.name}/workbook.ipynb" for l in LABS
                                                                  if f"../labs/{l.name}/workbook.ipynb" not in links]
    assert not unlisted, f"nbs/index.ipynb's table of parts does not list {unlisted}"

def test_rag_answers_lie_inside_one_chunk():
    "Every labelled RAG question's answer span lies inside one chunk of its lesson (lessons 13 and 13b rely on it)."
    res = run_python("from course_lib.rag import handbook_chunks, load_questions, relevant_ids\n"
                     "chunks = handbook_chunks()\n"
                     "print([q.question for q in load_questions() if not relevant_ids(chunks, q)])")
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.strip() == "[]", (
        f"answers split by a chunk boundary or gone from their lesson: {res.stdout.strip()}; a prose edit moved a "
        "chunk boundary: shorten those answer spans in course_lib/assets/rag/questions.json (or restore the prose)")
