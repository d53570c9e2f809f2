from __future__ import annotations

import subprocess
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hooks.adapters.cobertura import read_cobertura
from hooks.adapters.coverage_totals import Totals
from hooks.frame.errors import GateError
from tests.util import BIN, write

# filename → {line: (hits, (covered, total) branches or None)}
Classes = list[tuple[str, dict[int, tuple[int, tuple[int, int] | None]]]]

LAYOUTS = (
    "coverage.py",
    "hits first",
    "single quotes",
    "java methods",
    "comments",
    "latin-1",
    "one odd class",
)


def render(classes: Classes, layout: str, totals: bool = True) -> bytes:
    """A Cobertura report of `classes` in one of the layouts tools write."""

    def attr(value: str) -> str:
        if layout == "single quotes":
            return "'" + escape(value, {"'": "&apos;", '"': "&quot;"}) + "'"
        return quoteattr(value)

    def line(number: int, hits: int, branch: tuple[int, int] | None, odd: bool) -> str:
        parts = [f"number={attr(str(number))}", f"hits={attr(str(hits))}"]
        if layout == "hits first" or odd:
            parts.reverse()
        if branch:
            covered, total = branch
            parts += [f"branch={attr('true')}", f"condition-coverage={attr(f'50% ({covered}/{total})')}"]
        if layout == "java methods" and branch:
            return (
                f'<line {" ".join(parts)}><conditions><condition number="0" type="jump"/></conditions></line>'
            )
        return f"<line {' '.join(parts)}/>"

    statements = sum(len(lines) for _, lines in classes)
    covered = sum(1 for _, lines in classes for hits, _ in lines.values() if hits)
    branches = [branch for _, lines in classes for _, branch in lines.values() if branch]
    root = (
        f'<coverage lines-valid="{statements}" lines-covered="{covered}" '
        f'branches-valid="{sum(t for _, t in branches)}" branches-covered="{sum(c for c, _ in branches)}">'
        if totals
        else "<coverage>"
    )
    encoding = "ISO-8859-1" if layout == "latin-1" else "utf-8"
    out = [f'<?xml version="1.0" encoding="{encoding}"?>', root, "<!-- generated -->"]
    out += ["<sources><source>/somewhere/else</source></sources><packages><package name='p'><classes>"]
    for index, (filename, lines) in enumerate(classes):
        odd = layout == "one odd class" and index == len(classes) // 2
        out.append(f"<class name={attr(filename)} filename={attr(filename)} line-rate='1'>")
        if layout == "comments":
            out.append("<!-- <line number='99999' hits='1'/> -->")
        methods = [line(n, h, b, odd) for n, (h, b) in sorted(lines.items())]
        if layout == "java methods" and methods:
            out.append(
                f'<methods><method name="m" signature="()V"><lines>{"".join(methods[:2])}</lines></method></methods>'
            )
        else:
            out.append("<methods/>")
        out += ["<lines>", *methods, "</lines>", "</class>"]
    out.append("</classes></package></packages></coverage>")
    return "\n".join(out).encode("latin-1" if layout == "latin-1" else "utf-8")


filenames = st.text(st.sampled_from("abé &<>\"'/._-"), min_size=1, max_size=12).map(lambda s: f"src/{s}.py")
line_data = st.tuples(
    st.integers(0, 3),
    st.one_of(st.none(), st.tuples(st.integers(0, 2), st.integers(2, 4)).map(lambda b: (min(b), b[1]))),
)
classes_strategy = st.lists(
    st.tuples(filenames, st.dictionaries(st.integers(1, 400), line_data, max_size=12)),
    min_size=1,
    max_size=6,
    unique_by=lambda c: c[0],
)


@settings(max_examples=60, deadline=None)
@given(classes=classes_strategy, layout=st.sampled_from(LAYOUTS))
def test_every_layout_reads_the_same_lines_and_totals(classes: Classes, layout: str) -> None:
    report = read_cobertura(render(classes, layout))
    assert [entry.filename for entry in report.classes] == [name for name, _ in classes]
    for entry, (_, lines) in zip(report.classes, classes, strict=True):
        hits, branches = entry.lines()
        assert hits == {n: h for n, (h, _) in lines.items()}
        assert branches == {n: b for n, (_, b) in lines.items() if b}
        covered = sum(1 for h, _ in lines.values() if h)
        valid = [b for _, b in lines.values() if b]
        assert entry.totals() == Totals(
            len(lines), covered, sum(t for _, t in valid), sum(c for c, _ in valid)
        )
    statements = sum(len(lines) for _, lines in classes)
    assert report.totals is not None and report.totals.statements == statements
    assert report.sources == ["/somewhere/else"]


def test_a_root_without_totals_gives_none() -> None:
    report = read_cobertura(render([("src/a.py", {1: (1, None)})], "coverage.py", totals=False))
    assert report.totals is None
    assert report.classes[0].totals() == Totals(1, 1, 0, 0)


def test_coverage_py_s_own_report_reads_as_coverage_py_counts(tmp_path: Path) -> None:
    write(tmp_path / "calc.py", "def f(x):\n    if x:\n        return 1\n    return 2\n\nf(1)\n")
    subprocess.run([str(BIN / "coverage"), "run", "--branch", "calc.py"], cwd=tmp_path, check=True)
    subprocess.run([str(BIN / "coverage"), "xml", "-q"], cwd=tmp_path, check=True)
    report = read_cobertura((tmp_path / "coverage.xml").read_bytes())
    assert report.sources == [str(tmp_path)]
    [entry] = report.classes
    assert entry.filename == "calc.py"
    assert entry.lines() == ({1: 1, 2: 1, 3: 1, 4: 0, 6: 1}, {2: (1, 2)})
    assert report.totals == entry.totals() == Totals(5, 4, 2, 1)


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        (b"<coverage><unclosed></coverage>", "not well-formed XML (mismatched tag at line 1)"),
        (b"", "not well-formed XML (no element found at line 1)"),
        (
            b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><coverage>&b;</coverage>',
            "refused unsafe XML (EntitiesForbidden)",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY e SYSTEM "file:///etc/passwd">]><coverage>&e;</coverage>',
            "refused unsafe XML (EntitiesForbidden)",
        ),
        (
            b"<report><class filename='a.py'/></report>",
            "not a Cobertura report (root <report>, not <coverage>)",
        ),
        (
            b"<coverage><class name='a'><lines/></class></coverage>",
            "not a Cobertura report (a <class> without a filename)",
        ),
        (
            b"<coverage><class filename='a.py'><lines><line number='x' hits='1'/></lines></class></coverage>",
            "not a Cobertura report (a <line> without a numeric number or hits)",
        ),
    ],
)
def test_unsafe_or_broken_xml_is_refused_with_the_reason(xml: bytes, reason: str) -> None:
    with pytest.raises(GateError) as raised:
        report = read_cobertura(xml)
        for entry in report.classes:
            entry.lines()
    assert str(raised.value) == reason


def test_cobertura_s_own_doctype_is_accepted() -> None:
    xml = (
        b'<?xml version="1.0"?>\n<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">\n'
        b'<coverage lines-valid="1" lines-covered="1"><packages><package name="p"><classes>'
        b'<class name="A" filename="A.java"><methods/><lines><line number="3" hits="2" branch="false"/></lines>'
        b"</class></classes></package></packages></coverage>"
    )
    report = read_cobertura(xml)
    assert report.classes[0].lines() == ({3: 2}, {})


def test_utf_16_reports_are_read_element_by_element() -> None:
    xml = (
        render([("src/é.py", {4: (1, (1, 2))})], "coverage.py")
        .decode()
        .replace('encoding="utf-8"', 'encoding="utf-16"')
    )
    report = read_cobertura(xml.encode("utf-16"))
    assert report.classes[0].filename == "src/é.py"
    assert report.classes[0].lines() == ({4: 1}, {4: (1, 2)})


def test_coverage_py_s_layout_is_read_from_the_bytes_and_others_by_expat(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import hooks.adapters.cobertura as cobertura

    classes: Classes = [("src/a.py", {1: (1, None), 2: (0, (1, 2))}), ("src/b.py", {5: (3, None)})]
    calls: list[bytes] = []
    read_elements = cobertura.read_elements
    monkeypatch.setattr(cobertura, "read_elements", lambda data: calls.append(data) or read_elements(data))
    for entry in read_cobertura(render(classes, "coverage.py")).classes:
        entry.lines()
    assert calls == []
    for entry in read_cobertura(render(classes, "one odd class")).classes:
        entry.lines()
    assert len(calls) == 1
    assert calls[0].replace(b'"', b"'").startswith(b"<class name='src/b.py'")
