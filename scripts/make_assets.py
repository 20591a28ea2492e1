"""Write what the lessons read from nbs/ and labs/ into course_lib/assets/, so an installed course_lib (no repository
beside it: Colab, `pip install`) behaves like the repository:

- course/prose.json      the markdown cells of every lesson nbs/NN_*.ipynb: source, section heading, text
                         (read by course_lib.vectorstore.course_documents);
- course/structure.json  which module each lesson exports and what each lab checks
                         (read by course_lib.knowledge_graph.course_structure);
- course/images/*.png    the pictures committed beside the lessons (nbs/images: 15c's chat page screenshot);
- labs/01_tokenizer/source.ipynb  the lab the grader lessons (19e, 19f, 19g) grade as their demo.

    python scripts/make_assets.py          # write them
    python scripts/make_assets.py --check  # exit 1 if they are out of sync with nbs/ and labs/
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "course_lib" / "assets"
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
SHIPPED_LABS = ("01_tokenizer",)

def prose_cells(nbs: Path) -> list[dict]:
    "One record per non-empty markdown cell of nbs/NN_*.ipynb: {source, section, text}; text as load_notebook keeps it."
    rows = []
    for nb in sorted(nbs.glob("[0-9][0-9]*.ipynb")):
        section = ""
        for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            text = "".join(c.get("source", "")).strip()
            if c.get("cell_type") != "markdown" or not text: continue
            heads = [m[1] for line in text.splitlines() if (m := HEADING.match(line))]
            if HEADING.match(text.splitlines()[0]): section = heads[0]
            rows.append({"source": f"nbs/{nb.name}", "section": section, "text": text})
            if heads: section = heads[-1]
    return rows

def _records(rows: list[dict]) -> str:
    return "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n"

def asset_files() -> dict:
    "{path under course_lib/assets: its content (str or bytes)} for every generated asset."
    sys.path.insert(0, str(ROOT))  # this checkout's course_lib, whatever is installed
    from course_lib.knowledge_graph import course_structure
    files = {"course/prose.json": _records(prose_cells(ROOT / "nbs")),
             "course/structure.json": json.dumps(course_structure(ROOT), indent=1, ensure_ascii=False) + "\n"}
    for image in sorted((ROOT / "nbs" / "images").glob("*.png")):
        files[f"course/images/{image.name}"] = image.read_bytes()
    for lab in SHIPPED_LABS:
        files[f"labs/{lab}/source.ipynb"] = (ROOT / "labs" / lab / "source.ipynb").read_bytes()
    return files

def _generated() -> set:
    return {p.relative_to(ASSETS).as_posix() for d in ("course", "labs") for p in (ASSETS / d).rglob("*")
            if p.is_file()}

def main(argv) -> int:
    files = asset_files()
    if "--check" in argv:
        def same(rel, data):
            path = ASSETS / rel
            return path.is_file() and path.read_bytes() == (data.encode("utf-8") if isinstance(data, str) else data)
        stale = sorted(rel for rel, data in files.items() if not same(rel, data)) + sorted(_generated() - files.keys())
        if stale:
            print(f"course_lib/assets is out of sync with nbs/ and labs/ in {stale}: "
                  "run `python scripts/make_assets.py` (or `make export`)", file=sys.stderr)
            return 1
        return 0
    for rel in _generated() - files.keys(): (ASSETS / rel).unlink()
    for rel, data in files.items():
        path = ASSETS / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
