"""The pre-filter passes every line a plugin reports: it may let more lines through, never fewer."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from detect_secrets.plugins.base import RegexBasedDetector
from hypothesis import given, settings
from hypothesis import strategies as st

from hooks.adapters import secrets_prefilter
from hooks.adapters.secrets_engine import _configured, load_engine, scan_files
from hooks.frame.config import read_toml
from tests import prefilter_plugins
from tests.prefilter_plugins import LineReader, ShoutedTokenDetector
from tests.secret_seeds import ALNUM, HEX, SEEDS, run

FILENAMES = [
    "app.py", "settings.yaml", "main.go", "app.ini", "main.tf", ".env", "config.json", "App.java",
    "Program.cs", "notes.txt", "app.properties", "pyproject.toml", "deploy.sh", "Main.swift", "index.js",
    ".netrc", ".pgpass", "npmrc", "Web.config", "settings.xml", ".env.local", "README.md", "index.html",
]  # fmt: skip

# Pieces a mutation inserts: quotes, assignment signs, keyword and token fragments, look-alike noise.
PIECES = [
    '"', "'", "=", ":", " ", ":=", "=>", "==", "@", "://", "_", "-", ".", "/", "+", "[", "]", "$", "#",
    "PASSWORD", "Secret", "api_key", "pwd", "aws", "token", "AKIA", "ghp_", "xoxb-", "sk_live_", "eyJ",
    "BEGIN", "glpat-", "npm_", "SG.", "AIza", "github_pat_", "cloudant", "ibm", "-us1", "T3BlbkFJ",
    "machine h ", " login ", " password ", "Pwd=", ";", "Server=", "<add key=", "<password>", "_auth=",
    "ENCRYPTED", "PuTTY-User-Key-File-3", "\n", "\t", "SMTP_PASS", "export ", "{", "}",
]  # fmt: skip
RUNS = st.text(alphabet=ALNUM + "+/=_-", min_size=1, max_size=48)


@st.composite
def mutated_lines(draw: st.DrawFn) -> tuple[str, str]:
    """A seed line cut, spliced, case-flipped and moved to another file type: near every plugin's edge."""
    seed = draw(st.sampled_from(SEEDS))
    filename, line = seed.filename, seed.line
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(line)))
        operation = draw(st.sampled_from(["insert", "delete", "swapcase", "cut"]))
        if operation == "insert":
            line = line[:at] + draw(st.sampled_from(PIECES) | RUNS) + line[at:]
        elif operation == "delete":
            line = line[:at] + line[at + draw(st.integers(1, 6)) :]
        elif operation == "swapcase":
            line = line[:at] + line[at : at + 8].swapcase() + line[at + 8 :]
        else:
            line = line[:at]
    if draw(st.booleans()):
        filename = draw(st.sampled_from(FILENAMES))
    return filename, line.rstrip()


@st.composite
def assembled_lines(draw: st.DrawFn) -> tuple[str, str]:
    parts = draw(st.lists(st.sampled_from(PIECES) | RUNS, max_size=10))
    return draw(st.sampled_from(FILENAMES)), "".join(parts).rstrip()


def baseline_with_low_limits(tmp_path: Path) -> Path:
    """A baseline whose settings make the entropy plugins far more eager and exclude a keyword."""
    from detect_secrets.settings import default_settings, get_settings

    with default_settings():
        data: dict[str, Any] = get_settings().json()
    for plugin in data["plugins_used"]:
        if plugin["name"] == "Base64HighEntropyString":
            plugin["limit"] = 2.0
        elif plugin["name"] == "HexHighEntropyString":
            plugin["limit"] = 1.5
        elif plugin["name"] == "KeywordDetector":
            plugin["keyword_exclude"] = "changeme"
    path = tmp_path / ".secrets.baseline"
    path.write_text(json.dumps({"version": "1.5.0", **data, "results": {}}))
    return path


@pytest.fixture(scope="module", params=["default settings", "a baseline with low entropy limits"])
def plugins(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, Any], re.Pattern[str]]]:
    """detect-secrets' plugins as the gate configures them, and the pre-filter built from them."""
    from detect_secrets.settings import get_plugins

    root = tmp_path_factory.mktemp("prefilter")
    baseline = None if request.param == "default settings" else baseline_with_low_limits(root)
    here = Path.cwd()
    os.chdir(root)  # our plugins read a file's own line when it exists: none of these names does here
    try:
        with _configured(load_engine(root, baseline)):
            loaded = get_plugins()
            prefilter = secrets_prefilter.combined_pattern(loaded)
            assert not prefilter.unfiltered, "the gate's plugins must all be ones the pre-filter knows"
            assert prefilter.pattern is not None
            yield {type(plugin).__name__: plugin for plugin in loaded}, prefilter.pattern
    finally:
        os.chdir(here)


def scoped(plugins: dict[str, Any], filename: str) -> re.Pattern[str]:
    """The pre-filter the scan of `filename` uses: only the plugins that apply to the file."""
    pattern = secrets_prefilter.combined_pattern(list(plugins.values()), filename).pattern
    assert pattern is not None
    return pattern


def reporting(plugins: dict[str, Any], filename: str, line: str) -> list[str]:
    """Names of the plugins that report a secret on the line."""
    return [
        name
        for name, plugin in plugins.items()
        if plugin.analyze_line(filename=filename, line=line, line_number=1)
    ]


def test_every_plugin_of_the_gate_has_a_seed(plugins: tuple[dict[str, Any], re.Pattern[str]]) -> None:
    assert set(plugins[0]) == {seed.plugin for seed in SEEDS}


@pytest.mark.parametrize("seed", SEEDS, ids=[f"{seed.plugin}-{seed.filename}" for seed in SEEDS])
def test_each_seed_is_reported_by_its_plugin_and_passes_the_pre_filter(
    plugins: tuple[dict[str, Any], re.Pattern[str]], seed: Any
) -> None:
    loaded, pattern = plugins
    assert loaded[seed.plugin].analyze_line(filename=seed.filename, line=seed.line, line_number=1)
    assert pattern.search(seed.line)
    assert scoped(loaded, seed.filename).search(seed.line)


@settings(max_examples=1500, deadline=None)
@given(case=mutated_lines() | assembled_lines())
def test_no_line_a_plugin_reports_is_held_back_by_the_pre_filter(
    plugins: tuple[dict[str, Any], re.Pattern[str]], case: tuple[str, str]
) -> None:
    filename, line = case
    loaded, pattern = plugins
    if reporting(loaded, filename, line):
        assert pattern.search(line), (filename, reporting(loaded, filename, line))
        assert scoped(loaded, filename).search(line), (filename, reporting(loaded, filename, line))


@pytest.mark.parametrize(
    ("line", "passes"),
    [
        ("import os", False),
        ("def scan_files(root: Path) -> list[str]:", False),
        ('    return "ok"', False),
        ("x = 1  # a comment", False),
        ('password = os.environ["DB_PASSWORD"]', True),  # a keyword: the plugins (and filters) decide
        (f'value = "{run(40, HEX)}"', True),
    ],
)
def test_ordinary_code_does_not_reach_the_plugins(
    plugins: tuple[dict[str, Any], re.Pattern[str]], line: str, passes: bool
) -> None:
    assert bool(plugins[1].search(line)) is passes


def test_a_plugin_the_pre_filter_does_not_know_sees_every_line() -> None:
    prefilter = secrets_prefilter.combined_pattern([LineReader(), ShoutedTokenDetector()])
    assert [type(p) for p in prefilter.unfiltered] == [LineReader]
    assert prefilter.pattern is not None and prefilter.pattern.search("x = 'ACME_TOK_0123456789AB'")


@pytest.mark.parametrize(
    ("source", "merges"),
    [
        (r"(?i)acme_[a-z]{4}", True),
        (r"(?i)(?s)acme.x", True),
        (r"(?ix) acme _ [a-z]{4}  # a comment", False),  # its comment would swallow the group's end
        (r"(?a)acme\w+", False),
        (r"(acme)-\1", False),
        (r"(?P<name>acme)", False),
    ],
)
def test_inline_flags_merge_or_leave_the_plugin_unfiltered_and_never_raise(source: str, merges: bool) -> None:
    detector = type("Detector", (RegexBasedDetector,), {"secret_type": "X", "denylist": [re.compile(source)]})
    prefilter = secrets_prefilter.combined_pattern([detector(), ShoutedTokenDetector()])
    assert (not prefilter.unfiltered) is merges
    assert prefilter.pattern is not None


def test_plugins_the_pre_filter_cannot_merge_find_what_detect_secrets_finds(tmp_path: Path) -> None:
    """The gate's scan with extra plugins (one with inline flags, one unmergeable, one unknown) finds
    exactly what detect-secrets' own loop finds with the same plugins, on lines only they report."""
    from detect_secrets.__version__ import VERSION

    plugin_file = Path(prefilter_plugins.__file__)
    lines = [
        "x = 'ACME_TOK_0123456789AB'",
        "y = rep-rep-abcdef012345",
        "z = marked:Tq8Wk2",
        "nothing to see",
        'password = "Xk29vLq7Tm3B"',
    ]
    (tmp_path / "a.txt").write_text("\n".join(lines * 3) + "\n")
    names = [str(tmp_path / "a.txt")]
    engine = load_engine(tmp_path, None)
    extra = [
        {"name": name, "path": f"file://{plugin_file}"}
        for name in ("LineReader", "ShoutedTokenDetector", "RepeatedTokenDetector")
    ]
    engine = engine._replace(
        settings={**engine.settings, "plugins_used": [*engine.settings["plugins_used"], *extra]}
    )
    ours = scan_files(tmp_path, names, engine, None)
    theirs = scan_files(tmp_path, names, engine._replace(version="0.0"), None)  # detect-secrets' own loop
    assert VERSION != "0.0" and ours == theirs
    assert {s.type for s in ours} >= {"Anything Marked", "Shouted Token", "Repeated Token", "Secret Keyword"}


@pytest.mark.parametrize(
    ("version", "supported"),
    [
        ("1.5.0", True),
        ("1.5.1", True),
        ("1.5", True),
        ("1.4.0", False),
        ("1.6.0", False),
        ("1.50.0", False),
        ("2.0.0", False),
        ("15.0", False),
    ],
)
def test_the_pre_filter_runs_only_on_the_detect_secrets_release_it_was_verified_against(
    version: str, supported: bool
) -> None:
    assert secrets_prefilter.supported(version) is supported


def test_the_installed_detect_secrets_and_the_dependency_bound_are_the_verified_release() -> None:
    """The tests above compare the pre-filter with detect-secrets itself: they must run with it on."""
    from detect_secrets.__version__ import VERSION

    assert secrets_prefilter.supported(VERSION)
    major, minor = secrets_prefilter.VERIFIED.split(".")
    project = read_toml(Path(__file__).parent.parent / "pyproject.toml")["project"]
    assert f"detect-secrets>={major}.{minor},<{major}.{int(minor) + 1}" in project["dependencies"]
