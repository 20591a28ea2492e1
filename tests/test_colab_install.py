"""The Colab install cell, timed in a Colab-like environment (torch, transformers and numpy only): the heaviest set of
extras a lesson needs is installed from the wheel under constraints.txt; torch and numpy must stay the preinstalled
ones, check_extras must pass and those lessons' modules must import. The time is printed (the goal is a minute)."""
import subprocess, sys
from conftest import ROOT

HEAVIEST = "post,rag,serve"  # 16b_red_team and lab 16: the most packages of any lesson

def test_colab_like_install(installed):
    wheel, = (installed.parent / "dist").glob("course_lib-*.whl")
    res = subprocess.run([sys.executable, ROOT / "scripts" / "colab_install.py", "--sets", HEAVIEST, "--limit", "900",
                          "--wheel", wheel], capture_output=True, text=True, timeout=1500)
    print(res.stdout)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    row = next(l for l in res.stdout.splitlines() if l.startswith(HEAVIEST))
    assert row.split()[3] == "True", row  # torch and numpy are still Colab's
