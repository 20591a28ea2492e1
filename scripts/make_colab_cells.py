"""Write the top of every lesson (nbs/NN_*.ipynb) and lab source (labs/*/source.ipynb) from settings.ini:

- the "Open in Colab" badge, from `git_url` and `branch` (and every Colab link of nbs/index.ipynb, so the README's);
- the first code cell: on Colab it installs course_lib with the extras this notebook needs, pinned by the course's
  constraints.txt (which pins neither torch nor numpy, so Colab's own stay); anywhere else it only calls
  `course_lib.core.check_extras`, which names what is missing and how to install it.

The extras a notebook needs are found from its imports: the third-party packages its code cells import, and those
imported anywhere in the course_lib modules it imports (and the modules they import), mapped to the extras of
settings.ini (`viz_requirements`, `rag_requirements`, ...).

    python scripts/make_colab_cells.py           # rewrite the cells
    python scripts/make_colab_cells.py --check   # exit 1 if a notebook is out of date
    python scripts/make_colab_cells.py --table   # print each notebook's extras
"""
import ast, configparser, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOT_PARTS = ("requirements", "dev_requirements", "lab_requirements", "pip_requirements", "all_requirements")
IMPORT_NAMES = {"beautifulsoup4": "bs4", "llama-cpp-python": "llama_cpp", "scikit-learn": "sklearn"}  # distributions whose import name is not their name with - as _
BADGE_SVG = "https://colab.research.google.com/assets/colab-badge.svg"
MARK = '"google.colab" in sys.modules'

def settings() -> configparser.SectionProxy:
    cfg = configparser.ConfigParser(delimiters=["="])
    cfg.read(ROOT / "settings.ini", encoding="utf-8")
    return cfg["DEFAULT"]

def part_extras(cfg) -> dict[str, str]:
    "{import name: extra} for every package of every part's extra in settings.ini."
    out = {}
    for key in cfg:
        if key.endswith("_requirements") and key not in NOT_PARTS:
            for req in cfg[key].split():
                dist = re.match(r"[A-Za-z0-9._-]+", req)[0].lower()
                out[IMPORT_NAMES.get(dist, dist.replace("-", "_"))] = key[:-len("_requirements")]
    return out

def imported(src: str) -> set[str]:
    "Every module named by an import statement anywhere in `src` (IPython magics and shell lines dropped)."
    lines = [l for l in src.splitlines() if not l.lstrip().startswith(("%", "!"))]
    try: tree = ast.parse("\n".join(lines))
    except SyntaxError: return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import): names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or node.level):
            if node.module: names.add(("course_lib." if node.level else "") + node.module)
            # `from course_lib import x` and `from . import x` name modules; `from .core import x` names a function
            if node.module in (None, "course_lib"): names |= {f"course_lib.{a.name}" for a in node.names}
    return names

def packages_needed(names: set[str]) -> set[str]:
    "The top-level third-party names `names` import, following course_lib modules through their own imports."
    seen, todo, tops = set(), list(names), set()
    while todo:
        name = todo.pop()
        parts = name.split(".")
        if parts[0] != "course_lib":
            tops.add(parts[0])
            continue
        path = ROOT / "course_lib" / f"{parts[1]}.py" if len(parts) > 1 else None
        if path is None or not path.is_file() or path in seen: continue
        seen.add(path)
        todo += imported(path.read_text(encoding="utf-8"))
    return tops

def notebook_extras(nb: dict, table: dict[str, str]) -> list[str]:
    names = set().union(*(imported("".join(c["source"])) for c in nb["cells"] if c["cell_type"] == "code"))
    return sorted({table[t] for t in packages_needed(names) if t in table})

def colab_prefix(cfg) -> str:
    "Colab's URL of the repository's branch (settings.ini's git_url and branch); a notebook's path follows."
    user_repo = cfg["git_url"].rstrip("/").split("github.com/")[1]
    return f"https://colab.research.google.com/github/{user_repo}/blob/{cfg['branch']}/"

def badge(cfg, rel: str) -> str:
    return f"[![Open In Colab]({BADGE_SVG})]({colab_prefix(cfg)}{rel})"

def install_cell(cfg, extras: list[str]) -> str:
    spec, names = (f"[{','.join(extras)}]" if extras else ""), ",".join(extras)
    raw = cfg["git_url"].rstrip("/").replace("github.com", "raw.githubusercontent.com")
    pins = f"{raw}/{cfg['branch']}/constraints.txt"
    needs = f"course_lib{spec}" if extras else "course_lib (no extra)"
    head = (f"# This notebook needs {needs}: on Colab this cell installs it, pinned by the course's constraints\n"
            "# (Colab's own torch and numpy stay); anywhere else it only checks, and says what to install if something is "
            "missing.")
    if len(head.splitlines()[0]) > 120:  # ruff's line limit: a longer list of extras moves 'constraints' down a line
        head = (f"# This notebook needs {needs}: on Colab this cell installs it, pinned by the course's\n"
                "# constraints (Colab's own torch and numpy stay); anywhere else it only checks, and says what to "
                "install if\n# something is missing.")
    return f"""#| hide
{head}
import sys, subprocess
if {MARK}:
    WHAT = "course_lib{spec} @ git+{cfg['git_url'].rstrip('/')}"
    PINS = "{pins}"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-compile", "-c", PINS, WHAT], check=True)
from course_lib.core import check_extras
check_extras(\"{names}\")"""

def notebooks() -> list[Path]:
    return sorted(ROOT.glob("nbs/[0-9][0-9]*.ipynb")) + sorted(ROOT.glob("labs/*/source.ipynb"))

def updated(path: Path, cfg, table) -> tuple[str, list[str]]:
    "(the notebook's new JSON text, its extras); raise if it has no badge cell or no install cell to rewrite."
    nb = json.loads(path.read_text(encoding="utf-8"))
    rel = path.relative_to(ROOT).as_posix().replace("source.ipynb", "workbook.ipynb")
    extras = notebook_extras(nb, table)
    marks = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown" and BADGE_SVG in "".join(c["source"])]
    codes = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and MARK in "".join(c["source"])]
    if not marks or not codes:
        raise SystemExit(f"{path.relative_to(ROOT)}: no {'badge' if not marks else 'install'} cell near the top: copy "
                         "both from nbs/01a_tokenizer.ipynb (a markdown cell with the badge, then the install cell)")
    nb["cells"][marks[0]]["source"] = badge(cfg, rel).splitlines(keepends=True)
    nb["cells"][codes[0]]["source"] = install_cell(cfg, extras).splitlines(keepends=True)
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n", extras

def index_updated(cfg) -> str:
    "nbs/index.ipynb with every Colab link pointing at settings.ini's repository and branch."
    text = (ROOT / "nbs" / "index.ipynb").read_text(encoding="utf-8")
    return re.sub(r"https://colab\.research\.google\.com/github/[^/\s)]+/[^/\s)]+/blob/[^/\s)]+/",
                  colab_prefix(cfg), text)

def main(argv) -> int:
    cfg = settings()
    table = part_extras(cfg)
    stale = []
    for path in notebooks() + [ROOT / "nbs" / "index.ipynb"]:
        text, extras = (index_updated(cfg), []) if path.name == "index.ipynb" else updated(path, cfg, table)
        if "--table" in argv: print(f"{path.relative_to(ROOT).as_posix():42} {','.join(extras) or '-'}")
        if text != path.read_text(encoding="utf-8"):
            stale.append(path.relative_to(ROOT).as_posix())
            if "--check" not in argv and "--table" not in argv: path.write_text(text, encoding="utf-8")
    if "--check" in argv and stale:
        print(f"Colab cells out of date in {stale}: run `python scripts/make_colab_cells.py`", file=sys.stderr)
        return 1
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
