"""The detect-secrets engine, in-process: its plugins, filters and baseline, over the cores, cached.
Results carry type, line and hash only; nothing here formats a value, a source line or a scan error."""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from hooks.adapters import secrets_prefilter
from hooks.frame.context import usable_cpus
from hooks.frame.errors import GateError
from hooks.frame.paths import display_path
from hooks.frame.state import JsonCache

PLUGINS_FILE = Path(__file__).with_name("secret_plugins.py")
EXTRA_PLUGINS = (
    "ConfigCredentialDetector",
    "ConnectionStringPasswordDetector",
    "EnvCredentialDetector",
    "GitHubFineGrainedTokenDetector",
    "GoogleApiKeyDetector",
    "NetrcPasswordDetector",
    "NpmrcAuthDetector",
    "PgpassPasswordDetector",
    "PrivateKeyFileDetector",
    "XmlConfigCredentialDetector",
)
EXTRA_FILTERS = tuple(
    f"hooks.adapters.secret_filters.{name}"
    for name in (
        "is_digest",
        "is_integrity_or_data_uri",
        "is_pinned_revision",
        "is_placeholder",
        "is_policy_text",
    )
)
# What decides the findings besides detect-secrets: a change to any of these renews the cache.
OUR_CODE = (
    PLUGINS_FILE,
    PLUGINS_FILE.with_name("secret_filters.py"),
    PLUGINS_FILE.with_name("secrets_prefilter.py"),
)
FILES_PER_WORKER_MIN = 16


class Secret(NamedTuple):
    path: str
    line: int
    type: str
    hash: str  # detect-secrets' SHA-1 of the value

    @property
    def short_hash(self) -> str:
        return self.hash[:8]

    @property
    def lines(self) -> frozenset[int]:
        return frozenset((self.line,))


class Engine(NamedTuple):
    """What decides the findings: detect-secrets' version, the plugin and filter settings, the baseline."""

    settings: Mapping[str, Any]  # detect-secrets' own settings JSON (plugins_used, filters_used)
    baseline: frozenset[tuple[str, str, str]]  # (path, hash, type) of accepted secrets
    version: str

    @property
    def cache_key(self) -> str:
        # Our own plugins and filters decide findings too: upgrading them in place renews the cache.
        ours = hashlib.sha256(b"".join(path.read_bytes() for path in OUR_CODE)).hexdigest()
        text = json.dumps({"settings": self.settings, "version": self.version, "ours": ours}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @property
    def prefilter(self) -> bool:
        """Whether the scan runs through our pre-filter: only on a detect-secrets it was verified against."""
        return secrets_prefilter.supported(self.version)


def load_engine(root: Path, baseline_path: Path | None) -> Engine:
    """detect-secrets' settings: the baseline's when there is one (as its own hook does), else defaults."""
    from detect_secrets.__version__ import VERSION
    from detect_secrets.core import baseline as ds_baseline
    from detect_secrets.settings import default_settings, get_settings, transient_settings

    accepted: frozenset[tuple[str, str, str]] = frozenset()
    if baseline_path is not None:
        rel = display_path(root, baseline_path)
        try:
            data = _without_ours(json.loads(baseline_path.read_text(encoding="utf-8")))
            with transient_settings(data):
                collection = ds_baseline.load(data, str(baseline_path))
                settings = get_settings().json()
            accepted = frozenset((s.filename, s.secret_hash, s.type) for _, s in collection)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise GateError(f"{rel} is not a detect-secrets baseline ({type(exc).__name__})") from None
    else:
        with default_settings():
            settings = get_settings().json()
    settings = _without_ours(settings)
    plugins = settings["plugins_used"] + [
        {"name": name, "path": f"file://{PLUGINS_FILE}"} for name in EXTRA_PLUGINS
    ]
    filters = settings["filters_used"] + [{"path": path} for path in EXTRA_FILTERS]
    return Engine({**settings, "plugins_used": plugins, "filters_used": filters}, accepted, VERSION)


def _without_ours(settings: dict[str, Any]) -> dict[str, Any]:
    """Settings without our plugins and filters: a baseline made with them (by `detect-secrets scan
    --plugin`, on another machine's path) gets this installation's, as one made without them does."""
    if not isinstance(settings, dict):
        raise TypeError("not an object")
    return {
        **settings,
        "plugins_used": [p for p in settings.get("plugins_used", []) if p.get("name") not in EXTRA_PLUGINS],
        "filters_used": [
            f for f in settings.get("filters_used", []) if not str(f.get("path", "")).startswith(_OUR_FILTERS)
        ],
    }


_OUR_FILTERS = ("hooks.adapters.secret_filters.", "hooks.adapters.secret_plugins.")


@contextmanager
def _configured(engine: Engine) -> Iterator[None]:
    from detect_secrets.settings import transient_settings

    with transient_settings(dict(engine.settings)):
        _forget_plugin_classes()
        secrets_prefilter.install(engine.version)
        yield
    _forget_plugin_classes()


def _forget_plugin_classes() -> None:
    # detect-secrets caches the plugin classes it knows and its cache_bust() leaves that cache alone,
    # so plugins loaded by file path appear only once it is cleared.
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.settings import get_plugins

    get_mapping_from_secret_type_to_class.cache_clear()
    get_plugins.cache_clear()


def scan_files(root: Path, files: Sequence[str], engine: Engine, cache_dir: Path | None) -> list[Secret]:
    """Every secret detect-secrets (plus our plugins) finds in `files`, minus those in the baseline.

    `files` are paths as the hook got them (relative to the working directory, as detect-secrets'
    filters expect); the secrets carry repo-relative paths.
    """
    cache = _Cache(cache_dir, engine) if cache_dir else None
    found: dict[str, list[Secret]] = {}
    todo: list[tuple[str, str]] = []  # (path, content key)
    for name in files:
        key = _content_key(Path(name), display_path(root, name))
        hit = cache.get(key) if cache else None
        if hit is not None:
            found[name] = [Secret(display_path(root, name), line, kind, digest) for line, kind, digest in hit]
        else:
            todo.append((name, key))
    for (name, key), secrets in zip(todo, _scan_all(root, [name for name, _ in todo], engine), strict=True):
        found[name] = secrets
        if cache:
            cache.put(key, [(s.line, s.type, s.hash) for s in secrets])
    if cache:
        cache.save()
    # A value the baseline accepts in a file is accepted whatever type reports it now: with our plugins
    # detect-secrets may name a listed line otherwise (it reads a file a second way only if the first
    # finds nothing), and a baseline made before them lists their values under detect-secrets' types.
    accepted = {(path, digest) for path, digest, _ in engine.baseline}
    return [secret for name in files for secret in found[name] if (secret.path, secret.hash) not in accepted]


def _content_key(path: Path, name: str) -> str:
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape") + b"\0")
    with path.open("rb") as f:
        digest.update(hashlib.file_digest(f, "sha256").digest())
    return digest.hexdigest()


def _scan_all(root: Path, names: list[str], engine: Engine) -> list[list[Secret]]:
    workers = max(1, min(usable_cpus(), len(names) // FILES_PER_WORKER_MIN))
    if workers == 1:
        with _configured(engine):
            return [_scan_one(root, name) for name in names]
    chunks = [names[index::workers] for index in range(workers)]
    with concurrent.futures.ProcessPoolExecutor(
        workers, initializer=_init_worker, initargs=(engine,)
    ) as pool:
        results = list(pool.map(_scan_chunk, [root] * workers, chunks))
    by_name = {
        name: secrets
        for chunk, result in zip(chunks, results, strict=True)
        for name, secrets in zip(chunk, result, strict=True)
    }
    return [by_name[name] for name in names]


def _init_worker(engine: Engine) -> None:
    from detect_secrets.settings import configure_settings_from_baseline

    configure_settings_from_baseline(dict(engine.settings))
    _forget_plugin_classes()
    secrets_prefilter.install(engine.version)


def _scan_chunk(root: Path, names: list[str]) -> list[list[Secret]]:
    return [_scan_one(root, name) for name in names]


def _scan_one(root: Path, name: str) -> list[Secret]:
    from detect_secrets.core.scan import scan_file

    try:
        secrets = {(s.line_number, s.type, s.secret_hash) for s in scan_file(name)}
    except Exception as exc:  # a scan error must not carry the line it choked on
        raise GateError(f"detect-secrets failed on {name} ({type(exc).__name__})") from None
    path = display_path(root, name)
    return [Secret(path, line, kind, digest) for line, kind, digest in sorted(secrets)]


class _Cache:
    """Per-file results (line, type, hash: never a value) keyed by content, settings and version."""

    def __init__(self, directory: Path, engine: Engine) -> None:
        self.entries = JsonCache(directory / f"secrets-{engine.cache_key}.json")

    def get(self, key: str) -> list[tuple[int, str, str]] | None:
        entry = self.entries.get(key)
        try:
            return None if entry is None else [(int(a), str(b), str(c)) for a, b, c in entry]
        except (TypeError, ValueError):
            return None

    def put(self, key: str, secrets: list[tuple[int, str, str]]) -> None:
        self.entries.put(key, [list(secret) for secret in secrets])

    def save(self) -> None:
        self.entries.save()
