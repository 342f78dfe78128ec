"""Settings: read from the environment, refusing unsafe secrets outside dev mode."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import time
from decimal import Decimal
from pathlib import Path

import pytest

from backend.config import (
    Settings,
    SettingsError,
    load_settings,
    parse_evaluation_weights,
    setting_specs,
)

ROOT = Path(__file__).resolve().parents[2]
SAFE = {
    "SECRET_KEY": "x" * 40,
    "PII_ENCRYPTION_KEYS": "k1:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
    "PII_HASH_KEY": "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=",
    "WECHAT_SECRET": "real-secret",
    "WECHAT_PUSH_TOKEN": "real-token",
    "PUBLIC_BASE_URL": "https://jobready.example.gov.cn",
    "WECHAT_APPID": "wx1234567890abcdef",
}


def test_dev_mode_accepts_the_built_in_secrets() -> None:
    settings = load_settings({"JOBREADY_DEV": "1"}, env_file=None)
    assert settings.dev is True
    assert settings.database_url.startswith("sqlite://")


def test_outside_dev_mode_default_secrets_are_refused_and_named() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({}, env_file=None)
    for name in SAFE:
        assert name in str(caught.value)


def test_outside_dev_mode_an_empty_secret_is_refused() -> None:
    with pytest.raises(SettingsError, match="WECHAT_PUSH_TOKEN"):
        load_settings({**SAFE, "WECHAT_PUSH_TOKEN": ""}, env_file=None)


def test_real_secrets_start_outside_dev_mode() -> None:
    settings = load_settings(SAFE, env_file=None)
    assert settings.dev is False
    assert settings.effective_log_format == "json"


def test_values_are_parsed_to_their_types() -> None:
    settings = load_settings(
        {**SAFE, "REQUEST_MAX_SIZE": "1024", "WECHAT_TIMEOUT": "2.5", "JOBREADY_DEV": "no"},
        env_file=None,
    )
    assert settings.request_max_size == 1024
    assert settings.wechat_timeout == 2.5


def test_a_malformed_number_is_reported_with_its_name() -> None:
    with pytest.raises(SettingsError, match="REQUEST_MAX_SIZE"):
        load_settings({"JOBREADY_DEV": "1", "REQUEST_MAX_SIZE": "big"}, env_file=None)


def test_dot_env_fills_what_the_environment_lacks(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("JOBREADY_DEV=1\nREDIS_URL=redis://127.0.0.1:6379/3\n# comment\n")
    settings = load_settings({"REDIS_URL": "redis://other:6379/0"}, env_file=env_file)
    assert settings.dev is True
    assert settings.redis_url == "redis://other:6379/0"


def test_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [env for env, *_ in setting_specs() if f"`{env}`" not in readme]
    assert missing == []


@pytest.mark.slow
def test_serve_outside_dev_mode_with_default_secrets_refuses_to_start() -> None:
    env = {k: v for k, v in os.environ.items() if k not in SAFE and k != "JOBREADY_DEV"}
    result = subprocess.run(
        [sys.executable, "-m", "miniprogram_api.cli", "serve", "--port", "1"],
        cwd=ROOT / "tests",  # no .env file there
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "refusing to start outside dev mode" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_settings_is_immutable() -> None:
    settings = Settings(dev=True)
    with pytest.raises(AttributeError):
        settings.dev = False  # type: ignore[misc]


def test_rule_figures_default_to_the_regulations_practice() -> None:
    """第二十二条 completion at 80% attendance; 第十五条 weights 0.4 / 0.2 / 0.2 / 0.2."""
    settings = load_settings({"JOBREADY_DEV": "1"}, env_file=None)
    assert settings.completion_attendance_threshold == 0.80
    assert parse_evaluation_weights(settings.evaluation_weights) == {
        "satisfaction": Decimal("0.40"),
        "volume": Decimal("0.20"),
        "followup": Decimal("0.20"),
        "employment": Decimal("0.20"),
    }


def test_the_completion_attendance_threshold_is_read_as_a_fraction() -> None:
    """第二十二条: the attendance a completion asks for is configurable."""
    env = {"JOBREADY_DEV": "1", "COMPLETION_ATTENDANCE_THRESHOLD": "0.7"}
    assert load_settings(env, env_file=None).completion_attendance_threshold == 0.7
    env["COMPLETION_ATTENDANCE_THRESHOLD"] = "1"
    assert load_settings(env, env_file=None).completion_attendance_threshold == 1.0


@pytest.mark.parametrize("raw", ["0", "-0.1", "1.01", "80", "nan", "inf", "eighty"])
def test_a_completion_threshold_that_is_not_a_fraction_up_to_1_is_refused_at_load(
    raw: str,
) -> None:
    """第二十二条: a threshold of 0, over 100% or in percent would certify the wrong people."""
    env = {"JOBREADY_DEV": "1", "COMPLETION_ATTENDANCE_THRESHOLD": raw}
    with pytest.raises(SettingsError, match="COMPLETION_ATTENDANCE_THRESHOLD"):
        load_settings(env, env_file=None)


def test_evaluation_weights_are_read_in_any_order_and_spacing() -> None:
    """第十五条: the weights of the evaluation's four parts are configurable."""
    raw = " employment = 0.1 ,followup=0.2, volume=0.3,satisfaction=0.4 "
    settings = load_settings({"JOBREADY_DEV": "1", "EVALUATION_WEIGHTS": raw}, env_file=None)
    weights = parse_evaluation_weights(settings.evaluation_weights)
    assert list(weights) == ["satisfaction", "volume", "followup", "employment"]
    assert weights["employment"] == Decimal("0.1") and weights["satisfaction"] == Decimal("0.4")


def test_evaluation_weights_may_miss_1_by_no_more_than_1e_9() -> None:
    """第十五条: thirds written to ten places add up to 1; to eight places they do not."""
    near = "satisfaction=0.3333333333,volume=0.3333333333,followup=0.3333333333,employment=0"
    assert sum(parse_evaluation_weights(near).values()) == Decimal("0.9999999999")
    off = "satisfaction=0.33333333,volume=0.33333333,followup=0.33333333,employment=0"
    with pytest.raises(SettingsError, match=r"sum to 1, they sum to 0\.99999999$"):
        parse_evaluation_weights(off)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("satisfaction=0.4,volume=0.2,followup=0.2,speed=0.2", "unknown part 'speed'"),
        ("satisfaction=0.6,volume=0.2,followup=0.2", "lacks a weight for: employment"),
        ("satisfaction=0.6,volume=0.2,followup=0.4,employment=-0.2", "employment must be"),
        ("satisfaction=0.4,volume=0.2,followup=0.2,employment=0.3", "sum to 1, they sum to 1.1"),
        ("satisfaction=0.4,volume=0.2,followup=0.2,employment=a fifth", "must be a number"),
        ("satisfaction=0.4,volume=0.2,followup=0.2,employment=NaN", "must be a number"),
        ("satisfaction=0.4,volume=0.4,satisfaction=0.2,employment=0", "satisfaction twice"),
        ("satisfaction 0.4,volume=0.2,followup=0.2,employment=0.2", "expects name=weight"),
        ("", "expects name=weight"),
    ],
)
def test_invalid_evaluation_weights_are_refused_at_load_naming_the_problem(
    raw: str, problem: str
) -> None:
    """第十五条: weights that are unknown, missing, negative or not summing to 1 stop the start."""
    with pytest.raises(SettingsError, match="EVALUATION_WEIGHTS") as caught:
        load_settings({"JOBREADY_DEV": "1", "EVALUATION_WEIGHTS": raw}, env_file=None)
    assert problem in str(caught.value)


def test_notification_figures_default_to_todays_practice() -> None:
    """Quiet 21:00-08:00, 5 pushes a day, a 2-minute lease, 8 attempts, the built-in ids."""
    settings = load_settings({"JOBREADY_DEV": "1"}, env_file=None)
    assert settings.quiet_hours == (time(21, 0), time(8, 0))
    assert (settings.notify_daily_cap, settings.outbox_lease_seconds) == (5, 120)
    assert settings.outbox_max_attempts == 8
    assert settings.template_ids == settings.oa_template_ids == {}
    assert settings.long_term_templates == frozenset()


def test_notification_settings_are_read_with_any_spacing() -> None:
    env = {
        "JOBREADY_DEV": "1",
        "NOTIFY_QUIET_HOURS": " 22:30-7:00 ",
        "NOTIFY_DAILY_CAP": "2",
        "OUTBOX_LEASE_SECONDS": "300",
        "OUTBOX_MAX_ATTEMPTS": "50",
        "WECHAT_TEMPLATE_IDS": " followup_survey = AbC-12_x , notice=N0tice ",
        "WECHAT_OA_TEMPLATE_IDS": "followup_survey=,notice=OA-notice",
        "WECHAT_LONG_TERM_TEMPLATES": "notice, followup_survey",
    }
    settings = load_settings(env, env_file=None)
    assert settings.quiet_hours == (time(22, 30), time(7, 0))
    assert (settings.notify_daily_cap, settings.outbox_lease_seconds) == (2, 300)
    assert settings.outbox_max_attempts == 50
    assert settings.template_ids == {"followup_survey": "AbC-12_x", "notice": "N0tice"}
    assert settings.oa_template_ids == {"followup_survey": "", "notice": "OA-notice"}
    assert settings.long_term_templates == {"notice", "followup_survey"}


@pytest.mark.parametrize(
    ("env", "raw", "problem"),
    [
        ("NOTIFY_QUIET_HOURS", "21:00", "HH:MM-HH:MM"),
        ("NOTIFY_QUIET_HOURS", "24:00-08:00", "HH:MM-HH:MM"),
        ("NOTIFY_QUIET_HOURS", "21:60-08:00", "HH:MM-HH:MM"),
        ("NOTIFY_QUIET_HOURS", "9pm-8am", "HH:MM-HH:MM"),
        ("NOTIFY_DAILY_CAP", "0", "at least 1"),
        ("NOTIFY_DAILY_CAP", "five", "must be a number"),
        ("OUTBOX_LEASE_SECONDS", "29", "at least 30"),
        ("OUTBOX_MAX_ATTEMPTS", "0", "between 1 and 50"),
        ("OUTBOX_MAX_ATTEMPTS", "51", "between 1 and 50"),
        ("WECHAT_TEMPLATE_IDS", "followup_survey", "template_key=template_id"),
        ("WECHAT_TEMPLATE_IDS", "Followup=abc", "template_key=template_id"),
        ("WECHAT_TEMPLATE_IDS", "notice=", "the id of notice"),
        ("WECHAT_TEMPLATE_IDS", "notice=a b", "the id of notice"),
        ("WECHAT_TEMPLATE_IDS", "notice=a,notice=b", "gives notice twice"),
        ("WECHAT_OA_TEMPLATE_IDS", "notice=x" * 20, "the id of notice"),
        ("WECHAT_OA_TEMPLATE_IDS", "=abc", "template_key=template_id"),
        ("WECHAT_LONG_TERM_TEMPLATES", "notice,Job Push", "'Job Push'"),
    ],
)
def test_invalid_notification_settings_are_refused_at_load_in_every_mode(
    env: str, raw: str, problem: str
) -> None:
    for mode in ({"JOBREADY_DEV": "1"}, SAFE):
        with pytest.raises(SettingsError, match=env) as caught:
            load_settings({**mode, env: raw}, env_file=None)
        assert problem in str(caught.value)


@pytest.mark.parametrize(
    "url",
    ["", "http://jobready.example.gov.cn", "https://localhost:8000", "https://127.0.0.1"],
)
def test_outside_dev_mode_a_public_url_people_cannot_reach_is_refused_and_named(url: str) -> None:
    with pytest.raises(SettingsError, match="PUBLIC_BASE_URL"):
        load_settings({**SAFE, "PUBLIC_BASE_URL": url}, env_file=None)


def test_in_dev_mode_the_local_public_url_is_fine() -> None:
    settings = load_settings({"JOBREADY_DEV": "1"}, env_file=None)
    assert settings.public_base_url == "http://127.0.0.1:8000"


def test_every_deployment_problem_is_named_at_once() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({}, env_file=None)
    message = str(caught.value)
    assert "PUBLIC_BASE_URL" in message and "SECRET_KEY" in message


def test_the_metrics_token_is_optional_outside_dev_mode() -> None:
    assert load_settings(SAFE, env_file=None).metrics_token == ""


@pytest.mark.parametrize("appid", ["", "wx-demo-appid"])
def test_outside_dev_mode_the_demo_or_an_empty_appid_is_refused(appid: str) -> None:
    with pytest.raises(SettingsError, match="WECHAT_APPID"):
        load_settings({**SAFE, "WECHAT_APPID": appid}, env_file=None)


def test_outside_dev_mode_an_empty_recruitment_address_is_refused() -> None:
    with pytest.raises(SettingsError, match="RECRUITMENT_API_BASE"):
        load_settings({**SAFE, "RECRUITMENT_API_BASE": ""}, env_file=None)
