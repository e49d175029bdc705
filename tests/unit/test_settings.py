"""Settings are checked when they are read, and a bad one is named by its variable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.settings import SettingsError, get_settings


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def test_zero_spacing_is_allowed(fresh: pytest.MonkeyPatch) -> None:
    fresh.setenv("LIR_LINKEDIN_MIN_INTERVAL_SECONDS", "0")
    assert get_settings().linkedin_min_interval_seconds == 0


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LIR_LINKEDIN_MIN_INTERVAL_SECONDS", "-1", "greater than or equal to 0"),
        ("LIR_LINKEDIN_READ_TIMEOUT", "0", "greater than 0"),
        ("LIR_LINKEDIN_MAX_RETRIES", "-2", "greater than or equal to 0"),
        ("LIR_JOB_MAX_ATTEMPTS", "0", "greater than or equal to 1"),
        ("LIR_JOB_HEARTBEAT_TIMEOUT_SECONDS", "soon", "valid integer"),
        ("LIR_PORT", "70000", "less than or equal to 65535"),
        ("LIR_LLM_MONTHLY_BUDGET_USD", "nan", "finite number"),
    ],
)
def test_bad_value_is_refused_naming_the_variable(
    fresh: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    fresh.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        get_settings()
    assert f"{name}={value!r}" in str(info.value)
    assert message in str(info.value)
