"""The course book (scripts/make_book.py, `make book`): three fast lessons built into a temp folder and opened in
headless Chromium, which checks in each page, after it loaded offline, that every image loaded (the plots among them),
bertviz's view and the math rendered, nothing comes from the network, every local link points to an existing file, and
the search box finds a lesson by a word only that lesson's prose uses. Chromium is Debian's package `chromium`."""
import html, json, re, shutil, subprocess, sys
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlparse
import nbformat, pytest
from conftest import ROOT

# 12 s, 9 s and 7 s in CI; between them: matplotlib plots, a bertviz view, math, a markdown table, an HTML table
LESSONS = ("02a_attention_viz", "12_documents", "19c_grading")
EXPECT = {"02a_attention_viz": {"plots": 1, "bertviz": 1, "math": 1, "tables": 1},
          "12_documents": {"plots": 1}, "19c_grading": {"tables": 1}}
INSTALL = "install Debian's package as root: apt-get update && apt-get install -y chromium (.ci/run does)"

# run in the page once it has loaded (and MathJax is done): what Chromium shows, then the search box typed into,
# as JSON in a <pre>
PROBE = """<script>function bookProbe() {
  const all = s => [...document.querySelectorAll(s)], links = [...document.links];
  const here = a => a.pathname === location.pathname && a.hash;
  const r = {images: [...document.images].map(i => ({src: i.src.slice(0, 40), width: i.naturalWidth})),
    links: links.map(a => a.href), nav: all(".book-toc a").map(a => a.href),
    prev: all("a[rel=prev]").map(a => a.href), next: all("a[rel=next]").map(a => a.href),
    missing_anchors: links.filter(here).map(a => a.hash).filter(h => !document.getElementById(decodeURIComponent(
      h.slice(1)))),
    remote: all("script[src], link[href], img[src], iframe[src]").map(e => e.src || e.href)
      .filter(u => /^https?:/.test(u)),
    plots: all(".jp-OutputArea-output img").filter(i => i.src.startsWith("data:image/png") && i.naturalWidth > 0)
      .length,
    tables: all(".jp-Notebook table").length, bertviz: all("[id^=bertviz] svg rect").length,
    math: all("script[type^='math/tex']").length,
    directives: all(".jp-CodeCell .jp-InputArea").filter(e => /^\s*#\|/m.test(e.textContent)).length};
  const box = document.getElementById("book-search");
  box.value = QUERY;
  box.dispatchEvent(new Event("input"));
  r.search = all("#book-results a").map(a => a.href);
  const pre = document.createElement("pre");
  pre.id = "book-probe";
  pre.textContent = JSON.stringify(r);
  document.body.append(pre);
}
window.addEventListener("load", () => setTimeout(() => window.MathJax ? MathJax.Hub.Queue(bookProbe) : bookProbe(),
                                                 500));
</script>"""

def chromium() -> str:
    "Debian's headless Chromium; the test fails (never skips) without it."
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    assert exe, f"headless Chromium is missing: {INSTALL}"
    return exe

def probe(page: Path, query: str) -> dict:
    "Open a copy of `page` (beside it, with the probe added) in headless Chromium; what the probe saw in the page."
    copy = page.with_name(f"{page.stem}.probe.html")
    script = PROBE.replace("QUERY", json.dumps(query))
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", script + "</body>"), encoding="utf-8")
    profile = page.parent.with_name(f"{page.parent.name}-chromium")  # its own profile: HOME may be read-only
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
           "--virtual-time-budget=10000", "--dump-dom", copy.as_uri()]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    copy.unlink()
    m = re.search(r'<pre id="book-probe">(.*?)</pre>', res.stdout, re.S)
    assert m, f"Chromium gave no probe result for {page.name} (exit {res.returncode}): {res.stderr[-2000:]}"
    return json.loads(html.unescape(m.group(1)).replace(copy.as_uri(), page.as_uri()))

def own_word(lesson: str) -> str:
    "The commonest word of 6+ letters in `lesson`'s prose that the other built pages' prose never uses."
    def words(stem):
        nb = nbformat.read(ROOT / "nbs" / f"{stem}.ipynb", as_version=4)
        text = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
        return Counter(w.lower() for w in re.findall(r"\b[A-Za-z]{6,}\b", re.sub(r"\([^)]*\)|`[^`]*`", " ", text)))
    others = set().union(*(words(s) for s in ("index", *LESSONS) if s != lesson))
    return max((w for w in words(lesson) if w not in others), key=words(lesson).get)

@pytest.fixture(scope="module")
def book(tmp_path_factory) -> tuple[Path, dict]:
    "The book of LESSONS built into a temp folder, and what Chromium saw in each page (the search: 12's own word)."
    chromium()  # before the build: say what is missing in a second, not after a minute
    out = tmp_path_factory.mktemp("book")
    cmd = [sys.executable, "scripts/make_book.py", "--only", ",".join(LESSONS), "--jobs", "2", "--out", str(out)]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, f"make_book failed:\n{res.stderr[-6000:]}"
    print(res.stdout)
    query = own_word("12_documents")
    return out, {stem: probe(out / f"{stem}.html", query) for stem in ("index", *LESSONS)}

def test_pages_render_offline(book):
    "Every image loaded, nothing comes from the network, no #| line shows; each lesson has its plots, views, math..."
    _, seen = book
    for stem, r in seen.items():
        assert not [i for i in r["images"] if i["width"] <= 0], f"{stem}: images that did not load: {r['images']}"
        assert not r["remote"], f"{stem}: the page loads from the network: {r['remote']}"
        assert not r["directives"], f"{stem}: {r['directives']} cells show nbdev's #| lines (hidden cells?)"
        for what, least in EXPECT.get(stem, {}).items():
            assert r[what] >= least, f"{stem}: {r[what]} {what} rendered, expected at least {least}"

def test_links_point_to_files(book):
    "Every local link (navigation, previous/next, anchors) points to an existing file; the pages chain in course order."
    out, seen = book
    pages = [(out / f"{stem}.html").as_uri() for stem in ("index", *LESSONS)]
    for stem, r in seen.items():
        files = {unquote(urlparse(u).path) for u in r["links"] if u.startswith("file:")}
        missing = sorted(f for f in files if not Path(f).is_file())
        assert not missing, f"{stem}: links to missing files: {missing}"
        assert not r["missing_anchors"], f"{stem}: links to missing anchors: {r['missing_anchors']}"
        assert r["nav"] == pages[1:], f"{stem}: the navigation is not the lessons in course order: {r['nav']}"
    for before, stem, after in zip([None, *pages], ("index", *LESSONS), [*pages[1:], None]):
        assert seen[stem]["prev"] == ([before] if before else []), f"{stem}: previous link {seen[stem]['prev']}"
        assert seen[stem]["next"] == ([after] if after else []), f"{stem}: next link {seen[stem]['next']}"

def test_search_finds_the_lesson(book):
    "Typed into the search box (on the home page, and on another lesson's), 12's own word finds 12's page first."
    out, seen = book
    word, page = own_word("12_documents"), (out / "12_documents.html").as_uri()
    for stem in ("index", "19c_grading"):
        hits = [h.split("#")[0] for h in seen[stem]["search"]]
        assert hits and hits[0] == page, f"searching {word!r} on {stem}: {hits[:5]}, expected {page} first"
    anchor = unquote(seen["index"]["search"][0].partition("#")[2])
    text = (out / "12_documents.html").read_text(encoding="utf-8")
    ids = {f'id="{a}"' for a in (anchor, html.escape(anchor), html.escape(anchor, quote=False))}
    assert not anchor or any(i in text for i in ids), f"the search hit's section #{anchor} is not in its page"
