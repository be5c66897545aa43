"""Command-line mistakes through the kl21rules script (cli.main): said in Vietnamese by default,
in English with --lang en or KL21RULES_LANG=en; exit code 2, never a traceback."""

from __future__ import annotations

import pytest

from kl21rules import cli

CASES = [
    (["check", "--foo", "x"], "Lỗi: Không có tùy chọn --foo.", "No such option: --foo"),
    (["check", "--fromat", "json", "x"], "Lỗi: Không có tùy chọn --fromat. Có phải là --format", "--fromat"),
    (["check"], "Lỗi: Thiếu đối số PATHS.", "Missing argument"),
    (["chek", "x"], "Lỗi: Không có lệnh 'chek'. Có phải là 'check'", "No such command 'chek'"),
    (["check", "x", "--jobs", "abc"], "Lỗi: Giá trị không hợp lệ cho --jobs", "--jobs"),
    (["check", "x", "--as-of"], "Lỗi: Tùy chọn --as-of cần một giá trị.", "requires an argument"),
]


def _main(argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    monkeypatch.setattr("sys.argv", ["kl21rules", *argv])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    return int(exit_info.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize(("argv", "vi", "en"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_usage_errors_in_the_users_language(argv: list[str], vi: str, en: str, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str], tmp_path: object) -> None:
    monkeypatch.delenv("KL21RULES_LANG", raising=False)
    monkeypatch.chdir(str(tmp_path))
    code, err = _main(argv, monkeypatch, capsys)
    assert code == 2 and vi in err and "Traceback" not in err
    assert "Error:" not in err and "Usage:" not in err and "No such" not in err
    monkeypatch.setenv("KL21RULES_LANG", "en")
    code, err = _main(argv, monkeypatch, capsys)
    assert code == 2 and en in err and "Lỗi:" not in err


def test_a_run_still_exits_with_its_code(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                         tmp_path: object) -> None:
    monkeypatch.chdir(str(tmp_path))
    code, _ = _main(["check", "no-such-file.yaml", "-q"], monkeypatch, capsys)
    assert code == 2
    code, _ = _main(["rules"], monkeypatch, capsys)
    assert code == 0


def test_lang_on_the_command_line_is_read_even_when_it_cannot_be_parsed(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: object) -> None:
    monkeypatch.delenv("KL21RULES_LANG", raising=False)
    monkeypatch.chdir(str(tmp_path))
    code, err = _main(["check", "x", "--lang", "en", "--foo"], monkeypatch, capsys)
    assert code == 2 and "No such option: --foo" in err
