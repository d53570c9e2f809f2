"""A deterministic benchmark corpus: the Python sources of pinned PyPI packages, committed to git.

    python bench/corpus.py --size large|small --out DIR [--cache DIR]

Pure-Python wheels pinned by version and sha256 are downloaded once into a cache
(`~/.cache/platform-gates-bench`), their `.py` files copied in sorted order and committed with a fixed
identity and fixed dates, so every rebuild has the same commit ids: "base" with everything, then
"change", a small edit to 10 files (the "10-file change" of the benchmarks; `changed_files(repo)`).
A DIR that already holds the same corpus is reused; the marker `.git/platform-gates-corpus` says so.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import NamedTuple

try:
    import fcntl
except ImportError:  # Windows: builds of one DIR are not serialised there
    fcntl = None  # type: ignore[assignment]


class Pin(NamedTuple):
    name: str
    version: str
    sha256: str  # of the pure-Python wheel: the same files on every machine and Python version

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version} --hash=sha256:{self.sha256}"


WHEELS = {
    pin.name: pin
    for pin in (
        Pin("bandit", "1.9.4", "f89ffa663767f5a0585ea075f01020207e966a9c0f2b9ef56a57c7963a3f6f8e"),
        Pin("coverage", "7.11.0", "4b7589765348d78fb4e5fb6ea35d07564e387da2fc5efff62e0222971f155f68"),
        Pin("detect-secrets", "1.5.0", "e24e7b9b5a35048c313e983f76c4bd09dad89f045ff059e354f9943bf45aa060"),
        Pin("diff-cover", "9.7.1", "a662f3cacf57ba494dcb0235349c4912ae7f44345b162894ce5949745501c9c7"),
        Pin("django", "5.2.8", "37e687f7bd73ddf043e2b6b97cfe02fcbb11f2dbb3adccc6a2b18c6daa054d7f"),
        Pin("identify", "2.6.15", "1181ef7608e00704db228516541eb83a88a9f94433a8c80bb9b5bd54b1d81757"),
        Pin("pip", "25.3", "9655943313a94722b7774661c21049070f6bbb0a1516bf02f7c8d5d9201514cd"),
        Pin("pre-commit", "4.3.0", "2b0747ad7e6e967169136edffee14c16e148a778a54e4f967921aa1ebf2308d8"),
        Pin("pygments", "2.19.2", "86540386c03d588bb81d44bc3928634ff26449851e99741617ecb9037ee5ec0b"),
        Pin("requests", "2.32.5", "2462f94637a34fd532264295e186976db0f5d453d1cdd31473c85a6a161affb6"),
        Pin("rich", "14.2.0", "76bc51fe2e57d2b1be1f96c524b890b816e334ab4c1e45888799bfaab0021edd"),
        Pin("setuptools", "80.9.0", "062d34222ad13e0cc312a4c02d73f059e86a4acbfbdea8f8f76b28c99f306922"),
        Pin("urllib3", "2.5.0", "e6b01673c0fa6a13e374b50871808eb3bf7046c4b125b216f6bf1cc604cff0dc"),
    )
}
SIZES = {"large": tuple(WHEELS), "small": ("requests", "urllib3")}
# What a fresh build gives (BENCHMARKS.md quotes them); a build that differs is warned about.
EXPECTED_HEAD = {
    "large": "4cc52445ce80cdc85ee7e27298480028cbb007b6",
    "small": "a71ee602f186f9d2c9d094ef885de6599c1ebc91",
}
CHANGED = 10
EDIT = b"\n\ndef _bench_change() -> int:\n    return 1\n"  # appended to each changed file
IDENTITY = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@platform-gates.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@platform-gates.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+00:00",
}
MARKER = PurePosixPath(".git/platform-gates-corpus")
DEFAULT_CACHE = Path.home() / ".cache" / "platform-gates-bench"
FORMAT = 2  # of the marker and the recipe; 1 was the plain size word


class CorpusError(Exception):
    """The corpus could not be built or reused; the message is one line."""


class Summary(NamedTuple):
    files: int
    lines: int
    bytes: int
    head: str


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` with the fixed identity and no user, system or inherited git settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(IDENTITY, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_TERMINAL_PROMPT="0")
    try:
        result = subprocess.run(
            ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=False, timeout=600
        )
    except subprocess.TimeoutExpired:
        raise CorpusError(f"git {args[0]} in {repo} took over 600 s") from None
    if result.returncode:
        reason = (result.stderr.strip().splitlines() or [f"exit {result.returncode}"])[-1]
        raise CorpusError(f"git {args[0]} in {repo}: {reason}")
    return result.stdout


def recipe(size: str) -> str:
    """A fingerprint of everything a build's commit ids depend on: another recipe, another corpus."""
    parts = {
        "format": FORMAT,
        "size": size,
        "pins": [WHEELS[name] for name in SIZES[size]],
        "changed": CHANGED,
        "edit": EDIT.decode(),
        "identity": IDENTITY,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def wheels(size: str, cache: Path) -> list[Path]:
    """The pinned wheels of `size` from the cache, downloading the missing ones (checked by sha256)."""
    pins = [WHEELS[name] for name in SIZES[size]]
    found = {pin: cached_wheel(pin, cache) for pin in pins}
    missing = [pin for pin, path in found.items() if path is None]
    if missing:
        download(missing, cache)
        found.update((pin, cached_wheel(pin, cache)) for pin in missing)
    absent = [pin.name for pin, path in found.items() if path is None]
    if absent:
        raise CorpusError(f"pip gave no wheel with the pinned sha256 for {', '.join(absent)} in {cache}")
    return [path for path in found.values() if path is not None]


def cached_wheel(pin: Pin, cache: Path) -> Path | None:
    prefix = f"{pin.name.replace('-', '_')}-{pin.version}-"
    for path in sorted(cache.glob("*.whl")):
        if path.name.lower().startswith(prefix) and sha256(path) == pin.sha256:
            return path
    return None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(pins: Sequence[Pin], cache: Path) -> None:
    """`pip download` the pure-Python wheels of `pins` (hash-checked by pip) into `cache`."""
    cache.mkdir(parents=True, exist_ok=True)
    print(f"corpus: downloading {', '.join(pin.name for pin in pins)} into {cache}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as scratch:
        requirements = Path(scratch) / "requirements.txt"
        requirements.write_text("".join(pin.requirement + "\n" for pin in pins))
        # Pure wheels only, chosen for a fixed Python whatever runs this: the same files everywhere.
        try:
            result = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                 "--platform", "any", "--implementation", "py", "--abi", "none", "--python-version", "3.11",
                 "--require-hashes", "--dest", str(cache), "--requirement", str(requirements)],
                capture_output=True, text=True, check=False, timeout=1800,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            raise CorpusError("pip download of the pinned wheels took over 30 minutes") from None
    if result.returncode:
        errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
        reason = (errors or result.stderr.strip().splitlines() or [f"exit {result.returncode}"])[-1]
        raise CorpusError(f"pip download of the pinned wheels failed: {reason}")


def extract(wheel_paths: Sequence[Path], dest: Path) -> list[str]:
    """Copy the `.py` files of the wheels into `dest`, in sorted order; returns their sorted paths."""
    written: dict[str, Path] = {}
    for wheel in sorted(wheel_paths):
        with zipfile.ZipFile(wheel) as archive:
            for name in sorted(archive.namelist()):
                path = PurePosixPath(name)
                if path.suffix != ".py" or path.parts[0].endswith((".dist-info", ".data")):  # not the package
                    continue
                if path.is_absolute() or ".." in path.parts:
                    raise CorpusError(f"{wheel.name} holds an unsafe path: {name}")
                if name in written:
                    raise CorpusError(f"{name} is in both {written[name].name} and {wheel.name}")
                target = dest.joinpath(*path.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(name))
                written[name] = wheel
    return sorted(written)


def select_changed(files: Sequence[str]) -> list[str]:
    """The files the "change" commit edits: every n-th of the sorted files, CHANGED of them."""
    ordered = sorted(files)
    step = max(1, len(ordered) // CHANGED)
    return ordered[::step][:CHANGED]


def read_marker(repo: Path) -> dict[str, object] | None:
    try:
        marker = json.loads((repo / MARKER).read_text())
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) and marker.get("format") == FORMAT else None


def reusable(dest: Path, size: str) -> bool:
    """`dest` holds this recipe's corpus, at the commit it was built with and without tracked edits."""
    marker = read_marker(dest)
    if marker is None or marker.get("recipe") != recipe(size):
        return False
    try:
        head = git(dest, "rev-parse", "HEAD").strip()
        edits = git(dest, "status", "--porcelain", "--untracked-files=no")
    except CorpusError:
        return False
    return head == marker.get("head") and not edits


def replaceable(dest: Path) -> bool:
    """Only an empty directory or an earlier corpus (any format of marker) is ever deleted."""
    if not dest.exists():
        return True
    return dest.is_dir() and (not any(dest.iterdir()) or (dest / MARKER).is_file())


@contextlib.contextmanager
def locked(dest: Path) -> Iterator[None]:
    """One build of `dest` at a time: benchmarks started together share the result."""
    if fcntl is None:
        yield
        return
    handle = os.open(dest.parent, os.O_RDONLY)  # the parent directory itself: no lock file left behind
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # releases the lock


def build(dest: Path, size: str, cache: Path) -> None:
    """Build the corpus into the fresh directory `dest`."""
    files = extract(wheels(size, cache), dest)
    git(dest, "init", "--quiet", "--initial-branch=main")
    git(dest, "add", "--all", "--force")  # --force: no ignore file of any kind may drop a file
    git(dest, "commit", "--quiet", "--no-verify", "--no-gpg-sign", "--message=base")
    base = git(dest, "rev-parse", "HEAD").strip()
    changed = select_changed(files)
    for name in changed:
        with dest.joinpath(*PurePosixPath(name).parts).open("ab") as file:
            file.write(EDIT)
    git(dest, "commit", "--quiet", "--no-verify", "--no-gpg-sign", "--all", "--message=change")
    head = git(dest, "rev-parse", "HEAD").strip()
    marker = {"format": FORMAT, "size": size, "recipe": recipe(size), "base": base, "head": head}
    (dest / MARKER).write_text(json.dumps({**marker, "changed": changed}, indent=1) + "\n")
    if head != EXPECTED_HEAD[size]:
        print(
            f"corpus: warning: HEAD {head[:12]} differs from the expected {EXPECTED_HEAD[size][:12]}: "
            "update EXPECTED_HEAD if the pins changed, else this build is not reproducible here",
            file=sys.stderr,
        )


def build_corpus(dest: Path, size: str, cache: Path | None = None) -> Path:
    """Build the `size` corpus at `dest`, or reuse the one there; returns `dest`.

    An existing `dest` is replaced only when it is empty or an earlier corpus; anything else is a
    CorpusError, like a failed download or git command.
    """
    return prepare(Path(dest), size, cache)[0]


def prepare(dest: Path, size: str, cache: Path | None = None) -> tuple[Path, bool]:
    """`build_corpus`, also telling whether it built (True) or reused what was there (False)."""
    if size not in SIZES:
        raise CorpusError(f"unknown size {size!r}: choose from {', '.join(sorted(SIZES))}")
    dest = dest.absolute()
    dest.parent.mkdir(parents=True, exist_ok=True)
    with locked(dest):
        if reusable(dest, size):
            return dest, False
        if not replaceable(dest):
            raise CorpusError(f"{dest} exists and is not a benchmark corpus ({MARKER} missing): left alone")
        staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.building-", dir=dest.parent))
        try:
            staging.chmod(0o755)
            build(staging, size, cache if cache is not None else DEFAULT_CACHE)
            if dest.exists():
                old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
                dest.rename(old)
                staging.rename(dest)
                shutil.rmtree(old)
            else:
                staging.rename(dest)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return dest, True


def corpus_files(repo: Path) -> list[str]:
    """The tracked Python files of the corpus, repo-relative POSIX paths, sorted."""
    return sorted(name for name in git(repo, "ls-files", "-z").split("\0") if name.endswith(".py"))


def changed_files(repo: Path) -> list[str]:
    """The 10 files the "change" commit (HEAD) edits, as its marker recorded them."""
    marker = read_marker(repo)
    changed = marker.get("changed") if marker is not None else None
    if isinstance(changed, list) and all(isinstance(name, str) for name in changed):
        return list(changed)
    return select_changed(corpus_files(repo))  # an older corpus: the same rule picked them


def summarize(repo: Path) -> Summary:
    files = corpus_files(repo)
    lines = size = 0
    for name in files:
        data = (repo / name).read_bytes()
        lines += data.count(b"\n")
        size += len(data)
    return Summary(len(files), lines, size, git(repo, "rev-parse", "HEAD").strip())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="large")
    parser.add_argument("--out", type=Path, required=True, help="the corpus repository to build or reuse")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="wheel cache; default %(default)s")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        repo, built = prepare(args.out, args.size, args.cache)
        figures = summarize(repo)
        changed = changed_files(repo)
    except (CorpusError, OSError) as error:
        print(f"corpus: {error}", file=sys.stderr)
        return 2
    print(
        f"{args.size} corpus {repo}: {figures.files:,} Python files, {figures.lines:,} lines, "
        f"{figures.bytes:,} bytes, HEAD {figures.head[:12]}; "
        f"{'built' if built else 'reused'} in {time.perf_counter() - started:.1f} s"
    )
    print(f"the {len(changed)} files HEAD changes (HEAD~1..HEAD):")
    print("".join(f"  {name}\n" for name in changed), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
