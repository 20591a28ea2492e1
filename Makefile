# The two commands of the course (see README.md):
#   make lab    set up (once) and open the course in JupyterLab
#   make test   set up (once) and run every test: library, every lesson and lab notebook, the labs' checks
# Both create or reuse .venv and install everything into it; nothing else on the machine is touched.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --disable-pip-version-check -c constraints.txt
# any torch >= 2.4 works; 2.13.0 is the measured one (a CPU build lies on disk on the course machines). torch and numpy
# are installed first and not pinned in constraints.txt, which Colab's install cells use: Colab keeps its own.
TORCH  ?= torch==2.13.0 numpy==2.4.6
# llama-cpp-python (the `llama` extra, lesson 15g) is compiled by pip from its sdist (about 5 minutes on 2 cores, once:
# pip caches the wheel). On x86-64 a portable AVX2 build: the build tuned to the machine (GGML_NATIVE) uses AMX tiles
# where the CPU has them, and that kernel crashed on the course model's Q8_0/Q4_0 matrix products (llama-cpp-python
# 0.3.36). Override with e.g. make install LLAMA_CMAKE_ARGS="-DGGML_CUDA=on".
LLAMA_CMAKE_ARGS ?= $(if $(filter x86_64,$(shell uname -m)),-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON,)
STAMP  := $(VENV)/.installed
LAB_STAMP := $(VENV)/.installed-lab
PORT   ?= 8888

.PHONY: lab test install export clean-nbs readme release bench dist book

$(STAMP): settings.ini setup.py constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -q $(TORCH)
	@command -v c++ >/dev/null || command -v g++ >/dev/null || command -v clang++ >/dev/null || { echo "make: lesson 15g compiles llama.cpp from source and needs a C++ compiler: install one (Debian/Ubuntu: apt install build-essential; macOS: xcode-select --install; Windows: the Visual Studio C++ build tools), then run make again" >&2; exit 1; }
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) -q -e ".[all,dev]"
	@# d3 5.x (mpld3) and require.js 2.3.x + jQuery (nbclassic) for bertviz offline: their files only, not their dependencies
	$(PIP) -q --no-deps mpld3 nbclassic
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (course)" >/dev/null
	@touch $@

install: $(STAMP)

# nbclassic again, now with its dependencies (JupyterLab brings jupyter_server): pip's resolver then has nothing to
# complain about. The overrides turn off JupyterLab's news prompt and update check (an offline course).
$(LAB_STAMP): $(STAMP)
	$(PIP) -q -e ".[all,dev,lab]" nbclassic
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	cp scripts/jupyterlab_overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $@

lab: $(LAB_STAMP)
	$(BIN)/jupyter lab --port $(PORT) $(if $(filter 0,$(shell id -u)),--allow-root,) --ServerApp.root_dir="$(CURDIR)" \
		--LabApp.default_url=/lab/tree/nbs/index.ipynb --LabApp.news_url=None \
		--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate

# two pytest processes side by side (the notebooks; the rest): most lessons use one core (scripts/run_tests.py)
test: $(STAMP)
	$(BIN)/python scripts/run_tests.py

export: $(STAMP)
	$(BIN)/nbdev_export && $(BIN)/python scripts/make_colab_cells.py && $(BIN)/nbdev_clean && $(BIN)/python scripts/make_readme.py && $(BIN)/python scripts/make_assets.py && $(BIN)/python -m course_lib release --all

# the course book in _book/ (open _book/index.html): every lesson executed in a temp copy of nbs/ and rendered with its
# outputs, a navigation in course order and a search, all offline; BOOK_ARGS e.g. "--only 00_core,02_attention --jobs 2"
book: $(STAMP)
	$(BIN)/python scripts/make_book.py $(BOOK_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# the sdist and wheel a practitioner installs, checked by twine, with the wheel's size and contents reported
dist: $(STAMP)
	$(PIP) -q build twine
	rm -rf dist
	@mkdir -p dist
	$(BIN)/python -m build --no-isolation --outdir dist . >dist/build.log 2>&1 || { cat dist/build.log; exit 1; }
	$(BIN)/twine check --strict dist/*.whl dist/*.tar.gz
	$(BIN)/python scripts/dist_report.py
