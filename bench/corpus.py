"""A deterministic benchmark corpus: the Python sources of pinned PyPI packages, committed to git.

    python bench/corpus.py --size large|small --out DIR

Wheels are downloaded once into a cache (`~/.cache/platform-gates-bench`), their `.py` files copied in
sorted order, and committed with a fixed identity and dates, so every rebuild has the same commit ids:
"base" with everything, then "change", a small edit to 10 files (the 10-file change of the benchmarks).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

PINS = {
    "large": (
        "django==5.2.8", "pip==25.3", "pygments==2.19.2", "setuptools==80.9.0", "rich==14.2.0",
        "bandit==1.9.4", "detect-secrets==1.5.0", "coverage==7.11.0", "pre-commit==4.3.0",
        "urllib3==2.5.0", "requests==2.32.5", "diff-cover==9.7.1", "identify==2.6.15",
    ),
    "small": ("requests==2.32.5", "urllib3==2.5.0"),
}  # fmt: skip
CHANGED = 10
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@platform-gates.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@platform-gates.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+00:00",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV, "HOME": str(repo)}  # no user config: the same commit ids everywhere
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    ).stdout


def download(pins: tuple[str, ...], cache: Path) -> list[Path]:
    cache.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
    subprocess.run([*command, "--dest", str(cache), *pins], check=True)
    wheels = []
    for pin in pins:
        name, version = pin.split("==")
        prefix = f"{name.replace('-', '_').lower()}-{version}-"
        wheels += [path for path in sorted(cache.glob("*.whl")) if path.name.lower().startswith(prefix)][:1]
    return wheels


def build_corpus(dest: Path, size: str, cache: Path | None = None) -> Path:
    """Build (or reuse) the corpus at `dest`; returns it."""
    marker = dest / ".git" / "platform-gates-corpus"
    if marker.is_file() and marker.read_text().strip() == size:
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    wheels = download(PINS[size], cache or Path.home() / ".cache/platform-gates-bench")
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for name in sorted(archive.namelist()):
                if name.endswith(".py") and ".dist-info/" not in name:
                    target = dest / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(archive.read(name))
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "--no-gpg-sign", "-m", "base")
    for path in changed_files(dest):
        with (dest / path).open("a") as f:
            f.write("\n\ndef _bench_change() -> int:\n    return 1\n")
    git(dest, "commit", "-q", "--no-gpg-sign", "-am", "change")
    marker.write_text(size + "\n")
    return dest


def changed_files(repo: Path) -> list[str]:
    """The 10 files the "change" commit edits: every n-th tracked Python file, deterministically."""
    files = sorted(name for name in git(repo, "ls-files", "-z").split("\0") if name.endswith(".py"))
    step = max(1, len(files) // CHANGED)
    return files[::step][:CHANGED]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=sorted(PINS), default="large")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cache", type=Path)
    args = parser.parse_args()
    started = time.perf_counter()
    repo = build_corpus(args.out, args.size, args.cache)
    files = [name for name in git(repo, "ls-files", "-z").split("\0") if name.endswith(".py")]
    lines = sum((repo / name).read_bytes().count(b"\n") for name in files)
    size = sum((repo / name).stat().st_size for name in files)
    head = git(repo, "rev-parse", "--short", "HEAD").strip()
    print(f"{repo}: {len(files):,} Python files, {lines:,} lines, {size / 1e6:.1f} MB, HEAD {head}, "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
