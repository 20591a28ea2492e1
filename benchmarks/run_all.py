"""Print every measured table of the course again (each lesson's benchmark script, in course order)."""
import runpy, sys
from pathlib import Path

if __name__ == "__main__":
    for script in sorted(Path(__file__).parent.glob("[a-z]*.py")):
        if script.name == "run_all.py": continue
        print(f"\n== {script.stem} ==")
        sys.argv = [str(script)]
        runpy.run_path(str(script), run_name="__main__")
