"""Settings: read from the environment, refusing unsafe secrets outside dev mode."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.config import Settings, SettingsError, load_settings, setting_specs

ROOT = Path(__file__).resolve().parents[2]
SAFE = {
    "SECRET_KEY": "x" * 40,
    "PII_ENCRYPTION_KEYS": "k1:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
    "PII_HASH_KEY": "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=",
    "WECHAT_SECRET": "real-secret",
    "WECHAT_PUSH_TOKEN": "real-token",
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
