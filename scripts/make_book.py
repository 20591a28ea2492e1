"""Build the course book: every lesson executed (in a temp copy of nbs/, never in place) and rendered to static HTML
with its outputs, one layout for every page (navigation in course order, previous/next links, a search box), all of
it offline: no script or style sheet comes from the network.

    python scripts/make_book.py                         # what `make book` runs: _book/index.html and a page a lesson
    python scripts/make_book.py --only 00_core,02_attention --jobs 2 --out /tmp/book

The search index is written twice, as _static/search.json (for tools) and as _static/search_index.js (the same data
in a script: a page opened from file:// may not fetch() a JSON file). Math renders with the MathJax that nbclassic
ships (the course's install step puts it in the venv); without it, formulas show as TeX."""
import argparse, html, json, os, re, shutil, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / "nbs"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from course_lib.core import OFFLINE_VARS, QUIET_VARS  # noqa: E402
from make_colab_cells import settings  # noqa: E402
from run_tests import ONE_THREAD  # noqa: E402  (notebooks side by side on shared cores)

OFFLINE = {**{v: "1" for v in OFFLINE_VARS}, **QUIET_VARS}  # what core.set_offline sets, for the kernels
REMOTE = re.compile(r"<(?:script|img|iframe)\b[^>]*\bsrc=[\"']?(?:https?:)?//|<link\b[^>]*\bhref=[\"']?(?:https?:)?//"
                    r"|@import\s+[\"']?(?:https?:)?//|url\(\s*[\"']?(?:https?:)?//", re.I)

class BookError(Exception): "A notebook that could not be executed or rendered (the message names it and the cell)."

def lessons(only: str | None = None) -> list[Path]:
    "The home page (nbs/index.ipynb) then the lessons nbs/NN_*.ipynb in course order; `only`: comma-separated stems."
    found = sorted(p for p in NBS.glob("[0-9][0-9]*_*.ipynb"))
    if only:
        names = [n.strip().removesuffix(".ipynb") for n in only.split(",") if n.strip()]
        unknown = sorted(set(names) - {p.stem for p in found})
        if unknown:
            raise BookError(f"--only: no lesson {unknown} in nbs/ (lessons: {', '.join(p.stem for p in found)})")
        found = [p for p in found if p.stem in names]
    return [NBS / "index.ipynb", *found]

def page_name(nb: Path) -> str: return "index.html" if nb.stem == "index" else f"{nb.stem}.html"

def title_of(nb) -> str:
    "The text of the notebook's first `# ` heading (nbdev's title)."
    for cell in nb.cells:
        m = cell.cell_type == "markdown" and re.search(r"^# +(.+)$", cell.source, re.M)
        if m: return m.group(1).strip()
    return "(untitled)"

def execute(src: Path, work: Path, timeout: float):
    "Run `src` in a copy of its folder under `work` (the working directory); the executed notebook and that folder."
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from traitlets.config import Config  # a local socket: no TCP, so no warning about unencrypted TCP
    skip = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    shutil.copytree(src.parent, work / src.parent.name, ignore=skip)
    folder, nb = work / src.parent.name, nbformat.read(src, as_version=4)
    deadline, at = time.monotonic() + timeout, {"cell": None}
    def on_start(cell, cell_index, **_): at["cell"] = cell_index
    client = NotebookClient(nb, timeout_func=lambda cell: max(1, deadline - time.monotonic()), kernel_name="python3",
                            on_cell_start=on_start, resources={"metadata": {"path": str(folder)}},
                            config=Config({"KernelManager": {"transport": "ipc", "ip": str(work / "kernel")}}))
    try: client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
        i = at["cell"]  # 0-based
        code = nb.cells[i].source if i is not None else ""
        why = (f"passed the notebook's {timeout:g}s limit" if isinstance(e, CellTimeoutError) else
               f"raised {e.ename}: {e.evalue}" if isinstance(e, CellExecutionError) else f"killed the kernel ({e})")
        where = f"cell {i + 1} of {len(nb.cells)}" if i is not None else "the kernel's start"
        raise BookError(f"{src.name}: {where} {why}\n--- {where} ---\n{code[:800]}") from None
    return nb, folder

DIRECTIVE, HIDE = re.compile(r"^#\|\s*(export|exports|exporti|default_exp)\b.*\n?", re.M), re.compile(r"#\|\s*hide\b")
REMOTE_IMG = re.compile(r"<img\b[^>]*\bsrc=\"(?:https?:)?//[^>]*>")

def for_reader(nb):
    "The notebook without its `#| hide` cells, and without nbdev's export directives in the code it shows."
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            if HIDE.match(cell.source.lstrip()): continue
            cell.source = DIRECTIVE.sub("", cell.source).strip("\n")
            if not cell.source and not cell.get("outputs"): continue
        cells.append(cell)
    nb.cells = cells
    return nb

def render(nb, folder: Path) -> tuple[str, str]:
    "nbconvert's lab HTML of `nb`, images embedded: (its inline style sheets, its body), nothing from the network."
    from nbconvert import HTMLExporter
    exporter = HTMLExporter(template_name="lab", embed_images=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    page, _ = exporter.from_notebook_node(nb, resources={"metadata": {"path": str(folder)}})
    head, body = page.split("</head>", 1)
    css = "\n".join(re.findall(r"<style[^>]*>(.*?)</style>", head, re.S))  # require.js and MathJax (CDN) are left out
    body = re.search(r"<body[^>]*>(.*)</body>", body, re.S).group(1)
    return css, REMOTE_IMG.sub(badge, body)

def badge(img: re.Match) -> str:
    "A remote image (the Colab badge) would not load offline: its alt text, boxed."
    alt = re.search(r'\balt="([^"]*)"', img.group(0))
    return f'<span class="book-badge">{alt.group(1) if alt else "image"}</span>'

def plain(markdown: str) -> str:
    "Markdown as searchable text: no images, link targets, tags or markup characters."
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)|<[^>]+>", " ", markdown)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return " ".join(re.sub(r"[#*_>`|]+", " ", text).split())

def search_entries(nb, page: str, title: str, body: str) -> list[dict]:
    "One entry per section of the page's prose: page, heading (its anchor in the page) and the section's text."
    entries, anchors = [{"page": page, "title": title, "heading": title, "anchor": "", "text": ""}], []
    for cell in (c for c in nb.cells if c.cell_type == "markdown"):
        for part in re.split(r"^(?=#{1,6} )", cell.source, flags=re.M):
            m = re.match(r"(#{1,6}) +(.+)", part)
            if m:
                anchors.append(len(entries))
                entries.append({"page": page, "title": title, "heading": plain(m.group(2)), "anchor": "", "text": ""})
                part = part[m.end():]
            entries[-1]["text"] = (entries[-1]["text"] + " " + plain(part)).strip()
    ids = re.findall(r"<h[1-6] id=\"([^\"]+)\"", body)
    if len(ids) == len(anchors):
        for i, anchor in zip(anchors, ids): entries[i]["anchor"] = html.unescape(anchor)
    return [e for e in entries if e["text"] or e["anchor"]]

def relink(body: str, src: Path, built: set[str]) -> str:
    "Links to notebooks in the book go to their pages; to other repository files, to the file on GitHub (git_url)."
    cfg = settings()
    blob = f"{cfg['git_url'].rstrip('/')}/blob/{cfg.get('branch', 'main')}"
    def target(m):
        url, anchor = m.group(2).partition("#")[::2]
        path = (src.parent / unquote(url)).resolve()
        if path.suffix == ".ipynb" and path.parent == NBS and path.stem in built:
            url = page_name(path)
        elif path.is_relative_to(ROOT): url = f"{blob}/{path.relative_to(ROOT).as_posix()}"
        return f'{m.group(1)}"{html.escape(url)}{"#" + anchor if anchor else ""}"'
    return re.sub(r'(<a\b[^>]*\bhref=)"(?![a-z][a-z0-9+.-]*:|#|/)([^"]+)"', target, body)

def build_one(src: Path, built: set[str], timeout: float) -> dict:
    "Execute and render one notebook (runs in a worker process): its title, css, body, search entries and seconds."
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="book-") as work:
        nb, folder = execute(src, Path(work), timeout)
        nb = for_reader(nb)
        css, body = render(nb, folder)
    body = relink(body, src, built)
    title, page = title_of(nb), page_name(src)
    return {"src": src.name, "page": page, "title": title, "css": css, "body": body,
            "entries": search_entries(nb, page, title, body), "seconds": time.monotonic() - start}

CSS = """body{margin:0}.book-nav{position:fixed;top:0;left:0;bottom:0;width:17rem;overflow-y:auto;padding:1rem;
box-sizing:border-box;background:#f6f7f9;border-right:1px solid #ddd;font:14px/1.4 system-ui,sans-serif}
.book-nav a{color:#1a4f9c;text-decoration:none}.book-nav a:hover{text-decoration:underline}
.book-home{font-weight:600;display:block;margin-bottom:.6rem}.book-toc{list-style:none;padding:0;margin:.6rem 0}
.book-toc .num{color:#888}
.book-toc li{margin:.25rem 0}.book-toc .current>a{font-weight:700;color:#000}
#book-search{width:100%;box-sizing:border-box;padding:.35rem .5rem;font:inherit}
#book-results{list-style:none;padding:0;margin:.4rem 0;border-bottom:1px solid #ddd}
#book-results li{margin:.4rem 0}#book-results .snippet{color:#555;font-size:12px}
.book-badge{font:11px system-ui,sans-serif;border:1px solid #aac;border-radius:3px;padding:0 .3em;white-space:nowrap}
.book-main{margin-left:17rem;padding:1rem 2rem;max-width:70rem}
.book-pager{display:flex;justify-content:space-between;border-top:1px solid #ddd;margin-top:2rem;padding:1rem 0;
font:15px system-ui,sans-serif}"""

JS = """(function () {
  const box = document.getElementById("book-search"), list = document.getElementById("book-results");
  const index = window.BOOK_INDEX || [];
  function search(query) {
    const words = query.toLowerCase().split(/\\s+/).filter(Boolean), hits = [];
    if (!words.length) return hits;
    for (const e of index) {
      const head = e.heading.toLowerCase(), hay = head + " " + e.text.toLowerCase();
      if (!words.every(w => hay.includes(w))) continue;
      const score = words.reduce((s, w) => s + (head.includes(w) ? 10 : 0) + hay.split(w).length - 1, 0);
      hits.push({entry: e, score: score});
    }
    return hits.sort((a, b) => b.score - a.score).slice(0, 20).map(h => h.entry);
  }
  function snippet(text, word) {
    const at = Math.max(0, text.toLowerCase().indexOf(word) - 60);
    return (at ? "\\u2026" : "") + text.slice(at, at + 160) + (text.length > at + 160 ? "\\u2026" : "");
  }
  function show() {
    const hits = search(box.value), word = box.value.trim().toLowerCase().split(/\\s+/)[0] || "";
    list.replaceChildren(...hits.map(e => {
      const li = document.createElement("li"), a = document.createElement("a"), p = document.createElement("div");
      a.href = e.page + (e.anchor ? "#" + encodeURIComponent(e.anchor) : "");
      a.textContent = e.heading === e.title ? e.title : e.title + " \\u203a " + e.heading;
      p.className = "snippet";
      p.textContent = snippet(e.text, word);
      li.append(a, p);
      return li;
    }));
    if (box.value.trim() && !hits.length) list.innerHTML = "<li>no match</li>";
    list.hidden = !box.value.trim();
  }
  box.addEventListener("input", show);
  window.bookSearch = search;
})();"""

MATHJAX = """<script type="text/x-mathjax-config">MathJax.Hub.Config({tex2jax: {
inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], processEscapes: true}, messageStyle: "none"});</script>
<script src="_static/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"></script>"""

def mathjax_dir() -> Path | None:
    "nbclassic's MathJax 2 (installed by the course's install step), or None."
    import importlib.util
    spec = importlib.util.find_spec("nbclassic")
    folder = spec and Path(spec.origin).parent / "static" / "components" / "MathJax"
    return folder if folder and (folder / "MathJax.js").exists() else None

def layout(i: int, pages: list[dict], book: str, mathjax: bool) -> str:
    "Page i of the book: the navigation in course order, its notebook's body, links to the previous and next pages."
    page, esc = pages[i], html.escape
    current, num = ' class="current"', lambda p: p["src"].split("_")[0]
    toc = "".join(f"<li{current if j == i else ''}><a href=\"{p['page']}\"><span class=\"num\">{num(p)}</span> "
                  f"{esc(p['title'])}</a></li>" for j, p in enumerate(pages) if p["page"] != "index.html")
    prev = (f"<a rel=\"prev\" href=\"{pages[i - 1]['page']}\">&larr; {esc(pages[i - 1]['title'])}</a>"
            if i else "<span></span>")
    nxt = (f"<a rel=\"next\" href=\"{pages[i + 1]['page']}\">{esc(pages[i + 1]['title'])} &rarr;</a>"
           if i + 1 < len(pages) else "<span></span>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(page['title'])} &middot; {esc(book)}</title>
<link rel="stylesheet" href="_static/notebook.css"><link rel="stylesheet" href="_static/book.css">
{MATHJAX if mathjax else ''}</head>
<body><nav class="book-nav"><a class="book-home" href="index.html">{esc(book)}</a>
<input id="book-search" type="search" placeholder="Search the course" aria-label="Search the course">
<ul id="book-results" hidden></ul><ul class="book-toc">{toc}</ul></nav>
<div class="book-main"><div class="jp-Notebook" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
{page['body']}</div>
<footer class="book-pager">{prev}{nxt}</footer></div>
<script src="_static/search_index.js"></script><script src="_static/search.js"></script></body></html>"""

def old_pages(out: Path) -> list[Path]:
    "A previous book's pages in `out` (to remove: a lesson no longer built would stay); an error if `out` is no book."
    if out.exists() and any(out.iterdir()) and not (out / "_static" / "search_index.js").exists():
        raise BookError(f"--out {out}: the folder is not empty and holds no book; choose an empty or new folder")
    return sorted(out.glob("*.html"))

def write_book(pages: list[dict], out: Path) -> list[tuple[str, int]]:
    "Write every page, the shared style sheets and scripts and the search index under `out`; (page, bytes) a page."
    static = out / "_static"
    for old in old_pages(out): old.unlink()
    static.mkdir(parents=True, exist_ok=True)
    remote = REMOTE.search(pages[0]["css"])
    if remote: raise BookError(f"nbconvert's style sheet loads from the network: {remote.group(0)!r}")
    (static / "notebook.css").write_text(pages[0]["css"], encoding="utf-8")
    (static / "book.css").write_text(CSS, encoding="utf-8")
    (static / "search.js").write_text(JS, encoding="utf-8")
    index = [e for p in pages for e in p["entries"]]
    (static / "search.json").write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
    (static / "search_index.js").write_text(f"window.BOOK_INDEX = {json.dumps(index)};\n", encoding="utf-8")
    mj = mathjax_dir()
    if mj and not (static / "mathjax").exists(): shutil.copytree(mj, static / "mathjax")
    sizes = []
    for i, page in enumerate(pages):
        text = layout(i, pages, pages[0]["title"], mathjax=mj is not None)
        remote = REMOTE.search(text)
        if remote: raise BookError(f"{page['src']}: the page loads from the network: {text[remote.start():][:120]!r}")
        (out / page["page"]).write_text(text, encoding="utf-8")
        sizes.append((page["page"], len(text.encode())))
    return sizes

def build(srcs: list[Path], out: Path, jobs: int = 1, timeout: float = 900) -> list[dict]:
    "Execute and render `srcs` (`jobs` at a time) and write the book into `out`; every failure is reported together."
    env = {**OFFLINE, **(ONE_THREAD if jobs > 1 else {})}
    os.environ.update(env)
    os.environ.pop("MPLBACKEND", None)  # the kernel's inline backend shows the plots (Agg would show none)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(build_one, src, {s.stem for s in srcs}, timeout) for src in srcs]
        pages, errors = [], []
        for n, (src, f) in enumerate(zip(srcs, futures), 1):
            try: pages.append(f.result())
            except BookError as e: errors.append(str(e))
            except Exception as e: errors.append(f"{src.name}: {type(e).__name__}: {e}")
            done = f"{pages[-1]['seconds']:.1f}s" if pages and pages[-1]["src"] == src.name else "FAILED"
            print(f"[{n}/{len(srcs)}] {src.name} {done}", file=sys.stderr, flush=True)
    if errors: raise BookError("\n\n".join(errors))
    sizes = dict(write_book(pages, out))
    for p in pages: p["bytes"] = sizes[p["page"]]
    return pages

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--only", help="comma-separated lessons, e.g. 00_core,01_tokenizer (the home page is always built)")
    ap.add_argument("--jobs", type=int, default=1, help="notebooks executed side by side (default 1)")
    ap.add_argument("--out", type=Path, default=ROOT / "_book", help="where the book goes (default _book/)")
    ap.add_argument("--timeout", type=float, default=900,
                    help="seconds one notebook may run (default 900, as the notebook tests)")
    args = ap.parse_args(argv)
    if args.jobs < 1: ap.error("--jobs must be at least 1")
    start = time.monotonic()
    try:
        old_pages(args.out)  # before a build of many minutes
        pages = build(lessons(args.only), args.out, args.jobs, args.timeout)
    except BookError as e:
        print(f"make_book: {e}", file=sys.stderr)
        return 1
    print(f"{'notebook':32} {'seconds':>8} {'KB':>8}")
    for p in pages: print(f"{p['src']:32} {p['seconds']:8.1f} {p['bytes'] / 1024:8.0f}")
    total = sum(p["bytes"] for p in pages) / 1024
    home = (args.out / "index.html").resolve()
    print(f"{len(pages)} pages, {total:.0f} KB, in {time.monotonic() - start:.0f}s: {home}")
    return 0

if __name__ == "__main__":
    sys.exit(main())
