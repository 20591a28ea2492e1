"""The file listing is the reading order and the dependency order (issue 17): one unique number per lesson, no
lesson (or lab) imports a module that a later lesson builds, no import cycle in course_lib, short modules."""
import ast, json, re, sys
from pathlib import Path
from conftest import ROOT
sys.path.insert(0, str(ROOT / "scripts"))
from make_colab_cells import imported  # noqa: E402  (the one reader of import statements)

LESSON = re.compile(r"^(\d\d[a-z]?)_\w+$")
MAX_MODULE_LINES = 300
LAB_FRAMEWORK = {"grading"}
NOT_LESSONS = {"_modidx", "__main__", "__init__"}   # nbdev's index, the CLI (nbs/cli.ipynb), the package

def lessons() -> list[Path]:
    return sorted(p for p in (ROOT / "nbs").glob("[0-9]*.ipynb"))

def code_cells(nb: Path) -> list[str]:
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]

def module_lessons() -> dict[str, str]:
    "{module: the (latest) lesson it is exported from}, read from the generated module."
    out = {}
    for py in sorted((ROOT / "course_lib").glob("*.py")):
        if py.stem in NOT_LESSONS: continue
        # nbdev's header names the notebook of a `default_exp` module; `# %% ../nbs/X.ipynb` marks every exported cell
        found = re.findall(r"(?:File to edit: |# %% )\.\./nbs/(\w+)\.ipynb", py.read_text(encoding="utf-8"))
        assert found, f"course_lib/{py.name} was not exported from a notebook: export it (`nbdev_export`)"
        out[py.stem] = max(found)   # the latest lesson that writes into it
    return out

def imported_modules(*codes: str) -> set[str]:
    "The course_lib modules some code imports, at the top or inside a function (read by make_colab_cells.imported)."
    return {name.split(".")[1] for code in codes for name in imported(code) if name.startswith("course_lib.")}

def lesson_imports() -> dict[str, set[str]]:
    "{lesson: modules it imports}, from the notebook's code cells and from the modules it exports."
    mods, out = module_lessons(), {}
    for nb in lessons():
        out[nb.stem] = imported_modules(*code_cells(nb))
    for mod, nb in mods.items():
        out[nb] |= imported_modules((ROOT / "course_lib" / f"{mod}.py").read_text(encoding="utf-8"))
    return out

def test_lesson_numbers_unique_and_well_formed():
    numbers = {}
    for nb in lessons():
        m = LESSON.match(nb.stem)
        assert m, f"nbs/{nb.name}: a lesson is named NN_topic or NNa_topic (two digits, one optional letter)"
        numbers.setdefault(m[1], []).append(nb.name)
    shared = {n: names for n, names in numbers.items() if len(names) > 1}
    assert not shared, f"lessons share a number: {shared}; give each its own (12, 12a, 12b...) in dependency order"

def test_lessons_import_only_earlier_lessons():
    mods = module_lessons()
    late = [f"nbs/{nb}.ipynb imports course_lib.{mod} (built in the later nbs/{mods[mod]}.ipynb)"
            for nb, imports in lesson_imports().items() for mod in sorted(imports & mods.keys()) if mods[mod] > nb]
    assert not late, ("a lesson uses a module before the lesson that builds it:\n" + "\n".join(late) + "\nmove the "
                      "code down to the lower lesson, or renumber so the file listing is the dependency order")

def test_labs_import_only_their_part_or_earlier():
    "A lab uses its part's modules and earlier ones, and the lab framework (`grading`: checks, feedback) of part 19."
    mods = module_lessons()
    late = []
    for source in sorted((ROOT / "labs").glob("*/source.ipynb")):
        part = source.parent.name[:2]
        used = imported_modules(*code_cells(source)) & mods.keys() - LAB_FRAMEWORK
        late += [f"labs/{source.parent.name} imports course_lib.{m} (lesson {mods[m]})"
                 for m in sorted(used) if mods[m][:2] > part]
    assert not late, "a lab uses a later part's module:\n" + "\n".join(late)

def test_labs_named_like_lessons():
    "A lab folder is named NN_topic or NNa_topic (a sub-lesson's lab, e.g. 15e_gguf), and course_lib ships its checks."
    from course_lib.probing import known_labs
    labs = sorted(source.parent.name for source in (ROOT / "labs").glob("*/source.ipynb"))
    bad = [name for name in labs if not LESSON.match(name)]
    assert not bad, f"labs/{bad}: a lab is named like a lesson, NN_topic or NNa_topic"
    missing = sorted(set(labs) - set(known_labs()))
    assert not missing, f"no checks for labs {missing}: write course_lib/labs/lab<name>.py with lab_checks()"

def test_no_import_cycle():
    mods = module_lessons()
    graph = {m: imported_modules((ROOT / "course_lib" / f"{m}.py").read_text(encoding="utf-8")) & mods.keys() - {m}
             for m in mods}
    state, cycles = {}, []
    def visit(m, path):
        if state.get(m) == "done": return
        if state.get(m) == "open":
            cycles.append(" -> ".join(path[path.index(m):] + [m]))
            return
        state[m] = "open"
        for d in sorted(graph[m]): visit(d, path + [m])
        state[m] = "done"
    for m in sorted(graph): visit(m, [])
    assert not cycles, f"import cycles in course_lib: {cycles}; move the shared code down into the lower module"

def test_no_private_names_across_modules():
    "A module never imports another module's _private name: make it public, or move it to where it is used."
    bad = []
    for py in sorted((ROOT / "course_lib").glob("*.py")):
        for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("course_lib")):
                bad += [f"course_lib/{py.name}: from {'.' * node.level}{node.module or ''} import {a.name}"
                        for a in node.names if a.name.startswith("_") and node.module != "_modidx"]
    assert not bad, "private names imported across modules:\n" + "\n".join(bad)

def test_modules_short():
    "Every course_lib module (lab checks included) stays at most 300 lines: split a longer one along its concepts."
    long = {str(p.relative_to(ROOT)): n for p in sorted((ROOT / "course_lib").rglob("*.py"))
            if p.name != "_modidx.py" and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, (f"modules over {MAX_MODULE_LINES} lines: {long}; split them into lessons of their own "
                      "(see CONTRIBUTING.md, 'Splitting a module')")
