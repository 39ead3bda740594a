"""LaTeX log parsing and ``equations.tex`` (typeset by xelatex)."""

from __future__ import annotations

import re
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


def test_tables_are_numbered_in_order_and_never_rotated(tmp_path) -> None:
    """An uncaptioned Markdown table takes no number; a wide table stays portrait."""
    import numpy as np
    import pandas as pd
    from nbformat.v4 import new_code_cell, new_output

    from lstmgru.report import chapters, tables

    def table_cell(frame, caption, label):
        shown = tables.table(frame, caption=caption, label=label)
        data = {"text/latex": shown.latex, "text/html": shown.html, "text/plain": "<table>"}
        return new_code_cell("", outputs=[new_output("display_data", data=data)])

    wide = pd.DataFrame(
        np.arange(48.0).reshape(3, 16) * 1000.5,
        columns=[f"TICKER{i}" for i in range(16)],
        index=pd.Index(["arima", "lstm", "lstm_gru"], name="model"),
    )
    scores = pd.DataFrame(
        {"theil_u2": [1.0, 0.99], "pt_pvalue": [np.nan, 0.02]},
        index=pd.Index(["random_walk", "lstm_gru"], name="model"),
    )
    record = {
        "run_id": "default-x",
        "paths": {
            f"notebook{i}": "/work/build/runs/default-x/" * 3 + f"{i}.ipynb" for i in range(40)
        },
    }
    nb = new_notebook(
        cells=[
            new_markdown_cell("| Symbol | Meaning |\n|---|---|\n| $x_t$ | input |\n"),
            new_code_cell(
                "",
                outputs=[
                    new_output(
                        "display_data",
                        data={
                            "text/markdown": "| a | b |\n|---|---|\n| 1 | 2 |\n",
                            "text/plain": "",
                        },
                    )
                ],
            ),
            table_cell(scores, "Scores of the models. More.", "tab:scores"),
            table_cell(wide, "Wide table by instrument.", "tab:wide"),
            new_code_cell(
                "",
                outputs=[
                    new_output(
                        "display_data",
                        data={"text/latex": tables.key_value_table(record, caption="Run.").latex},
                    )
                ],
            ),
        ]
    )
    body = chapters.export_latex(nb, "t", tmp_path, tmp_path)
    assert body.count(r"\addtocounter{table}{-1}") == 2  # Markdown tables give their number back
    for word in ("sideways", "rotat", "landscape"):
        assert word not in body
    (tmp_path / "t.tex").write_text(
        "\\documentclass[11pt,a4paper]{report}\n"
        "\\usepackage[a4paper,left=30mm,right=25mm]{geometry}\\usepackage{fontspec}"
        "\\usepackage{amsmath}\\usepackage{booktabs}\\usepackage{longtable}\\usepackage{array}"
        "\\usepackage{tabularx}\\usepackage{calc}\\usepackage{caption}\\usepackage{hyperref}\n"
        "\\providecommand{\\tightlist}{}\\providecommand{\\real}[1]{#1}\n"
        "\\begin{document}\\listoftables\\chapter{C}\n" + body + "\\end{document}\n"
    )
    for _ in range(2):
        subprocess.run(
            ["xelatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )
    lot = (tmp_path / "t.lot").read_text()
    numbers = re.findall(r"\\numberline \{([\d.]+)\}", lot)
    assert numbers == ["1.1", "1.2", "1.3"]  # the Markdown tables took none, the wide one one
    assert "\\ignorespaces Scores of the models}" in lot  # the short caption
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "t.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Table 1.2 (continued)" in text and "Table 1.1: Scores of the models. More." in text
    assert "Overfull \\hbox" not in (tmp_path / "t.log").read_text()


def test_a_number_keeps_its_per_cent_sign_on_the_line(tmp_path) -> None:
    from lstmgru.report.chapters import write_text
    from lstmgru.report.markdown import keep_units

    assert keep_units(r"at the 5 \% level, 90~\% set") == r"at the 5\,\% level, 90\,\% set"
    assert keep_units(r"100\,\% and a \% sign alone") == r"100\,\% and a \% sign alone"
    tex = write_text(tmp_path / "a.tex", r"the 90 \% set")
    html = write_text(tmp_path / "a.html", "the 90 % set")
    assert tex.read_text() == r"the 90\,\% set" and html.read_text() == "the 90 % set"
