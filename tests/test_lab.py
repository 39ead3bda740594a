"""The theory notebook in JupyterLab (headless Chromium): numbered equations, resolved references.

JupyterLab's MathJax 3 numbers nothing by itself and typesets each Markdown cell on its own, so
the numbers and the references come from the notebook's source, written there by
``python -m lstmgru.report.numbering``. The test serves a copy of the committed notebook
(JupyterLab may save what it opens; the repository must not change under a test run) with
windowing off, so that every cell is rendered, and reads what MathJax made of it.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import nbformat
import pytest
from headless import PATIENCE_S, browser_paths, chromium, follow_link, wait_for

from lstmgru import runs
from lstmgru.report.markdown import EQREF_LINK_RE
from lstmgru.report.numbering import APPENDICES, FLOAT_CHAPTERS, float_numbers, number_notebooks

NOTEBOOK = f"notebooks/{runs.THEORY_NOTEBOOK}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(process: subprocess.Popen, url: str, log) -> None:
    """Poll ``url`` until the server answers; fail if it exits (the log says why)."""
    import time

    deadline = time.monotonic() + PATIENCE_S  # a bound on a hang, not a decision
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"jupyter lab exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    pytest.fail(f"jupyter lab did not answer at {url}:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a free port serving a copy of the notebooks folder: base URL."""
    browser_paths()  # skip (or fail under CI) before starting anything
    root = tmp_path_factory.mktemp("lab")
    (root / "notebooks").mkdir()
    shutil.copy(runs.NOTEBOOK_DIR / runs.THEORY_NOTEBOOK, root / NOTEBOOK)
    settings = root / ".settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port, token = _free_port(), secrets.token_hex(16)
    log = root / "lab.log"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={root / '.settings'}",
        f"--LabApp.workspaces_dir={root / '.workspaces'}",
        "--allow-root",
    ]
    env = {
        **__import__("os").environ,
        "JUPYTER_RUNTIME_DIR": str(root / ".runtime"),
        "JUPYTER_CONFIG_DIR": str(root / ".config"),
    }
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for_server(process, f"{base}/api/status?token={token}", log)
        yield base, token
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


#: The number shown by each displayed equation (its label cell in MathJax's assistive MathML;
#: "" when it has none), in page order; null until every Markdown cell is rendered and no
#: display is left untypeset.
_DISPLAYS = """
const cells = document.querySelectorAll('.jp-Notebook .jp-MarkdownCell');
if (cells.length < arguments[0]) return null;
const raw = Array.from(cells).some(c => /\\\\begin\\{|\\$\\$/.test(
    (c.querySelector('.jp-RenderedMarkdown') || {innerText: '\\\\begin{'}).innerText));
const shown = Array.from(document.querySelectorAll('.jp-Notebook mjx-container[display="true"]'));
if (raw || shown.length < arguments[1]) return null;
return shown.map(e => {
    const tag = e.querySelector('mjx-assistive-mml mlabeledtr > mtd');
    return tag ? tag.textContent.trim() : '';
});
"""


def _theory_source() -> tuple[nbformat.NotebookNode, int, str, int]:
    """The theory notebook, its number of Markdown cells, their source and their displays."""
    nb = nbformat.read(runs.NOTEBOOK_DIR / runs.THEORY_NOTEBOOK, as_version=4)
    markdown_cells = sum(c.cell_type == "markdown" for c in nb.cells)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    displays = len(
        re.findall(r"\\begin\{(?:equation|multline)\*?\}|\$\$.+?\$\$|\\\[", source, re.S)
    )
    return nb, markdown_cells, source, displays


def test_theory_notebook_shows_the_pdf_numbers_and_resolves_references(lab) -> None:
    base, token = lab
    nb, markdown_cells, source, displays = _theory_source()
    tagged = dict(
        (label, int(n)) for n, label in re.findall(r"\\tag\{(\d+)\}\\label\{([^}]*)\}", source)
    )
    numbering = number_notebooks([nb])  # the PDF's numbers (LaTeX counts as numbering.py does)
    assert tagged == numbering.numbers, (
        f"{NOTEBOOK} is out of date: run `python -m lstmgru.report.numbering {NOTEBOOK}`"
    )
    references = EQREF_LINK_RE.findall(source)
    assert len(numbering.numbers) >= 10 and len(references) >= 10

    with chromium() as driver:
        driver.get(f"{base}/lab/tree/{NOTEBOOK}?token={token}")
        shown = wait_for(
            driver, _DISPLAYS, "JupyterLab to render the notebook", markdown_cells, displays
        )
        links = driver.execute_script(
            "return Array.from(document.querySelectorAll('.jp-Notebook .jp-RenderedMarkdown "
            "a[href^=\"#\"]')).filter(a => !a.classList.contains('jp-InternalAnchorLink'))"
            ".map(a => [a.getAttribute('href').slice(1), a.textContent.trim()]);"
        )
        text = driver.execute_script(
            "return document.querySelector('.jp-Notebook').innerText + "
            "Array.from(document.querySelectorAll('.jp-Notebook mjx-assistive-mml'))"
            ".map(e => e.textContent).join(' ')"
        )
        errors = driver.execute_script(
            "return document.querySelectorAll('.jp-Notebook mjx-merror').length"
        )
    assert errors == 0
    assert "???" not in text  # no unresolved \eqref or \ref
    # The displayed equations show their numbers 1, 2, ... in order, as in the PDF.
    assert len(shown) == displays
    assert [s for s in shown if s] == [f"({n})" for n in range(1, numbering.count + 1)]
    # Every reference shows the number of its equation.
    links = [(href, shown_as) for href, shown_as in links if href or shown_as]
    equations = [(href, shown_as) for href, shown_as in links if href.startswith("eq:")]
    assert sorted(equations) == sorted((label, f"({n})") for n, label in references), links
    assert all(shown_as == f"({numbering.numbers[label]})" for label, shown_as in equations)
    # Every reference to a table, a figure or the appendix of the checks shows its number (or
    # letter) in the thesis: the checks' tables are A.1, A.2, ...
    stem = runs.THEORY_NOTEBOOK.removesuffix(".ipynb")
    floats = float_numbers(nb, FLOAT_CHAPTERS[stem], APPENDICES[stem])
    tables = [(h, shown_as) for h, shown_as in links if h.startswith(("tab:", "fig:", "app:"))]
    assert tables and all(shown_as == floats[href] for href, shown_as in tables), tables
    assert ("tab:twin-differences", "A.1") in tables and ("app:checks", "A") in tables
    assert len(equations) + len(tables) == len(links), links


#: ``[link, target, link text, number of the display right after the target]`` of every link of
#: the rendered Markdown to ``#<arguments[0]>...``. JupyterLab keeps the ids of Markdown as
#: ``data-jupyter-id`` (or ``id``) and scrolls a link to the element that carries its fragment.
_LINKS = """
return Array.from(document.querySelectorAll(
    '.jp-Notebook .jp-RenderedMarkdown a[href^="#' + arguments[0] + '"]')).map(a => {
    const id = CSS.escape(decodeURIComponent(a.hash.slice(1)));
    const target = document.querySelector(
        `.jp-Notebook [data-jupyter-id="${id}"], .jp-Notebook [id="${id}"]`);
    const next = target && target.nextElementSibling;
    const tag = next && next.matches('mjx-container[display="true"]')
        && next.querySelector('mjx-assistive-mml mlabeledtr > mtd');
    return [a, target, a.textContent.trim(), tag ? tag.textContent.trim() : null];
});
"""


def test_links_in_the_notebook_scroll_to_their_equations_and_tables(lab) -> None:
    base, token = lab
    _, markdown_cells, _, displays = _theory_source()
    with chromium(width=1200, height=800) as driver:
        driver.get(f"{base}/lab/tree/{NOTEBOOK}?token={token}")
        wait_for(driver, _DISPLAYS, "JupyterLab to render the notebook", markdown_cells, displays)
        equations = driver.execute_script(_LINKS, "eq:")
        tables = driver.execute_script(_LINKS, "tab:")
        # Every link has its target in the notebook; an equation's is right before its display.
        assert equations and tables
        assert all(target is not None for _, target, _, _ in equations + tables)
        assert all(shown == tag for _, _, shown, tag in equations), [
            (shown, tag) for _, _, shown, tag in equations if shown != tag
        ]
        # Clicking a link brings its target into view.
        follow_link(driver, ((a, t) for a, t, _, _ in equations), "equation link")
        follow_link(driver, ((a, t) for a, t, _, _ in tables), "table link")
