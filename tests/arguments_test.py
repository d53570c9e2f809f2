from __future__ import annotations

from pathlib import Path

import pytest

from hooks.frame.arguments import Parser


def hook_parser() -> Parser:
    parser = Parser(prog="platform-demo")
    parser.add_argument("filenames", nargs="*")
    parser.add_argument("--strict", action="store_true")
    return parser


def test_a_file_named_like_an_option_is_a_file(repo: Path) -> None:
    (repo / "-notes.py").write_text("x = 1\n")
    args = hook_parser().parse_hook_args(["--strict", "a.py", "-notes.py", "b.py"])
    assert args.strict
    assert sorted(args.filenames) == ["-notes.py", "a.py", "b.py"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--bogus", "a.py"], "unrecognized arguments: --bogus; platform-demo takes --strict"),
        (["-missing.py"], "unrecognized arguments: -missing.py; platform-demo takes --strict"),
        (["--strict=yes"], "argument --strict: ignored explicit argument 'yes'"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    repo: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        hook_parser().parse_hook_args(argv)
    assert exit_.value.code == 2
    assert capsys.readouterr().err == f"platform-demo: ERROR - {message} (see platform-demo --help)\n"


def test_a_bandit_argument_the_lint_gate_does_not_take_names_what_it_takes(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hooks.lint import main

    with pytest.raises(SystemExit) as exit_:
        main(["--ini", ".bandit", "a.py"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == (
        "platform-lint: ERROR - unrecognized arguments: --ini; platform-lint takes --max-complexity, "
        "--no-format, --baseline, --scope, --config (see platform-lint --help)\n"
    )
