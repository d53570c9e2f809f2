from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from hooks.adapters.coverage_data import (
    FileCoverage,
    FilesOnDemand,
    NoUsableData,
    PathMapper,
    Scope,
    coverage_scope,
    read_report,
    uncombined,
)
from hooks.adapters.coverage_totals import Totals
from hooks.frame.errors import GateError
from tests.util import BIN, write

MODULE = "def f(x):\n    if x:\n        return 1\n    return 2\n\n\ndef g():\n    return 3\n"
SCRIPT = "import sys\n\nsys.path.insert(0, 'src')\nfrom calc import f\n\nassert f(1) == 1\n"


def coverage(project: Path, *args: str) -> str:
    return subprocess.run(
        [str(BIN / "coverage"), *args], cwd=project, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project measured once by the real coverage.py, with the data in all four formats."""
    project = tmp_path_factory.mktemp("measured")
    write(project / "pyproject.toml", '[tool.coverage.run]\nsource = ["src"]\nbranch = true\n')
    write(project / "src/calc.py", MODULE)
    write(project / "check.py", SCRIPT)
    coverage(project, "run", "check.py")
    for name in ("xml", "json", "lcov"):
        coverage(project, name, "-q")
    return project


@pytest.mark.parametrize("name", [".coverage", "coverage.xml", "coverage.json", "coverage.lcov"])
def test_every_format_gives_coverage_py_s_own_total(measured: Path, name: str) -> None:
    expected = float(coverage(measured, "report", "--format=total", "--precision=4"))
    report = read_report(measured, measured / name, ["src/calc.py"])
    assert round(report.total_percent, 4) == expected == 62.5
    assert list(report.files) == ["src/calc.py"]
    calc = report.files["src/calc.py"]
    assert (calc.statements, calc.covered) == ({1, 2, 3, 4, 7, 8}, {1, 2, 3, 7})
    assert calc.branch_lines == {2: (1, 2)}
    assert report.has_branches
    assert report.fingerprint.startswith("sha256:")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "coverage.json is empty"),
        (b"  \n", "coverage.json is empty"),
        (b'{"files": {}}', "coverage.json lists no files"),
    ],
)
def test_empty_data_is_no_usable_data(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "coverage.json").write_bytes(content)
    with pytest.raises(NoUsableData, match=message):
        read_report(tmp_path, tmp_path / "coverage.json", [])


def test_unreadable_data_is_no_usable_data(tmp_path: Path) -> None:
    (tmp_path / "coverage.xml").mkdir()
    with pytest.raises(NoUsableData, match=r"cannot read coverage.xml \(Is a directory\)"):
        read_report(tmp_path, tmp_path / "coverage.xml", [])


def test_coverage_py_data_without_measured_files_is_no_usable_data(tmp_path: Path) -> None:
    write(tmp_path / "script.py", "x = 1\n")
    coverage(tmp_path, "run", "--source=nothing_here", "script.py")  # writes a data file without files
    with pytest.raises(NoUsableData, match=r"\.coverage: no measured files"):
        read_report(tmp_path, tmp_path / ".coverage", [])


def test_data_from_an_old_coverage_py_is_a_gate_error(tmp_path: Path) -> None:
    # coverage.py 4.x wrote JSON behind this banner; 5.0 and later read SQLite only.
    (tmp_path / ".coverage").write_text(
        '!coverage.py: This is a private format, don\'t read it directly!{"lines": {}}'
    )
    with pytest.raises(
        GateError,
        match=r"^\.coverage: coverage.py 7\.[0-9.]+ cannot read it \(.*not a database.*\); if another",
    ):
        read_report(tmp_path, tmp_path / ".coverage", [])


def test_data_with_another_schema_version_is_a_gate_error(measured: Path, tmp_path: Path) -> None:
    data = tmp_path / ".coverage"
    data.write_bytes((measured / ".coverage").read_bytes())
    with sqlite3.connect(data) as db:
        db.execute("update coverage_schema set version = 99")
    db.close()
    with pytest.raises(GateError, match=r"^\.coverage: coverage.py 7\.[0-9.]+ cannot read it \(.*schema"):
        read_report(tmp_path, data, [])


def test_lcov_records_of_one_file_are_merged_and_branches_counted_once(tmp_path: Path) -> None:
    lcov = (
        "TN:one\nSF:src/a.py\nDA:1,1\nDA:2,0\nBRDA:2,0,0,1\nBRDA:2,0,1,-\nend_of_record\n"
        "TN:two\nSF:src/a.py\nDA:2,3\nDA:5,0\nBRDA:2,0,0,0\nBRDA:2,0,1,-\nend_of_record\n"
    )
    write(tmp_path / "lcov.info", lcov)
    report = read_report(tmp_path, tmp_path / "lcov.info", ["src/a.py"])
    assert report.files["src/a.py"] == FileCoverage({1: 1, 2: 3, 5: 0}, {2: (1, 2)})
    assert report.totals == Totals(3, 2, 2, 1)


def test_cobertura_classes_of_one_file_are_merged_and_counted_once(tmp_path: Path) -> None:
    # Java and C# producers write one <class> per class, several per file, and may omit the root totals.
    write(
        tmp_path / "coverage.xml",
        '<coverage><sources><source>src</source></sources><packages><package name="p"><classes>'
        '<class name="A" filename="pkg/a.py"><lines><line number="1" hits="1"/><line number="2" hits="0"/>'
        "</lines></class>"
        '<class name="A$Inner" filename="pkg/a.py"><lines><line number="2" hits="3"/>'
        '<line number="5" hits="0" branch="true" condition-coverage="50% (1/2)"/></lines></class>'
        "</classes></package></packages></coverage>",
    )
    report = read_report(tmp_path, tmp_path / "coverage.xml", ["src/pkg/a.py"])
    assert list(report.files) == ["src/pkg/a.py"]
    assert report.files["src/pkg/a.py"] == FileCoverage({1: 1, 2: 3, 5: 0}, {5: (1, 2)})
    assert report.totals == Totals(3, 2, 2, 1)


def test_files_on_demand_are_read_when_asked_for_only() -> None:
    read: list[str] = []

    def reader(path: str) -> FileCoverage:
        read.append(path)
        return FileCoverage({1: 1})

    files = FilesOnDemand({"a.py": lambda: reader("a.py"), "b.py": lambda: reader("b.py")})
    assert (len(files), list(files), "b.py" in files) == (2, ["a.py", "b.py"], True)
    assert read == []
    assert files["b.py"].covered == {1}
    files.get("b.py")
    assert read == ["b.py"]


@pytest.fixture
def mapper(tmp_path: Path) -> PathMapper:
    root = tmp_path / "repo"
    (root / "src/pkg").mkdir(parents=True)
    (tmp_path / "link").symlink_to(root)
    return PathMapper(root, ["src/pkg/a.py", "app.py"])


@pytest.mark.parametrize(
    ("raw", "bases", "expected"),
    [
        ("src/pkg/a.py", (), "src/pkg/a.py"),
        ("./src/pkg/a.py", (), "src/pkg/a.py"),
        ("src\\pkg\\a.py", (), "src/pkg/a.py"),
        ("{root}/src/pkg/a.py", (), "src/pkg/a.py"),
        ("{tmp}/link/src/pkg/a.py", (), "src/pkg/a.py"),  # the root through a symlink
        ("pkg/a.py", ("{root}/src",), "src/pkg/a.py"),  # coverage.py's <source> roots
        ("a.py", ("{root}/lib", "{root}/src/pkg"), "src/pkg/a.py"),  # the root that names a tracked file
        ("pkg/a.py", ("src",), "src/pkg/a.py"),  # a relative root
        ("pkg/a.py", ("/home/runner/work/p/p/src",), "src/pkg/a.py"),  # made in CI
        ("C:\\ci\\build\\src\\pkg\\a.py", (), "src/pkg/a.py"),  # made on Windows
        ("pkg\\a.py", ("D:\\a\\p\\p\\src",), "src/pkg/a.py"),
        ("/usr/lib/python3/site.py", (), "/usr/lib/python3/site.py"),  # outside: kept as it is
        ("copy/src/pkg/a.py", (), "copy/src/pkg/a.py"),  # untracked inside: never taken for another file
        ("../elsewhere/app.py", (), "app.py"),  # outside the repository: its tracked suffix
    ],
)
def test_data_paths_map_to_repository_paths(
    mapper: PathMapper, tmp_path: Path, raw: str, bases: tuple[str, ...], expected: str
) -> None:
    def fill(text: str) -> str:
        return text.format(root=mapper.root, tmp=tmp_path.resolve())

    assert mapper(fill(raw), tuple(fill(base) for base in bases)) == expected


@pytest.mark.parametrize(
    ("scope", "path", "expected"),
    [
        (Scope(("src",), (), ()), "src/pkg/a.py", True),
        (Scope(("src",), (), ()), "tests/test_a.py", False),
        (Scope(("src",), (), ()), "scripts/tool.py", False),
        (Scope(("bookmarks",), (), ()), "src/bookmarks/store.py", True),
        (Scope((), ("app/*",), ()), "app/views.py", True),
        (Scope((), ("app/*",), ()), "lib/views.py", False),
        (Scope((), (), ("*/migrations/*",)), "app/migrations/0001.py", False),
        (Scope((), (), ()), "app/views.py", True),
        (Scope((), (), ()), "tests/test_views.py", False),
        (Scope((), (), ()), "app/views_test.py", False),
        (Scope((), (), ()), "conftest.py", False),
        (Scope((), (), ()), "README.md", False),
        # without source or include: the top-level directories the data lists (pytest --cov=app)
        (Scope((), (), (), frozenset({"app"})), "app/new.py", True),
        (Scope((), (), (), frozenset({"app"})), "docs/conf.py", False),
        (Scope((), (), (), frozenset({"app"})), "setup.py", False),
        (Scope((), (), (), frozenset({"app", ""})), "setup.py", True),
    ],
)
def test_scope_follows_coverage_settings(scope: Scope, path: str, expected: bool) -> None:
    assert scope.covers(path) is expected


def test_scope_reads_coverage_py_s_config_from_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / ".coveragerc", "[run]\nsource = src\nomit = */generated/*\n[report]\ninclude = src/*\n")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    scope = coverage_scope(tmp_path)
    assert (scope.source, scope.include, scope.omit) == (("src",), ("src/*",), ("*/generated/*",))
    assert Path.cwd() == tmp_path / "sub"


def test_uncombined_parallel_data_is_found(tmp_path: Path) -> None:
    for name in (".coverage.host.12.x", ".coverage.host.13.y", ".coveragerc"):
        (tmp_path / name).write_text("")
    assert uncombined(tmp_path) == [".coverage.host.12.x", ".coverage.host.13.y"]


def test_json_branches_are_counted_per_line(tmp_path: Path) -> None:
    data = {
        "meta": {"branch_coverage": True},
        "files": {
            "a.py": {
                "executed_lines": [1, 2, 3],
                "missing_lines": [4],
                "executed_branches": [[2, 3], [3, 4]],
                "missing_branches": [[2, 4], [3, -1]],
            }
        },
    }
    write(tmp_path / "coverage.json", json.dumps(data))
    report = read_report(tmp_path, tmp_path / "coverage.json", ["a.py"])
    assert report.files["a.py"].branch_lines == {2: (1, 2), 3: (1, 2)}
    assert report.totals == Totals(4, 3, 4, 2)
    assert report.source == "coverage.json"


def test_totals_add_up_across_files_and_give_coverage_py_s_percentage() -> None:
    one = Totals.of_lines([1, 0, 3], [(1, 2)])
    two = Totals.of_lines([0], [])
    assert one + two == Totals(statements=4, covered=2, branches=2, covered_branches=1)
    assert (one + two).percent == 100.0 * 3 / 6
    assert Totals().percent == 100.0  # nothing to cover, as coverage.py reports it
