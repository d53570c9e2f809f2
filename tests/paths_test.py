from __future__ import annotations

from pathlib import Path

import pytest

from hooks.frame.errors import GateError
from hooks.frame.paths import display_path, inside_repo, setting_path


def test_a_path_shows_relative_to_the_repository_and_as_given_outside_it(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    assert display_path(root, root / "pkg" / "mod.py") == "pkg/mod.py"
    assert display_path(root, tmp_path / "other.py") == (tmp_path / "other.py").as_posix()


def test_a_setting_names_a_path_against_the_root_unless_absolute(tmp_path: Path) -> None:
    assert setting_path(tmp_path, "ci/lint.json") == tmp_path / "ci" / "lint.json"
    assert setting_path(tmp_path, "/etc/baseline.json") == Path("/etc/baseline.json")


def test_a_symlink_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "secret.md").write_text("outside")
    (root / "log.md").symlink_to(tmp_path / "secret.md")
    (root / "inside.md").write_text("inside")
    assert inside_repo(root, root / "inside.md") == (root / "inside.md").resolve()
    with pytest.raises(GateError, match="outside the repository"):
        inside_repo(root, root / "log.md")
