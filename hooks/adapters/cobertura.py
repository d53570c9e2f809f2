"""Cobertura XML (`coverage xml`, pytest-cov, gcovr, coverlet) read safely and fast: one guarded expat
pass for the outline, a class's lines only when asked for (DEC-008)."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from hooks.adapters.coverage_totals import Totals
from hooks.frame.errors import GateError

# Hits per line; (covered, total) per branch line.
LineData = tuple[dict[int, int], dict[int, tuple[int, int]]]


class CoberturaClass(NamedTuple):
    filename: str  # as written
    lines: Callable[[], LineData]  # read on demand
    totals: Callable[[], Totals]  # counted on demand, cheaper than the lines


class Cobertura(NamedTuple):
    sources: list[str]  # the <source> roots, in order
    totals: Totals | None  # the root's lines-valid, lines-covered, branches-valid, branches-covered
    classes: list[CoberturaClass]


_CONDITION = re.compile(r"\((\d+)/(\d+)\)")
_CLASS_START = re.compile(rb"<class(?![\w.:-])")  # not <classes>
_CLASS = re.compile(rb"""<class((?:\s+[^\s=>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*/?>""")  # its attributes
_ATTRIBUTE = re.compile(rb"""([^\s=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_LINE = re.compile(rb'<line\s+number="([1-9][0-9]*)"\s+hits="(0|[1-9][0-9]*)"')
_BRANCH_LINE = re.compile(
    rb'<line\s+number="([1-9][0-9]*)"\s+hits="(?:0|[1-9][0-9]*)"\s+branch="[Tt]rue"\s+'
    rb'condition-coverage="[0-9.]+%\s*\(([0-9]+)/([0-9]+)\)"'
)
_UTF8 = {None, "utf-8", "utf8", "us-ascii", "ascii"}
_TOTALS = ("lines-valid", "lines-covered", "branches-valid", "branches-covered")


def read_cobertura(data: bytes) -> Cobertura:
    """The report's outline, its classes' lines on demand; a GateError for unsafe or malformed XML."""
    outline = _Outline.of(data)
    if outline.plain_classes(data):
        classes = _classes_on_demand(data, outline.classes_at or 0)
    else:
        classes = [_read_class(name, lines) for name, lines in read_elements(data)]
    return Cobertura(outline.sources, outline.totals, classes)


def _read_class(name: str, lines: list[dict[str, str]]) -> CoberturaClass:
    read = functools.cache(functools.partial(_read, lines))
    return CoberturaClass(name, read, lambda: _count(*read()))


def _count(hits: dict[int, int], branches: dict[int, tuple[int, int]]) -> Totals:
    return Totals.of_lines(hits.values(), branches.values())


@dataclasses.dataclass
class _Outline:
    """What the full guarded parse saw: sources, totals, where the classes start, anything unusual."""

    sources: list[str] = dataclasses.field(default_factory=list)
    totals: Totals | None = None
    classes_at: int | None = None  # byte offset of the first <class
    encoding: str | None = None
    markup_at: list[int] = dataclasses.field(default_factory=list)  # comments, CDATA, PIs, DOCTYPE subsets

    @classmethod
    def of(cls, data: bytes) -> _Outline:
        outline = cls()
        expat = _guarded_expat()
        text: list[str] | None = None
        root: list[str] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal text
            if not root:
                root.append(name)
                if name != "coverage":
                    raise GateError(f"not a Cobertura report (root <{name}>, not <coverage>)")
                outline.totals = _totals(attrs)
            if name == "source":
                text = []
            elif name == "class":  # the outline is complete: expat reads the rest without calling back
                outline.classes_at = expat.CurrentByteIndex
                expat.StartElementHandler = expat.EndElementHandler = expat.CharacterDataHandler = None

        def end(name: str) -> None:
            nonlocal text
            if name == "source" and text is not None:
                outline.sources.append("".join(text).strip())
                text = None

        def characters(content: str) -> None:
            if text is not None:
                text.append(content)

        def markup(*_: object) -> None:
            outline.markup_at.append(expat.CurrentByteIndex)

        def declaration(_version: str, encoding: str | None, _standalone: int) -> None:
            outline.encoding = encoding.lower() if encoding else None

        def doctype(_name: str, _sysid: str | None, _pubid: str | None, internal_subset: int) -> None:
            if internal_subset:  # attribute defaults declared there would change what a line says
                outline.markup_at.append(len(data))

        expat.StartElementHandler, expat.EndElementHandler, expat.CharacterDataHandler = (
            start,
            end,
            characters,
        )
        expat.CommentHandler = expat.ProcessingInstructionHandler = expat.StartCdataSectionHandler = markup
        expat.XmlDeclHandler, expat.StartDoctypeDeclHandler = declaration, doctype
        _parse(expat, data)
        if not root:
            raise GateError("not a Cobertura report (no <coverage> root)")
        return outline

    def plain_classes(self, data: bytes) -> bool:
        """True when the classes can be read from the bytes: UTF-8, and nothing but elements among them."""
        at = self.classes_at
        return (
            at is not None
            and self.encoding in _UTF8
            and data.startswith(b"<class", at)
            and not any(position >= at for position in self.markup_at)
        )


def _totals(attrs: dict[str, str]) -> Totals | None:
    """The root's counts, when it has them (coverage.py, gcovr, Cobertura, coverlet write them)."""
    if not all(key in attrs for key in _TOTALS[:2]):
        return None
    try:
        lines, covered, branches, covered_branches = (int(attrs.get(key, "0")) for key in _TOTALS)
    except ValueError:
        return None
    return Totals(lines, covered, branches, covered_branches)


def _classes_on_demand(data: bytes, start: int) -> list[CoberturaClass]:
    starts = [found.start() for found in _CLASS_START.finditer(data, start)]
    classes: list[CoberturaClass] = []
    for index, at in enumerate(starts):
        tag = _CLASS.match(data, at)
        if tag is None:  # cannot happen in a well-formed report; a guard, not a reading
            raise GateError("not a Cobertura report (a <class> tag not understood)")
        attributes = {name: double or single for name, double, single in _ATTRIBUTE.findall(tag[1])}
        filename = _filename(_attribute_value(attributes.get(b"filename", b"")))
        span = _ClassSpan(data, at, tag.end(), starts[index + 1] if index + 1 < len(starts) else len(data))
        classes.append(CoberturaClass(filename, span.lines, span.totals))
    return classes


class _ClassSpan(NamedTuple):
    """One <class> in the bytes: its tag at `at`, its content from `start` to the next class at `end`."""

    data: bytes
    at: int
    start: int
    end: int

    def _in_layout(self) -> tuple[list[tuple[bytes, bytes]], list[tuple[bytes, bytes, bytes]]] | None:
        """The class's lines and branch lines in coverage.py's layout, or None if a tag is in another."""
        data, start, end = self.data, self.start, self.end
        found = _LINE.findall(data, start, end)
        conditions = data.count(b"condition-coverage", start, end)
        branches = _BRANCH_LINE.findall(data, start, end) if conditions else []
        tags = data.count(b"<line", start, end) - data.count(b"<lines", start, end)
        return (found, branches) if len(found) == tags and len(branches) == conditions else None

    def lines(self) -> LineData:
        layout = self._in_layout()
        if layout is None:
            return _read(self._element_lines())
        found, branches = layout
        hits = {int(number): int(count) for number, count in found}
        return hits, {int(number): (int(covered), int(total)) for number, covered, total in branches}

    def totals(self) -> Totals:
        layout = self._in_layout()
        if layout is None:
            return _count(*_read(self._element_lines()))
        found, branches = layout
        hits = {number: count != b"0" for number, count in found}  # a line listed twice is one statement
        per_line = {number: (int(covered), int(total)) for number, covered, total in branches}
        return Totals.of_lines(hits.values(), per_line.values())

    def _element_lines(self) -> list[dict[str, str]]:
        """expat over this class element alone: any attribute order, quoting or child elements."""
        close = self.data.rfind(b"</class>", self.start, self.end)
        element = (
            self.data[self.at : close + len(b"</class>")] if close >= 0 else self.data[self.at : self.start]
        )
        [(_, lines)] = read_elements(element)
        return lines


def read_elements(data: bytes) -> list[tuple[str, list[dict[str, str]]]]:
    """The general reading: each class's filename and its <line> elements' attributes, any layout."""
    classes: list[tuple[str, list[dict[str, str]]]] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "line" and classes:
            classes[-1][1].append(attrs)
        elif name == "class":
            classes.append((_filename(attrs.get("filename")), []))

    expat = _guarded_expat()
    expat.StartElementHandler = start
    _parse(expat, data)
    return classes


def _read(lines: list[dict[str, str]]) -> LineData:
    hits: dict[int, int] = {}
    branches: dict[int, tuple[int, int]] = {}
    try:
        for attrs in lines:
            number = int(attrs["number"])
            hits[number] = int(attrs.get("hits", "0"))
            condition = attrs.get("condition-coverage")
            if condition and attrs.get("branch", "").lower() == "true":
                match = _CONDITION.search(condition)
                if match:
                    branches[number] = (int(match[1]), int(match[2]))
    except (KeyError, ValueError):
        raise GateError("not a Cobertura report (a <line> without a numeric number or hits)") from None
    return hits, branches


def _guarded_expat() -> Any:
    """An expat parser carrying defusedxml's guards, with the handlers of ElementTree's Python layer off.

    defusedxml sets its guards on the expat parser inside ElementTree's pure-Python XMLParser; that
    layer's per-element handlers are what is slow, so they are cleared and ours set instead.
    """
    from defusedxml.ElementTree import DefusedXMLParser

    expat = DefusedXMLParser().parser
    for handler in (
        "StartElementHandler", "EndElementHandler", "CharacterDataHandler", "DefaultHandlerExpand",
        "CommentHandler", "ProcessingInstructionHandler", "StartNamespaceDeclHandler",
        "EndNamespaceDeclHandler",
    ):  # fmt: skip
        setattr(expat, handler, None)
    expat.ordered_attributes = False
    expat.buffer_text = True
    return expat


def _parse(expat: Any, data: bytes) -> None:
    from xml.parsers.expat import ExpatError

    from defusedxml import DefusedXmlException

    try:
        expat.Parse(data, True)
    except DefusedXmlException as exc:
        raise GateError(f"refused unsafe XML ({type(exc).__name__})") from None
    except ExpatError as exc:
        reason = str(exc).split(":")[0]
        raise GateError(f"not well-formed XML ({reason} at line {exc.lineno})") from None


def _filename(name: str | None) -> str:
    if not name:
        raise GateError("not a Cobertura report (a <class> without a filename)")
    return name


def _attribute_value(raw: bytes) -> str:
    """An attribute value as an XML parser gives it: whitespace normalised, references replaced."""
    text = raw.decode("utf-8").translate({9: 32, 10: 32, 13: 32})
    if "&" not in text:
        return text
    import html  # after expat's check only the five XML entities and character references can occur

    return html.unescape(text)
