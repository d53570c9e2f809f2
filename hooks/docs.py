"""platform-docs: the public definitions a change adds come documented, judged on the content committed;
editing the body of an old undocumented function is not the change's fault. Docstring coverage is recorded."""

from __future__ import annotations

import ast
import concurrent.futures
import fnmatch
import functools
import gc
import hashlib
import sys
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from hooks.frame import gate
from hooks.frame.arguments import Parser
from hooks.frame.changes import ChangeSet, added_lines
from hooks.frame.context import usable_cpus
from hooks.frame.errors import GateError
from hooks.frame.git import blob_id, blob_sizes, listing, read_blobs
from hooks.frame.journal import Journal
from hooks.frame.output import plural, print_finding, size_text
from hooks.frame.paths import display_path
from hooks.frame.record import Record, Status, fingerprint
from hooks.frame.state import JsonCache, state_dir

GATE = "platform-docs"
EXCUSE = b"# platform-gates: no-docstring"
DEFAULT_EXCLUDE = (
    "tests/*", "*/tests/*", "test/*", "*/test/*",
    "test_*.py", "*/test_*.py", "*_test.py", "conftest.py", "*/conftest.py",
)  # fmt: skip
PARALLEL_MIN_BYTES = 512 * 1024  # below this, starting a worker costs more than it parses
CACHE_MAX_ENTRIES = 200_000  # past this, the cache keeps only what the run used
_TREE_MODES = ("100644", "100755")  # regular files; symlinks (120000) and submodules (160000) are not code


class DocsSettings(NamedTuple):
    fail_under: float | None = None
    max_drop: float | None = None
    exclude: Sequence[str] = DEFAULT_EXCLUDE
    extend_exclude: Sequence[str] = ()
    compare_with: str | None = None
    max_file_size_kib: int = 1024
    cache: bool = True


class Definition(NamedTuple):
    """A `def` or `class` of a module; `reason` says why it is not counted ("" when it is)."""

    line: int  # of the `def`/`class` keyword (decorators sit above it)
    end: int  # the last line of its signature
    kind: str  # "function", "method" or "class"
    name: str  # qualified: `Store.save`
    documented: bool
    reason: str


class FileSurvey(NamedTuple):
    """What one module holds, in the form the cache keeps: counts, and the undocumented counted definitions
    (the only ones a change can be blamed for)."""

    documented: int
    total: int  # counted public definitions
    excused: int
    undocumented: tuple[tuple[int, int, str, str], ...]  # (line, end, kind, name)
    size: int  # bytes
    skipped: str = ""  # why it could not be read as Python ("" when it was)


def definitions(source: bytes) -> list[Definition]:
    """Every `def` and `class` of `source`, with the reason each one is not counted; SyntaxError, ValueError
    (null bytes), RecursionError or MemoryError when it is not Python that can be parsed."""
    tree = ast.parse(source)  # bytes: a PEP 263 coding line and a BOM are honoured
    found: list[Definition] = []
    _collect(tree.body, (), None, _exported(tree), found)
    if EXCUSE in source:
        lines = source.splitlines()
        found = [
            d._replace(reason="excused")
            if not d.reason
            and not d.documented
            and any(EXCUSE in lines[n - 1] for n in range(d.line, d.end + 1))
            else d
            for d in found
        ]
    return found


# Kinds of scope a definition sits in: the module, a class (documented or not), a function.
_IN_FUNCTION = "function"


def _collect(
    body: list[ast.stmt],
    scope: tuple[str, ...],
    parent: str | None,  # None at module level, else "class", "documented class" or _IN_FUNCTION
    exported: frozenset[str] | None,
    found: list[Definition],
) -> None:
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            documented = _has_docstring(node)
            is_class = isinstance(node, ast.ClassDef)
            reason = _not_counted(node, scope, parent, exported)
            kind = "class" if is_class else ("method" if parent and parent != _IN_FUNCTION else "function")
            end = _signature_end(node) if not reason and not documented else node.lineno
            found.append(
                Definition(node.lineno, end, kind, ".".join((*scope, node.name)), documented, reason)
            )
            inner = _IN_FUNCTION if not is_class or parent == _IN_FUNCTION else "class"
            if inner == "class" and documented:
                inner = "documented class"
            _collect(node.body, (*scope, node.name), inner, exported, found)
        else:  # definitions inside `if`, `try`, `with`, `for`, `match` blocks belong to the enclosing scope
            for block in _blocks(node):
                _collect(block, scope, parent, exported, found)


def _blocks(node: ast.stmt) -> Iterable[list[ast.stmt]]:
    for name in ("body", "orelse", "finalbody"):
        block = getattr(node, name, None)
        if isinstance(block, list):
            yield block
    for handler in getattr(node, "handlers", ()):
        yield handler.body
    for case in getattr(node, "cases", ()):
        yield case.body


def _not_counted(
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
    scope: tuple[str, ...],
    parent: str | None,
    exported: frozenset[str] | None,
) -> str:
    name = node.name
    if parent == _IN_FUNCTION:
        return "nested"
    if any(part.startswith("_") for part in scope):
        return "private scope"
    if name.startswith("__") and name.endswith("__"):
        if name != "__init__" or parent is None:
            return "dunder"
        return "__init__ of a documented class" if parent == "documented class" else ""
    if name.startswith("_"):
        return "private"
    decorators = {_decorator_name(d) for d in node.decorator_list}
    for decorator in ("overload", "setter", "deleter", "override"):
        if decorator in decorators:
            return f"@{decorator}"
    if parent is None and exported is not None and name not in exported:
        return "not in __all__"
    return ""


def _decorator_name(decorator: ast.expr) -> str:
    """`overload`, `typing.overload` → overload; `@x.setter` → setter; a call's name is not one of ours."""
    if isinstance(decorator, ast.Name):
        return decorator.id
    if isinstance(decorator, ast.Attribute):
        return decorator.attr
    return ""


def _has_docstring(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> bool:
    """A non-blank string literal as the first statement (as `ast.get_docstring` finds it)."""
    first = node.body[0] if node.body else None
    return (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
        and bool(first.value.value.strip())
    )


def _signature_end(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> int:
    """The last line of the name, parameters, bases and return annotation: a change there is a new API."""
    parts: list[ast.AST | None]
    if isinstance(node, ast.ClassDef):
        parts = [*node.bases, *node.keywords]
    else:
        args = node.args
        parts = [*args.posonlyargs, *args.args, *args.kwonlyargs, *args.defaults, *args.kw_defaults]
        parts += [args.vararg, args.kwarg, node.returns]
    parts += getattr(node, "type_params", [])  # Python 3.12's `def f[T]()`
    return max([node.lineno, *(getattr(part, "end_lineno", None) or 0 for part in parts if part is not None)])


def _exported(tree: ast.Module) -> frozenset[str] | None:
    """The names of a literal module-level `__all__` (assigned, extended, appended); None when the module
    has none, or builds it in a way only running it would tell."""
    names: set[str] = set()
    defined = False
    for node in tree.body:
        value: ast.expr | None
        if (isinstance(node, ast.Assign) and any(_is_all(target) for target in node.targets)) or (
            isinstance(node, (ast.AnnAssign, ast.AugAssign)) and _is_all(node.target)
        ):
            value = node.value
        elif (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and _is_all(node.value.func.value)
            and node.value.func.attr in ("append", "extend")
        ):
            value = node.value.args[0] if node.value.args else None
        else:
            continue
        literal = _strings(value)
        if literal is None:
            return None
        names |= literal
        defined = True
    return frozenset(names) if defined else None


def _is_all(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "__all__"


def _strings(node: ast.expr | None) -> set[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = [_strings(item) for item in node.elts]
        return set().union(*items) if all(item is not None for item in items) else None  # type: ignore[arg-type]
    return None


def survey(source: bytes) -> FileSurvey:
    """One module's counts, or why it cannot be parsed (never an exception)."""
    try:
        found = definitions(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return FileSurvey(0, 0, 0, (), len(source), _unparsable(exc))
    counted = [d for d in found if not d.reason]
    return FileSurvey(
        documented=sum(d.documented for d in counted),
        total=len(counted),
        excused=sum(d.reason == "excused" for d in found),
        undocumented=tuple((d.line, d.end, d.kind, d.name) for d in counted if not d.documented),
        size=len(source),
    )


def _unparsable(exc: Exception) -> str:
    """Why Python's parser refused a file, in a line that quotes none of it."""
    message = exc.msg if isinstance(exc, SyntaxError) and exc.msg else str(exc)
    if "null bytes" in message:  # a SyntaxError since Python 3.12, a ValueError before
        return "null bytes: not Python source"
    if "utf-8" in message.lower() or "unicode error" in message:
        return "not UTF-8 and no coding declaration"
    if isinstance(exc, SyntaxError):
        return f"syntax error at line {exc.lineno}: {message}"
    return "nested too deeply for Python's parser"


def survey_all(sources: Iterable[bytes]) -> list[FileSurvey]:
    """`survey` of each. Python's SyntaxWarnings (`"\\d"` in old code) are not ours to print, and the
    collector is off: a syntax tree holds no cycles, and collections over the nodes parsing makes cost
    about a tenth of the time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [survey(source) for source in sources]
    finally:
        if collecting:
            gc.enable()


def survey_share(root: Path, blobs: Sequence[str], contents: Mapping[str, bytes]) -> list[FileSurvey]:
    """`survey_all` of the blobs, read from git unless `contents` holds them (files not staged yet)."""
    read = read_blobs(root, [blob for blob in blobs if blob not in contents])
    return survey_all(contents[blob] if blob in contents else read[blob] for blob in blobs)


def survey_spread(
    root: Path, sizes: Mapping[str, int], contents: Mapping[str, bytes]
) -> dict[str, FileSurvey]:
    """The survey of each blob in `sizes`, on every core when there is enough to parse: parsing is nearly
    all of the work and holds the interpreter lock, so only processes help. Each process reads its own
    share from git; this one takes a share too, and the files not staged yet."""
    workers = min(usable_cpus(), max(1, sum(sizes.values()) // PARALLEL_MIN_BYTES))
    shares: list[list[str]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for blob in sorted(sizes, key=lambda blob: (blob not in contents, -sizes[blob])):
        lightest = 0 if blob in contents else loads.index(min(loads))
        shares[lightest].append(blob)
        loads[lightest] += sizes[blob]
    if workers == 1:
        return dict(zip(shares[0], survey_share(root, shares[0], contents), strict=True))
    with concurrent.futures.ProcessPoolExecutor(workers - 1) as pool:
        futures = [pool.submit(survey_share, root, share, {}) for share in shares[1:]]
        found = dict(zip(shares[0], survey_share(root, shares[0], contents), strict=True))
        for share, future in zip(shares[1:], futures, strict=True):
            found |= zip(share, future.result(), strict=True)
    return found


@functools.cache
def rules_version() -> str:
    """This module's code and Python's version (its parser): what a cached survey depends on."""
    digest = hashlib.blake2b(f"{sys.version_info[:2]}".encode(), digest_size=8)
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


class SurveyCache:
    """Surveys by git blob id (a hash of the content) in the state directory, for these rules only."""

    def __init__(self, root: Path | None) -> None:
        path = state_dir(root) / "cache" / f"docs-{rules_version()}.json" if root else None
        self.entries = JsonCache(path, CACHE_MAX_ENTRIES)

    def get(self, blob: str) -> FileSurvey | None:
        entry = self.entries.get(blob)
        if entry is None:
            return None
        try:
            documented, total, excused, undocumented, size, skipped = entry
            found = tuple((int(a), int(b), str(c), str(d)) for a, b, c, d in undocumented)
            return FileSurvey(int(documented), int(total), int(excused), found, int(size), str(skipped))
        except (TypeError, ValueError):
            return None

    def put(self, blob: str, result: FileSurvey) -> None:
        self.entries.put(blob, [*result[:3], [list(item) for item in result.undocumented], *result[4:]])

    def save(self) -> None:
        self.entries.save()


class Finding(NamedTuple):
    path: str
    line: int
    kind: str
    name: str


class DocsResult(NamedTuple):
    findings: list[Finding]  # undocumented public definitions the change adds
    documented: int
    total: int
    excused: int
    files: int  # surveyed
    skipped: list[str]  # a note for each file not surveyed, with the reason
    whole_tree: bool  # every tracked .py file outside the excludes was surveyed
    fingerprint: str


def is_excluded(path: str, patterns: Iterable[str]) -> bool:
    """`fnmatch` globs, where `*` crosses `/`: `tests/*` excludes all of tests/."""
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


def check(root: Path, names: Sequence[str], settings: DocsSettings, changes: ChangeSet) -> DocsResult:
    """Survey `names` as `changes` leaves them, and find the undocumented public definitions it adds."""
    excludes = (*settings.exclude, *settings.extend_exclude)
    named = dict.fromkeys(display_path(root, name) for name in names)
    paths = [path for path in named if not is_excluded(path, excludes)]
    tip = changes.span[1] if changes.span else ""  # "" is the index
    tree = listing(root, tip)
    blobs, unstaged, skipped = locate(root, paths, tree, tip)
    surveys = survey_blobs(root, blobs, unstaged, settings)
    for path in blobs:
        reason = surveys[path].skipped
        if not reason and surveys[path].size > settings.max_file_size_kib * 1024:
            reason = f"{size_text(surveys[path].size)}, over max-file-size-kib {settings.max_file_size_kib}"
        if reason:
            skipped.append(f"{path}: skipped ({reason})")
            del surveys[path]
    blamed = sorted(path for path, result in surveys.items() if result.undocumented)
    added = added_lines(root, changes, blamed) if blamed else {}
    findings = [
        Finding(path, line, kind, name)
        for path in blamed
        for line, end, kind, name in surveys[path].undocumented
        if not added.get(path, set()).isdisjoint(range(line, end + 1))
    ]
    checked = set(paths)
    whole = bool(checked) and all(
        path in checked or not path.endswith(".py") or is_excluded(path, excludes) for path in tree
    )
    return DocsResult(
        findings,
        sum(result.documented for result in surveys.values()),
        sum(result.total for result in surveys.values()),
        sum(result.excused for result in surveys.values()),
        len(surveys),
        skipped,
        whole,
        fingerprint(sorted(f"{path}:{blob}" for path, blob in blobs.items())),
    )


def locate(
    root: Path, paths: Sequence[str], tree: Mapping[str, tuple[str, str]], tip: str
) -> tuple[dict[str, str], dict[str, bytes], list[str]]:
    """Each path's blob id at `tip`; the content of the files the index does not hold yet (a direct run
    on a new file), by blob id; and a note for each path that is not a regular file there."""
    blobs: dict[str, str] = {}
    unstaged: dict[str, bytes] = {}
    skipped: list[str] = []
    for path in paths:
        mode, blob = tree.get(path, ("", ""))
        if mode in _TREE_MODES:
            blobs[path] = blob
        elif mode:
            skipped.append(f"{path}: skipped ({_MODE_NAMES.get(mode, 'not a regular file')})")
        elif tip:
            skipped.append(f"{path}: skipped (not in {tip})")
        else:
            try:
                data = (root / path).read_bytes()
            except OSError as exc:
                skipped.append(f"{path}: skipped (unreadable: {exc.strerror})")
                continue
            blobs[path] = blob_id(data)
            unstaged[blobs[path]] = data
    return blobs, unstaged, skipped


def survey_blobs(
    root: Path, blobs: Mapping[str, str], unstaged: Mapping[str, bytes], settings: DocsSettings
) -> dict[str, FileSurvey]:
    """The survey of each path's blob: from the cache, else parsed. A blob over the size limit is not read:
    its survey holds only the size."""
    cache = SurveyCache(root if settings.cache else None)
    found = {blob: hit for blob in set(blobs.values()) if (hit := cache.get(blob)) is not None}
    missing = {blob for blob in blobs.values() if blob not in found}
    sizes = blob_sizes(root, sorted(missing - set(unstaged))) | {
        b: len(unstaged[b]) for b in missing & set(unstaged)
    }
    limit = settings.max_file_size_kib * 1024
    parsed = survey_spread(root, {blob: size for blob, size in sizes.items() if size <= limit}, unstaged)
    for blob, result in parsed.items():
        cache.put(blob, result)
    cache.save()
    found |= parsed
    return {path: found.get(blob) or FileSurvey(0, 0, 0, (), sizes[blob]) for path, blob in blobs.items()}


_MODE_NAMES = {"120000": "symlink", "160000": "submodule", "unmerged": "unmerged: resolve the conflict"}


def percent(documented: int, total: int) -> float | None:
    return round(100.0 * documented / total, 2) if total else None


class DocsTally(NamedTuple):
    """What a docs call counted; `earlier + now` adds the calls of one pre-commit run."""

    documented: int
    total: int
    added: int  # undocumented public definitions the change adds
    files: int
    tree: bool  # the figure is the whole tree's (the only figure max-drop compares)
    trend: str = ""  # `(+0.4 since 2026-11-24 abc1234)`: whole-tree figures only
    notes: str = ""  # where the additions are, files skipped, definitions excused

    # A tuple's `+` concatenates; a tally's adds up what the calls counted.
    def __add__(self, other: DocsTally) -> DocsTally:  # type: ignore[override]
        return DocsTally(
            self.documented + other.documented,
            self.total + other.total,
            self.added + other.added,
            self.files + other.files,
            False,  # each call saw part of the files: neither saw the whole tree
            "",
            other.notes,
        )

    @classmethod
    def from_record(cls, record: Record) -> DocsTally:
        count = functools.partial(gate.metric_count, record)
        return cls(count("documented"), count("definitions"), count("findings"), record.files, False)

    @property
    def counts(self) -> Mapping[str, int]:
        return {"undocumented": self.added} if self.added else {}

    @property
    def metrics(self) -> Mapping[str, float | str]:
        figures: dict[str, float | str] = {"documented": self.documented, "definitions": self.total}
        shown = percent(self.documented, self.total)
        if shown is not None:
            figures["documented_percent"] = shown
        return figures | {"scope": "tree" if self.tree else "files"}

    @property
    def findings(self) -> int:
        return self.added

    def summary(self) -> str:
        shown = percent(self.documented, self.total)
        figure = f"{shown:.1f}%" if shown is not None else "n/a"
        scope = "the whole tree" if self.tree else plural(self.files, "file")
        text = f"documented {self.documented}/{self.total} = {figure} in {scope}"
        text += f" {self.trend}" if self.trend else ""
        text += f"; {plural(self.added, 'undocumented public definition')} added"
        return text + (f" {self.notes}" if self.notes else "")


def judge_thresholds(
    tally: DocsTally, settings: DocsSettings, previous: tuple[float, str] | None
) -> tuple[list[str], str]:
    """The threshold problems, and what the summary says about the trend (`(+0.4 since ...)`)."""
    problems: list[str] = []
    shown = percent(tally.documented, tally.total)
    if shown is None:
        return problems, ""
    if settings.fail_under is not None and shown < settings.fail_under:
        problems.append(f"documented {shown:g}% is under fail-under {settings.fail_under:g}%")
    if not tally.tree:
        return problems, ""
    limit = f", max drop {settings.max_drop:g}" if settings.max_drop is not None else ""
    if previous is None:
        return problems, f"(first whole-tree figure{limit})"
    before, since = previous
    delta = round(shown - before, 2)
    if settings.max_drop is not None and -delta > settings.max_drop:
        problems.append(
            f"documented coverage dropped {-delta:g} points since {since} (max-drop {settings.max_drop:g})"
        )
    return problems, f"({delta:+.1f} since {since}{limit})"


def previous_figure(run: gate.GateRun) -> tuple[float, str] | None:
    """The last whole-tree figure recorded by another run (a figure of some files says nothing of a trend)."""
    for record in Journal(run.root, run.log.rel).records_from_end():
        if (
            record.gate == GATE
            and record.metrics.get("scope") == "tree"
            and "documented_percent" in record.metrics
            and record.run_id != run.context.run_id
        ):
            return float(record.metrics["documented_percent"]), f"{record.time[:10]} {record.short_commit}"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog=GATE, description=__doc__)
    parser.add_argument("filenames", nargs="*", help="Python files to judge (pre-commit passes them)")
    parser.add_argument(
        "--fail-under", type=float, help="documented %% of the checked files must be at least this"
    )
    parser.add_argument(
        "--max-drop", type=float, help="points the whole tree's figure may fall since the last one"
    )
    parser.add_argument("--compare-with", metavar="REF", help="judge the definitions REF...HEAD adds (CI)")
    parser.add_argument("--no-cache", action="store_true", help="parse every file again")
    args = parser.parse_hook_args(argv)
    run = None
    try:
        run = gate.start(GATE)
        _ = run.log  # found now: a bad log setting stops the gate before it judges
        settings = run.config.gate("docs", DocsSettings)
        overrides = {k: v for k, v in vars(args).items() if k in DocsSettings._fields and v is not None}
        settings = settings._replace(**overrides)
        if args.no_cache:
            settings = settings._replace(cache=False)
        changes = ChangeSet.for_run(run.root, run.context, settings.compare_with, run.config.core().base)
        result = check(run.root, args.filenames, settings, changes)
        tally = DocsTally(
            result.documented, result.total, len(result.findings), result.files, result.whole_tree
        )
        problems, trend = judge_thresholds(
            tally, settings, previous_figure(run) if result.whole_tree else None
        )
    except GateError as exc:
        return gate.fail(GATE, exc, run)
    for finding in result.findings:
        print_finding(finding.path, finding.line, None, finding.kind, f"'{finding.name}' has no docstring")
    for note in result.skipped:
        print(note)
    for problem in problems:
        print(problem)
    notes = [f"in {changes.description}"] if result.findings else []
    notes += [f"({plural(len(result.skipped), 'file')} skipped)"] if result.skipped else []
    notes += [f"({result.excused} excused)"] if result.excused else []
    record = run.record_tally(
        Status.FAIL if result.findings or problems else Status.PASS,
        tally._replace(trend=trend, notes=" ".join(notes)),
        threshold=_threshold(settings),
        tools={"python": ".".join(map(str, sys.version_info[:3]))},
        fingerprint=result.fingerprint,
    )
    return gate.finish(run, record)


def _threshold(settings: DocsSettings) -> str:
    parts = ["added public definitions documented"]
    parts += [f"fail-under {settings.fail_under:g}%"] if settings.fail_under is not None else []
    parts += [f"max-drop {settings.max_drop:g}"] if settings.max_drop is not None else []
    return ", ".join(parts)


if __name__ == "__main__":
    raise SystemExit(main())
