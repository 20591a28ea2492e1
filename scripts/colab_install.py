"""Time a lesson's Colab install cell in a Colab-like environment, and check that what it installs is enough.

Colab starts with torch, transformers and numpy (and more) installed. This script makes a virtual environment with
only those three and what they need (`base`, linked from this environment), then, for each set of extras the lessons
name (scripts/make_colab_cells.py), a fresh environment that sees `base`'s packages the way Colab's pip sees its
preinstalled ones (a .pth file), and in it runs what the cell runs:
`pip install --no-compile -c constraints.txt course_lib[EXTRAS]` (from a wheel of this checkout: the cell installs
from git, which needs the network). Then, in that environment: torch and numpy are still base's (nothing reinstalled
them), `check_extras(EXTRAS)` passes, and every course_lib module those lessons import imports.

    python scripts/colab_install.py                   # every set of extras a lesson needs
    python scripts/colab_install.py --sets "" post,rag,serve --limit 60   # some sets; exit 1 if one takes > 60 s

Pip here reads a local package index, and its cache may be warm: on Colab downloads add their own time.
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from make_colab_cells import imported, notebook_extras, notebooks, part_extras, settings  # noqa: E402

COLAB_HAS = ("torch", "numpy", "transformers")  # taken from this environment (torch 2.13.0 here)

def run(cmd, **kw) -> subprocess.CompletedProcess:
    res = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if res.returncode:
        what = " ".join(map(str, cmd))
        raise SystemExit(f"failed ({res.returncode}): {what}\n{res.stdout[-3000:]}{res.stderr[-3000:]}")
    return res

def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))

def lesson_sets() -> dict[str, list[str]]:
    "{'post,rag': [course_lib modules the notebooks needing exactly those extras import], ...}"
    table, sets = part_extras(settings()), {}
    for path in notebooks():
        nb = json.loads(path.read_text(encoding="utf-8"))
        mods = {n for c in nb["cells"] if c["cell_type"] == "code" for n in imported("".join(c["source"]))
                if n.startswith("course_lib.") and (ROOT / "course_lib" / f"{n.split('.')[1]}.py").is_file()}
        sets.setdefault(",".join(notebook_extras(nb, table)), set()).update(m.split(".")[0] + "." + m.split(".")[1]
                                                                           for m in mods)
    return {k: sorted(v) for k, v in sets.items()}

def build_wheel(out: Path) -> Path:
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", out, ROOT])
    return next(out.glob("course_lib-*.whl"))

def closure(names) -> list:
    "The installed distributions `names` need, with what they need in turn (markers evaluated, no extras)."
    from importlib import metadata
    from packaging.requirements import Requirement
    seen, todo = {}, list(names)
    while todo:
        req = Requirement(todo.pop())
        key = req.name.lower().replace("_", "-")
        if key in seen or (req.marker and not req.marker.evaluate({"extra": ""})): continue
        try: seen[key] = dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError: continue
        todo += dist.requires or []
    return list(seen.values())

def make_base(work: Path) -> Path:
    """A venv holding torch, numpy and transformers (and what they need) from this environment, as links: made in
    seconds instead of minutes of copying torch. Returns its site-packages."""
    base = work / "base"
    run([sys.executable, "-m", "venv", base])
    site = site_packages(base)
    for dist in closure(COLAB_HAS):
        for top in {Path(f).parts[0] for f in dist.files or [] if not str(f).startswith("..")}:
            src = Path(dist.locate_file(top))
            if src.exists() and not (site / top).exists(): (site / top).symlink_to(src)
    return base

def try_set(work: Path, base: Path, wheel: Path, extras: str, modules: list[str]) -> dict:
    env_dir = work / ("env-" + (extras.replace(",", "-") or "base"))
    run([sys.executable, "-m", "venv", env_dir])
    (site_packages(env_dir) / "colab_preinstalled.pth").write_text(str(site_packages(base)) + "\n")
    py = env_dir / "bin" / "python"
    before = set(os.listdir(site_packages(env_dir)))
    t0 = time.perf_counter()
    run([py, "-m", "pip", "install", "-q", "--no-compile", "-c", ROOT / "constraints.txt",
         f"{wheel}[{extras}]" if extras else wheel])  # what the cell runs (--no-compile: Python compiles on import)
    seconds = time.perf_counter() - t0
    added = sorted(d for d in set(os.listdir(site_packages(env_dir))) - before if d.endswith(".dist-info"))
    check = (f"import torch, numpy; from course_lib.core import check_extras; check_extras({extras!r}); "
             f"import {', '.join(modules) or 'course_lib'}; print(torch.__file__); print(numpy.__file__)")
    out = run([py, "-c", check], cwd=work).stdout.split()
    kept = all(Path(p).is_relative_to(site_packages(base)) for p in out[-2:])
    return {"extras": extras or "-", "seconds": round(seconds, 1), "packages added": len(added),
            "torch, numpy kept": kept, "modules imported": len(modules)}

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="*", help="sets of extras to try ('' is none); default: every set a lesson needs")
    ap.add_argument("--limit", type=float, default=60.0, help="seconds one install may take (default 60)")
    ap.add_argument("--wheel", type=Path, help="a built course_lib wheel (default: build one)")
    a = ap.parse_args(argv)
    sets = lesson_sets()
    chosen = sets if a.sets is None else {s: sets.get(s, []) for s in a.sets}
    with tempfile.TemporaryDirectory(prefix="colab-like-") as tmp:
        work = Path(tmp)
        wheel = a.wheel or build_wheel(work)
        t0 = time.perf_counter()
        base = make_base(work)
        print(f"Colab-like base ({', '.join(COLAB_HAS)}) made in {time.perf_counter() - t0:.0f} s")
        rows = [try_set(work, base, wheel, extras, mods) for extras, mods in chosen.items()]
    print(f"{'extras':22} {'seconds':>8} {'packages added':>15} {'torch, numpy kept':>18} {'modules imported':>17}")
    for r in rows:
        print(f"{r['extras']:22} {r['seconds']:8.1f} {r['packages added']:15} {str(r['torch, numpy kept']):>18} "
              f"{r['modules imported']:17}")
    bad = [r["extras"] for r in rows if r["seconds"] > a.limit or not r["torch, numpy kept"]]
    if bad: print(f"over {a.limit:.0f} s, or torch/numpy reinstalled: {bad}", file=sys.stderr)
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())
