"""The added plugins and filters, through the real gate (`platform-secrets`) on real files."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hooks.adapters.secrets_engine import PLUGINS_FILE
from tests.credentials_corpus import LOOK_ALIKES, PLANTED, PNG_PAYLOAD, Planted, plant
from tests.util import BIN, PROJECT, add_platform_mode, commit, detect_secrets_scan, git, write

TYPE_OF = {
    "netrc": "Netrc Password",
    "connection string": "Connection String Password",
    "xml config": "XML Config Credential",
    "config file": "Config File Credential",
    "pgpass": "Pgpass Password",
    "npmrc": "Npmrc Auth",
    "env": "Env File Credential",
    "private key": "Private Key File",
}
OUR_TYPES = set(TYPE_OF.values())


def gate(root: Path, *args: str) -> tuple[int, set[tuple[str, int, str]], str]:
    """Run the installed hook; its exit code, (path, line, type) of each finding, and all it printed."""
    done = subprocess.run(
        [str(BIN / "platform-secrets"), "--all-lines", "--no-cache", *args],
        cwd=root,
        capture_output=True,
        text=True,
    )
    found = set()
    for line in done.stdout.splitlines():
        if " (hash " in line and not line.startswith("platform-secrets:"):
            where, kind = line.split(": ", 1)
            path, number = where.rsplit(":", 1)
            found.add((path, int(number), kind.split(" (hash ")[0]))
    return done.returncode, found, done.stdout + done.stderr


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, set[tuple[str, int, str]], str]]:
    """The planted credentials and the look-alikes in one repository, scanned once by the gate."""
    root = tmp_path_factory.mktemp("corpus")
    git(root, "init", "-q", "-b", "main")
    plant(root, PLANTED + LOOK_ALIKES)
    code, found, printed = gate(root, *sorted({item.path for item in PLANTED + LOOK_ALIKES}))
    assert code == 1
    yield root, found, printed


@pytest.mark.parametrize("item", PLANTED, ids=[item.path for item in PLANTED])
def test_each_plugin_finds_its_credential_in_its_file_type_and_names_the_type(
    corpus: tuple[Path, set[tuple[str, int, str]], str], item: Planted
) -> None:
    _, found, _ = corpus
    assert (item.path, TYPE_OF[item.kind]) in {(path, kind) for path, _, kind in found}


@pytest.mark.parametrize("item", LOOK_ALIKES, ids=[item.path for item in LOOK_ALIKES])
def test_a_look_alike_raises_no_finding(
    corpus: tuple[Path, set[tuple[str, int, str]], str], item: Planted
) -> None:
    _, found, _ = corpus
    assert not [f for f in found if f[0] == item.path]


def test_no_planted_value_is_printed(corpus: tuple[Path, set[tuple[str, int, str]], str]) -> None:
    _, _, printed = corpus
    for item in PLANTED:
        if not item.value.startswith(("BEGIN", "PuTTY")):  # a header is no value
            assert item.value[:8] not in printed and item.value[-8:] not in printed, item.path


def recall_and_false_alarms(found: set[tuple[str, int, str]]) -> tuple[float, float]:
    """Share of planted credentials reported in their file, share of look-alike files with a finding."""
    paths = {path for path, _, _ in found}
    recall = sum(item.path in paths for item in PLANTED) / len(PLANTED)
    return recall, sum(item.path in paths for item in LOOK_ALIKES) / len(LOOK_ALIKES)


def test_the_gate_reaches_the_recall_and_precision_bar_where_detect_secrets_defaults_do_not(
    corpus: tuple[Path, set[tuple[str, int, str]], str],
) -> None:
    root, found, _ = corpus
    assert len(PLANTED) >= 40 and len(LOOK_ALIKES) >= 20
    recall, false_alarms = recall_and_false_alarms(found)
    assert recall >= 0.95 and false_alarms <= 1 / 20
    names = sorted({item.path for item in PLANTED + LOOK_ALIKES})
    default_recall, default_false_alarms = recall_and_false_alarms(detect_secrets_scan(root, names))
    assert default_recall < 0.95 and default_false_alarms > 1 / 20


def test_detect_secrets_with_our_plugins_and_filters_finds_what_the_gate_finds(
    corpus: tuple[Path, set[tuple[str, int, str]], str],
) -> None:
    """Plugins and filters go through detect-secrets' own extension points: its CLI loads them too."""
    root, found, _ = corpus
    names = sorted({item.path for item in PLANTED + LOOK_ALIKES})
    assert detect_secrets_scan(root, names, ours=True) == found


ORDINARY = {
    "app/login.py": (
        "import os\n\n\ndef login(user: str, password: str) -> bool:\n"
        '    """Check the password; the token comes from the environment."""\n'
        '    token = os.environ["API_TOKEN"]\n    auth = {"user": user, "password": password}\n'
        "    return bool(token and auth)\n"
    ),
    "docs/auth.md": (
        "# Signing in\n\nThe machine asks for a password once. Set the password in your netrc file,\n"
        "or pass a connection string such as `Server=host;User Id=me;Password=<secret>` to the tool.\n"
        "Your .pgpass file holds host:port:database:user:password lines.\n"
    ),
    "web/login.html": (
        '<form method="post">\n  <label for="password">Password</label>\n'
        '  <input type="password" name="password" autocomplete="current-password">\n'
        '  <input type="hidden" name="token" value="{{ csrf_token }}">\n</form>\n'
    ),
}


def test_no_added_plugin_fires_on_ordinary_python_markdown_or_html(repo: Path) -> None:
    for name, text in ORDINARY.items():
        write(repo / name, text)
    sources = [*sorted((PROJECT / "hooks").rglob("*.py")), PROJECT / "README.md"]
    for source in sources:  # our own code and README: real Python and Markdown about secrets
        write(repo / "own" / source.relative_to(PROJECT), source.read_text())
    names = [*ORDINARY, *(f"own/{s.relative_to(PROJECT).as_posix()}" for s in sources)]
    _, found, _ = gate(repo, *names)
    assert not {f for f in found if f[2] in OUR_TYPES}


def pair_files() -> dict[str, tuple[str, int]]:
    """Files that hold a false alarm of each class next to a real secret: the line of the real one."""
    return {
        "build/info.py": ('BUILD_SHA = "9f2c4e7a1b3d5f6081726354a9b8c7d6e5f40312"\nAPI_HASH_KEY = "a8f3c91e4b7d2056f1e9c3a7b5d8024e6f1a3c9b"\n', 2),
        "checksums/files.py": ('APP_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"\nsecret = "c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2"\n', 2),
        "static/page.html": ('<script integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC"></script>\n<script>const apiKey = "Zq8Wkq9PLmD3vB7nR2tY5uI8oP1aS4dF6gH0jK3l";</script>\n', 2),
        "static/icon.js": (f'const PNG = "data:image/png;base64," + "{PNG_PAYLOAD}";\nconst key = "Zq8Wkq9PLmD3vB7nR2tY5uI8oP1aS4dF6gH0jK3l";\n', 2),
        "auth/policy.py": ('password_hint = "must contain a digit"\nPASSWORD_REGEX = "^(?=.*\\\\d).{12,}$"\npassword = "Xk29vLq7Tm3B"\n', 3),
        "deploy/.env": ("DB_PASSWORD=changeme\nAPI_TOKEN=<your-token>\nSMTP_PASS=Jh6gF3dS9aPo\n", 3),
        "site/Web.config": ('<add name="A" connectionString="Server=db;User Id=x;Password={password}" />\n<add name="B" connectionString="Server=db;User Id=x;Password=Rk8vT2qLm9Qz" />\n', 2),
    }  # fmt: skip


def test_each_filter_removes_its_class_and_keeps_the_real_secret_beside_it(repo: Path) -> None:
    pairs = pair_files()
    for name, (text, _) in pairs.items():
        write(repo / name, text)
    _, found, _ = gate(repo, *pairs)
    assert {(path, line) for path, line, _ in found} == {(name, line) for name, (_, line) in pairs.items()}
    # detect-secrets' defaults report the digests, the SRI value, the data: payload and the policy text
    theirs = {(path, line) for path, line, _ in detect_secrets_scan(repo, sorted(pairs))}
    removed = {
        ("build/info.py", 1),
        ("checksums/files.py", 1),
        ("static/page.html", 1),
        ("static/icon.js", 1),
    }
    assert theirs >= removed | {("auth/policy.py", 1)}


def test_a_baseline_from_detect_secrets_scan_still_excuses_what_it_lists(repo: Path) -> None:
    add_platform_mode(repo)
    names = plant(repo, [item for item in PLANTED if item.kind in {"env", "config file"}])
    (repo / ".secrets.baseline").write_text(
        subprocess.run([str(BIN / "detect-secrets"), "scan", *names], cwd=repo, capture_output=True, text=True, check=True).stdout
    )  # fmt: skip
    commit(repo, "secrets accepted")
    listed = {path for path, _, _ in detect_secrets_scan(repo, names)}
    assert listed  # detect-secrets' defaults list some of these under their own types
    _, found, _ = gate(repo, *names)
    assert not {path for path, _, _ in found} & listed


def test_a_baseline_made_with_our_plugins_excuses_their_findings_wherever_it_was_made(repo: Path) -> None:
    names = plant(repo, [item for item in PLANTED if item.kind in {"netrc", "pgpass", "xml config"}])
    baseline = json.loads(
        subprocess.run(
            [str(BIN / "detect-secrets"), "scan", f"--plugin={PLUGINS_FILE}", *names],
            cwd=repo, capture_output=True, text=True, check=True,
        ).stdout
    )  # fmt: skip
    assert {p["name"] for p in baseline["plugins_used"]} >= {
        "NetrcPasswordDetector",
        "PgpassPasswordDetector",
    }
    for plugin in baseline["plugins_used"]:  # as if made on another machine
        if "path" in plugin:
            plugin["path"] = "file:///elsewhere/site-packages/hooks/adapters/secret_plugins.py"
    (repo / ".secrets.baseline").write_text(json.dumps(baseline))
    code, found, printed = gate(repo, *names)
    assert (code, found) == (0, set()), printed
    write(
        repo / names[0],
        (repo / names[0]).read_text() + "machine b.example.com login x password Nq4vB8zKx2Lm\n",
    )
    code, found, _ = gate(repo, *names)
    assert code == 1 and {(path, kind) for path, _, kind in found} == {(names[0], "Netrc Password")}
