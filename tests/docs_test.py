from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import _pytest
import pytest

from hooks.docs import (
    PARALLEL_MIN_BYTES,
    blob_sizes,
    definitions,
    listing,
    main,
    read_blobs,
    survey,
    survey_all,
    survey_spread,
)
from tests.util import add_platform_mode, commit, git, git_through_hooks, install_hooks, run_cli, write

LEGACY = """\
def legacy(value):
    return value


class Store:
    def count(self):
        return 0
"""


def docs(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).splitlines()


def stage(repo: Path, rel: str, text: str) -> str:
    write(repo / rel, text)
    git(repo, "add", rel)
    return rel


def counted(source: str) -> dict[str, str]:
    """Each definition's qualified name → why it is not counted ("" when it is)."""
    return {d.name: d.reason for d in definitions(source.encode())}


@pytest.fixture
def project(repo: Path) -> Path:
    add_platform_mode(repo)
    write(repo / "app/legacy.py", LEGACY)
    commit(repo, "legacy code")
    return repo


@pytest.mark.parametrize(
    ("source", "name", "reason"),
    [
        ("def f():\n    pass\n", "f", ""),
        ("def _f():\n    pass\n", "_f", "private"),
        ("class _C:\n    def m(self):\n        pass\n", "_C.m", "private scope"),
        ("def f():\n    def inner():\n        pass\n", "f.inner", "nested"),
        ("def f():\n    class Local:\n        def m(self):\n            pass\n", "f.Local.m", "nested"),
        ("from typing import overload\n@overload\ndef f(x: int) -> int: ...\n", "f", "@overload"),
        ("import typing\n@typing.overload\ndef f(x: int) -> int: ...\n", "f", "@overload"),
        (
            "from typing import override\nclass C:\n    @override\n    def m(self):\n        pass\n",
            "C.m",
            "@override",
        ),
        ("class C:\n    @property\n    def v(self):\n        pass\n", "C.v", ""),
        ("class C:\n    @v.setter\n    def v(self, value):\n        pass\n", "C.v", "@setter"),
        ("class C:\n    @v.deleter\n    def v(self):\n        pass\n", "C.v", "@deleter"),
        ("class C:\n    def __eq__(self, other):\n        pass\n", "C.__eq__", "dunder"),
        (
            'class C:\n    """Doc."""\n    def __init__(self):\n        pass\n',
            "C.__init__",
            "__init__ of a documented class",
        ),
        ("class C:\n    def __init__(self):\n        pass\n", "C.__init__", ""),
        ("import sys\nif sys.platform == 'win32':\n    def f():\n        pass\n", "f", ""),
        ("try:\n    pass\nexcept ImportError:\n    class C:\n        pass\n", "C", ""),
        ('__all__ = ["f"]\ndef f():\n    pass\ndef g():\n    pass\n', "g", "not in __all__"),
        ('__all__ = ["f"]\n__all__ += ["g"]\ndef f():\n    pass\ndef g():\n    pass\n', "g", ""),
        ('__all__ = ["C"]\nclass C:\n    def m(self):\n        pass\n', "C.m", ""),
        ("__all__ = other.__all__\ndef g():\n    pass\n", "g", ""),  # built at run time: not narrowed
        ("def f():  # platform-gates: no-docstring\n    pass\n", "f", "excused"),
    ],
)
def test_which_definitions_count(source: str, name: str, reason: str) -> None:
    assert counted(source)[name] == reason


def test_the_excuse_works_only_on_its_own_definition() -> None:
    source = (
        "def excused(  # platform-gates: no-docstring\n    a,\n):\n    pass\n\n\ndef other():\n    pass\n"
    )
    assert counted(source) == {"excused": "excused", "other": ""}


def test_a_blank_docstring_is_no_docstring() -> None:
    (found,) = definitions(b'def f():\n    """   """\n')
    assert not found.documented


def test_a_commit_adding_an_undocumented_public_function_is_refused_naming_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rel = stage(project, "app/store.py", "def save(item):\n    return item\n")
    code, lines = docs(capsys, rel)
    assert code == 1
    assert "app/store.py:1: function 'save' has no docstring" in lines
    assert "1 undocumented public definition added in staged changes" in lines[-1]


def test_private_nested_overload_and_setter_additions_are_accepted(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rel = stage(
        project,
        "app/store.py",
        '"""Storage."""\n\nfrom typing import overload\n\n\n'
        "def _helper():\n    pass\n\n\n"
        'def save(item: int) -> int:\n    """Save."""\n\n    def inner():\n        pass\n\n    return item\n\n\n'
        "@overload\ndef load(key: int) -> int: ...\n\n\n"
        'def load(key):\n    """Load."""\n    return key\n\n\n'
        'class Box:\n    """A box."""\n\n    def __init__(self):\n        self._v = 0\n\n'
        '    @property\n    def v(self):\n        """The value."""\n        return self._v\n\n'
        "    @v.setter\n    def v(self, value):\n        self._v = value\n",
    )
    code, lines = docs(capsys, rel)
    assert code == 0, lines
    assert "documented 4/4 = 100.0%" in lines[-1]  # save, load, Box, Box.v


def test_a_class_without_a_docstring_must_document_its_init(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rel = stage(project, "app/box.py", 'class Box:\n    def __init__(self):\n        """Make one."""\n')
    code, lines = docs(capsys, rel)
    assert code == 1
    assert [line for line in lines if "no docstring" in line] == [
        "app/box.py:1: class 'Box' has no docstring"
    ]


@pytest.mark.parametrize(
    ("edited", "refused"),
    [
        (LEGACY.replace("return value", "return value + 1"), []),
        (LEGACY.replace("return 0", "return 1"), []),
        (
            LEGACY.replace("def legacy(value)", "def renamed(value)"),
            ["app/legacy.py:1: function 'renamed' has no docstring"],
        ),
        (
            LEGACY.replace("def legacy(value)", "def legacy(value, scale)"),
            ["app/legacy.py:1: function 'legacy' has no docstring"],
        ),
        (
            LEGACY.replace("def count(self)", "def count(\n        self,\n        limit,\n    )"),
            ["app/legacy.py:6: method 'Store.count' has no docstring"],
        ),
    ],
)
def test_only_a_new_or_changed_signature_is_the_change_s_fault(
    project: Path, capsys: pytest.CaptureFixture[str], edited: str, refused: list[str]
) -> None:
    rel = stage(project, "app/legacy.py", edited)
    code, lines = docs(capsys, rel)
    assert [line for line in lines if "no docstring" in line] == refused
    assert code == (1 if refused else 0)


def test_all_narrows_what_is_public_and_the_excuse_holds_only_for_its_definition(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rel = stage(
        project,
        "app/api.py",
        '__all__ = ["exported", "excused"]\n\n\n'
        "def exported():\n    pass\n\n\n"
        "def internal():\n    pass\n\n\n"
        "def excused():  # platform-gates: no-docstring\n    pass\n",
    )
    code, lines = docs(capsys, rel)
    assert code == 1
    assert [line for line in lines if "no docstring" in line] == [
        "app/api.py:4: function 'exported' has no docstring"
    ]
    assert "(1 excused)" in lines[-1]


def test_the_staged_blob_is_judged_not_the_working_tree(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rel = stage(project, "app/store.py", "def save(item):\n    return item\n")
    write(project / rel, 'def save(item):\n    """Save an item."""\n    return item\n')  # not staged
    code, lines = docs(capsys, rel)
    assert code == 1
    assert "app/store.py:1: function 'save' has no docstring" in lines
    git(project, "add", rel)
    write(project / rel, "def save(item):\n    return item\n")  # the staged one is documented now
    assert docs(capsys, rel)[0] == 0


def test_test_files_are_excluded_even_when_passed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names = [
        stage(project, rel, "def helper():\n    pass\n") for rel in ("tests/test_app.py", "app/conftest.py")
    ]
    code, lines = docs(capsys, *names)
    assert code == 0, lines
    assert "documented 0/0 = n/a in 0 files" in lines[-1]


def test_a_pushed_range_judges_what_it_adds(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(project, "checkout", "-q", "-b", "feature")
    write(project / "app/store.py", "def save(item):\n    return item\n")
    commit(project, "feature")
    write(project / "app/store.py", 'def save(item):\n    """Not pushed: the tip is judged."""\n')
    code, lines = docs(capsys, "--compare-with", "main", "app/store.py", "app/legacy.py")
    assert code == 1
    assert [line for line in lines if "no docstring" in line] == [
        "app/store.py:1: function 'save' has no docstring"
    ]
    assert "in main...HEAD" in lines[-1]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"def broken(:\n    pass\n", "syntax error at line 1"),
        (b"def caf\xe9():\n    pass\n", "not UTF-8 and no coding declaration"),
        (b"x = 1\0\n", "null bytes: not Python source"),
        (b"x = (" * 300 + b")" * 300 + b"\n", "too many nested parentheses"),
    ],
)
def test_unparsable_files_are_named_and_skipped_never_a_traceback(
    project: Path, capsys: pytest.CaptureFixture[str], content: bytes, reason: str
) -> None:
    (project / "app/bad.py").write_bytes(content)
    git(project, "add", "app/bad.py")
    code, lines = docs(capsys, "app/bad.py", "app/legacy.py")
    assert code == 0, lines
    assert any(line.startswith("app/bad.py: skipped (") and reason in line for line in lines), lines
    assert not any("Traceback" in line for line in lines)
    assert "(1 file skipped)" in lines[-1]


def test_a_declared_encoding_is_honoured_and_a_huge_file_is_skipped(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "app/latin.py").write_bytes(b'# -*- coding: latin-1 -*-\ndef caf\xe9():\n    """Caf\xe9."""\n')
    write(project / "app/huge.py", "def f():\n    pass\n" + "x = 1\n" * 200_000)
    git(project, "add", "app")
    code, lines = docs(capsys, "app/latin.py", "app/huge.py")
    assert code == 0, lines
    assert "app/huge.py: skipped (1.1 MiB, over max-file-size-kib 1024)" in lines
    assert "documented 1/1 = 100.0% in 1 file" in lines[-1]


def test_a_warm_cache_gives_the_same_verdict_and_a_corrupt_one_only_costs_a_parse(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rel = stage(project, "app/store.py", "def save(item):\n    return item\n")
    cold = docs(capsys, rel, "app/legacy.py")
    (cache,) = (project / ".platform-gates/state/cache").glob("docs-*.json")
    assert docs(capsys, rel, "app/legacy.py")[1][:-1] == cold[1][:-1]
    cache.write_text("{not json")
    assert docs(capsys, rel, "app/legacy.py")[1][:-1] == cold[1][:-1]
    assert json.loads(cache.read_text())  # rewritten whole


def test_the_figure_is_recorded_and_max_drop_compares_whole_tree_figures(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "app/store.py", '"""Storage."""\n\n\ndef save(item):\n    """Save."""\n')
    commit(project, "store")
    everything = ["app/legacy.py", "app/store.py"]
    code, lines = docs(capsys, "--max-drop", "5", *everything)
    assert code == 0, lines
    assert "documented 1/4 = 25.0% in the whole tree (first whole-tree figure, max drop 5)" in lines[-1]
    latest = json.loads(run_cli(project, "status", "--json").stdout)["latest"]["platform-docs"]
    assert latest["metrics"]["documented_percent"] == 25.0
    assert (latest["metrics"]["documented"], latest["metrics"]["definitions"]) == (1, 4)
    write(project / "app/more.py", "def a(x):\n    return x\n\n\ndef b(x):\n    return x\n")
    commit(project, "undocumented code, committed without the hook")
    code, lines = docs(capsys, "--max-drop", "5", *everything)  # app/more.py not checked: no trend
    assert code == 0, lines
    code, lines = docs(capsys, "--max-drop", "5", *everything, "app/more.py")
    assert code == 1
    assert "documented coverage dropped 8.33 points since" in "\n".join(lines)
    assert "documented 1/6 = 16.7% in the whole tree (-8.3 since" in lines[-1]


def test_fail_under_judges_the_checked_files(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = docs(capsys, "--fail-under", "50", "app/legacy.py")
    assert code == 1
    assert "documented 0% is under fail-under 50%" in lines


def test_a_bad_argument_is_one_line_and_exit_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--fail-under", "lots", "app/legacy.py"])
    assert exited.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        "platform-docs: ERROR - argument --fail-under: invalid float value: 'lots' (see platform-docs --help)"
    ]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("[docs]\nexclude = 'tests'\n", "docs.exclude must be a list of a string, got 'tests'"),
        ("[docs]\nfail-below = 80\n", "unknown key tool.platform-gates.docs.fail-below"),
    ],
)
def test_bad_config_is_one_line_and_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], config: str, message: str
) -> None:
    write(project / ".platform-gates.toml", config)
    code, lines = docs(capsys, "app/legacy.py")
    assert code == 2
    assert len(lines) == 1 and message in lines[0], lines


# interrogate has a flag for every rule of ours but three: the __init__ of a documented class, `__all__`,
# and nesting deeper than a function directly inside a function (its -n).
NO_INTERROGATE_FLAG = {"__init__ of a documented class", "not in __all__", "nested"}
INTERROGATE_FLAGS = dict.fromkeys(("ignore_module", "ignore_private", "ignore_semiprivate", "ignore_magic", "ignore_nested_functions", "ignore_overloaded_functions", "ignore_property_setters"), True)  # fmt: skip


@pytest.fixture
def pytest_sources(repo: Path) -> list[str]:
    """A real package's sources (pytest's own), committed: their repo-relative paths."""
    package = repo / "src/_pytest"
    shutil.copytree(Path(_pytest.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    commit(repo, "pytest's sources")
    return sorted(path.relative_to(repo).as_posix() for path in package.rglob("*.py"))


def test_counts_equal_interrogate_s_on_a_real_package(
    repo: Path, pytest_sources: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from interrogate import config, coverage

    names = pytest_sources
    conf = config.InterrogateConfig(fail_under=0, **INTERROGATE_FLAGS)
    report = coverage.InterrogateCoverage(names, conf).get_coverage()
    theirs = {
        (result.filename, node.lineno): node.covered
        for result in report.file_results
        for node in result.nodes
        if node.node_type != "Module"
    }
    ours = {(name, d.line): d for name in names for d in definitions((repo / name).read_bytes())}
    counted = {key: d.documented for key, d in ours.items() if not d.reason}
    assert counted.items() <= theirs.items()  # each definition we count, interrogate counts, as documented
    unflagged = {key for key in theirs if key not in counted}
    assert {ours[key].reason for key in unflagged} == NO_INTERROGATE_FLAG
    code, lines = docs(capsys, "--no-cache", *names)
    assert code == 0, lines[-5:]
    covered = sum(theirs.values()) - sum(theirs[key] for key in unflagged)
    assert f"documented {covered}/{len(theirs) - len(unflagged)} = " in lines[-1]


def test_both_cores_give_what_one_does(repo: Path, pytest_sources: list[str]) -> None:
    tree = listing(repo, "HEAD")
    blobs = [tree[name][1] for name in pytest_sources]
    sizes = blob_sizes(repo, blobs)
    assert sum(sizes.values()) > 2 * PARALLEL_MIN_BYTES  # enough for the second core
    contents = read_blobs(repo, blobs)
    assert survey_spread(repo, sizes, {}) == dict(
        zip(blobs, survey_all(contents[b] for b in blobs), strict=True)
    )
    assert survey(b"def f(:\n").skipped.startswith("syntax error at line 1")


@pytest.mark.slow
def test_through_pre_commit_an_undocumented_public_addition_is_refused(
    project: Path, hook_repo: Path
) -> None:
    install_hooks(project, hook_repo, "platform-docs")
    git(project, "add", ".pre-commit-config.yaml")
    git(project, "commit", "-q", "--no-verify", "-m", "hooks")
    write(project / "app/store.py", "def save(item):\n    return item\n\n\ndef _private():\n    pass\n")
    write(project / "tests/test_store.py", "def test_save():\n    pass\n")
    git(project, "add", "-A")
    refused = git_through_hooks(project, "commit", "-m", "undocumented")
    assert refused.returncode == 1, refused.stdout
    assert "app/store.py:1: function 'save' has no docstring" in refused.stdout
    assert re.search(r"platform-docs: FAIL - documented 0/1 = 0\.0% in 1 file", refused.stdout)
    write(project / "app/store.py", 'def save(item):\n    """Save an item."""\n    return item\n')
    git(project, "add", "-A")
    accepted = git_through_hooks(project, "commit", "-m", "documented")
    assert accepted.returncode == 0, accepted.stdout
    latest = json.loads(run_cli(project, "status", "--json").stdout)["latest"]["platform-docs"]
    assert (latest["status"], latest["metrics"]["documented_percent"]) == ("pass", 100.0)
