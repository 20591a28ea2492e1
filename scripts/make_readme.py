"""Write README.md from nbs/index.ipynb (nbdev_readme needs Quarto, which the course does not install).

    python scripts/make_readme.py          # write README.md
    python scripts/make_readme.py --check  # exit 1 if README.md is out of sync
"""
import posixpath, re, sys
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter

ROOT = Path(__file__).resolve().parents[1]
HEADER = "<!-- Generated from nbs/index.ipynb by scripts/make_readme.py: edit the notebook, not this file. -->\n\n"

def readme_text() -> str:
    nb = nbformat.read(ROOT / "nbs" / "index.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "markdown"]
    body, _ = MarkdownExporter(exclude_output=True).from_notebook_node(nb)
    # links in the notebook are relative to nbs/; the README sits one folder up
    body = re.sub(r"\]\((?!https?:|#)([^)]+)\)", lambda m: f"]({posixpath.normpath('nbs/' + m.group(1))})", body)
    return HEADER + body.strip() + "\n"

def main(argv) -> int:
    text, path = readme_text(), ROOT / "README.md"
    if "--check" in argv:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            print("README.md is out of sync with nbs/index.ipynb: run `python scripts/make_readme.py`", file=sys.stderr)
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
