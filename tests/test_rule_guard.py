"""The guard every pack's Python rule runs under (packs._guarded): what it prints goes to standard
error, it is stopped after --rule-timeout, and the process's SIGALRM handler and standard output
are as they were afterwards, whether the rule returned, raised or ran out of time."""

from __future__ import annotations

import signal
import sys
import time
from typing import Any

import pytest

from kl21rules import packs

needs_alarm = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no SIGALRM on this platform")


def _ctx() -> Any:
    return object()


def test_prints_go_to_stderr_and_stdout_comes_back(capsys: pytest.CaptureFixture[str]) -> None:
    def judge(_ctx: Any) -> list[Any]:
        print("from the rule")
        return []

    before = sys.stdout
    assert packs._guarded("T-01", judge)(_ctx()) == []
    assert sys.stdout is before
    out, err = capsys.readouterr()
    assert "from the rule" in err and "from the rule" not in out


@needs_alarm
@pytest.mark.parametrize("how", ["returns", "raises", "runs too long"])
def test_the_alarm_handler_is_restored(how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packs, "RULE_TIMEOUT", 0.2)

    def mine(_signum: int, _frame: Any) -> None:
        pass

    def judge(_ctx: Any) -> list[Any]:
        if how == "raises":
            raise ValueError("broken")
        if how == "runs too long":
            end = time.monotonic() + 5
            while time.monotonic() < end:
                pass
        return []

    previous = signal.signal(signal.SIGALRM, mine)
    try:
        guarded = packs._guarded("T-01", judge)
        if how == "returns":
            assert guarded(_ctx()) == []
        elif how == "raises":
            with pytest.raises(ValueError):
                guarded(_ctx())
        else:
            started = time.monotonic()
            with pytest.raises(RuntimeError, match="--rule-timeout"):
                guarded(_ctx())
            assert time.monotonic() - started < 4
        assert signal.getsignal(signal.SIGALRM) is mine
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_no_limit_when_the_timeout_is_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packs, "RULE_TIMEOUT", 0)
    seen: list[Any] = []

    def judge(_ctx: Any) -> list[Any]:
        seen.append(signal.getitimer(signal.ITIMER_REAL) if hasattr(signal, "getitimer") else None)
        return []

    assert packs._guarded("T-01", judge)(_ctx()) == []
    assert seen in ([(0.0, 0.0)], [None])
