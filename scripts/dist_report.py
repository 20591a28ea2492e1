"""Check and describe what `make dist` built: one sdist and one wheel in dist/, at the version settings.ini names, and
the wheel's size and contents by kind (modules, lab checks, shipped models, other assets)."""
import configparser, sys, zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def kind(name: str) -> str:
    "What a file in the wheel is, for the report."
    if ".dist-info/" in name: return "metadata"
    if name.startswith("course_lib/labs/"): return "lab checks"
    if name.startswith("course_lib/assets/handbook-tiny"): return "shipped models"
    if name.startswith("course_lib/assets/"): return "other assets"
    return "modules" if name.endswith(".py") else "other"

def main(dist: Path = ROOT / "dist") -> int:
    version = configparser.ConfigParser()
    version.read(ROOT / "settings.ini")
    version = version["DEFAULT"]["version"]
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        print(f"error: expected one wheel and one sdist in {dist}, found {[p.name for p in wheels + sdists]}: "
              "run `make dist` (it empties dist/ first)", file=sys.stderr)
        return 1
    wheel, sdist = wheels[0], sdists[0]
    wrong = [p.name for p in (wheel, sdist) if f"-{version}" not in p.name]
    if wrong:
        print(f"error: {wrong} do not carry settings.ini's version {version}", file=sys.stderr)
        return 1
    sizes, counts = Counter(), Counter()
    with zipfile.ZipFile(wheel) as z:
        for info in z.infolist():
            sizes[kind(info.filename)] += info.file_size
            counts[kind(info.filename)] += 1
    print(f"{wheel.name}: {wheel.stat().st_size / 2**20:.1f} MiB compressed; {sdist.name}: "
          f"{sdist.stat().st_size / 2**20:.1f} MiB")
    for k, n in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"  {k:15s} {counts[k]:4d} files  {n / 2**20:7.2f} MiB unpacked")
    return 0

if __name__ == "__main__":
    sys.exit(main())
