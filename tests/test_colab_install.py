"""The Colab install cell, timed in a Colab-like environment (torch, transformers and numpy only): course_lib with no
extra, and with the heaviest set of extras a lesson needs, installed from the wheel under constraints.txt; torch and
numpy must stay the preinstalled ones, check_extras must pass and those lessons' modules must import. The times are
printed (the goal is a minute)."""
import subprocess, sys
from conftest import ROOT

SETS = ["", "post,rag,serve"]  # no extra (lessons 00, 01, 19...) and the most packages of any lesson (16d_red_team)

def test_colab_like_install(installed, capsys):
    wheel, = (installed.parent / "dist").glob("course_lib-*.whl")
    res = subprocess.run([sys.executable, ROOT / "scripts" / "colab_install.py", "--sets", *SETS, "--limit", "900",
                          "--wheel", wheel], capture_output=True, text=True, timeout=1500)
    with capsys.disabled(): print("\n" + res.stdout)  # the timing table shows in the suite's output
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    rows = res.stdout.split("modules imported\n")[1].splitlines()[:len(SETS)]
    assert [r.split()[0] for r in rows] == [s or "-" for s in SETS], rows
    assert all(r.split()[3] == "True" for r in rows), rows  # torch and numpy are still Colab's
