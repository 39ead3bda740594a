"""LaTeX log parsing and ``equations.tex`` (typeset by xelatex)."""

from __future__ import annotations

import subprocess

from nbformat.v4 import new_markdown_cell, new_notebook

from lstmgru import report


def test_parse_latex_log() -> None:
    log = (
        "LaTeX Warning: Reference `fig:x' on page 3 undefined on input line 12.\n"
        "Package natbib Warning: Citation `smith2000' on page 4 undefined on input line 9.\n"
        "LaTeX Warning: Label `tab:a' multiply defined.\n"
        "Missing character: There is no 贵 (U+8D35) in font lmroman10-regular!\n"
        "Overfull \\hbox (12.5pt too wide) in paragraph at lines 3--4\n"
        "Overfull \\vbox (1.0pt too high) has occurred while \\output is active\n"
    )
    summary = report.parse_latex_log(log)
    assert summary.undefined_references == ("fig:x",)
    assert summary.undefined_citations == ("smith2000",)
    assert summary.multiply_defined == ("tab:a",)
    assert summary.missing_characters == ("贵 (U+8D35)",)
    assert summary.overfull == (12.5, 1.0)


def test_equations_tex_typesets_an_equation_with_its_thesis_number(tmp_path) -> None:
    cells = [
        new_markdown_cell(
            "Forget gate\n\n\\begin{equation}\nf_t = \\sigma(a_t)\n\\label{eq:lstm-forget}\n"
            "\\end{equation}\n\n$$ h_t = o_t \\odot \\tanh(c_t) \\label{eq:lstm-hidden} $$"
        )
    ]
    equations = report.theory_equations(new_notebook(cells=cells))
    assert [e.labels for e in equations] == [("eq:lstm-forget",), ("eq:lstm-hidden",)]
    aux = (
        "\\newlabel{eq:lstm-forget}{{6}{3}{}{equation.6}{}}\n"
        "\\newlabel{eq:lstm-hidden}{{10}{4}{}{equation.10}{}}\n"
    )
    numbers = {k: v[0] for k, v in report.aux_labels(aux).items()}
    (tmp_path / "equations.tex").write_text(report.equations_tex(equations, numbers, "T"))
    (tmp_path / "use.tex").write_text(
        "\\documentclass{article}\\usepackage{amsmath}\\input{equations}\\begin{document}\n"
        "\\thesisequation{eq:lstm-hidden} Gate (\\thesiseqnum{eq:lstm-forget}) and "
        "\\eqref{eq:lstm-hidden}.\\end{document}\n"
    )
    for _ in range(2):  # second pass resolves \eqref
        subprocess.run(
            ["xelatex", "-interaction=nonstopmode", "-halt-on-error", "use.tex"],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "use.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "(10)" in text and "Gate (6) and (10)" in text
