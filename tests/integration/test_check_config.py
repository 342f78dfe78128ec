"""A configuration that cannot work in production is refused, naming the setting that fixes it.

`jobready check-config` says so without starting anything, `jobready admin gen-secrets` gives
fresh secrets in .env format, and `serve` outside dev mode refuses built-in template ids.
"""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from backend.config import Settings, load_settings
from backend.notifications.templates import check_template_settings, configured_templates
from backend.security.pii import PiiCipher
from miniprogram_api.standins.wechat import start_fake_wechat
from tests.support.production import APPID, SECRET, jobready, production_env

# Each test runs `jobready` in a subprocess; no database is involved.
pytestmark = [pytest.mark.slow, pytest.mark.engine_agnostic]

ROOT = Path(__file__).resolve().parents[2]


def _generated(tmp_path: Path) -> dict[str, str]:
    result = jobready("admin", "gen-secrets", env={}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_generated_secrets_are_fresh_and_accepted_outside_dev_mode(tmp_path: Path) -> None:
    first, second = _generated(tmp_path), _generated(tmp_path)
    assert set(first) >= {"SECRET_KEY", "PII_ENCRYPTION_KEYS", "PII_HASH_KEY", "METRICS_TOKEN"}
    assert all(first[name] != second[name] for name in first)
    settings = load_settings(production_env(tmp_path), env_file=None)
    assert settings.dev is False
    cipher = PiiCipher.from_secrets(settings.pii_encryption_keys, settings.pii_hash_key)
    token = cipher.encrypt("350102199001011234", context="id_number")
    assert cipher.decrypt(token, context="id_number") == "350102199001011234"
    assert len(first["WECHAT_PUSH_AES_KEY"]) == 43  # WeChat's EncodingAESKey length


def test_check_config_names_every_problem_and_the_setting_that_fixes_it(tmp_path: Path) -> None:
    result = jobready("check-config", env={}, cwd=tmp_path)
    assert result.returncode == 1
    for setting in ("SECRET_KEY", "PUBLIC_BASE_URL", "WECHAT_TEMPLATE_IDS", "WECHAT_SECRET"):
        assert setting in result.stdout
    assert "configuration: NOT usable" in result.stdout


def test_check_config_accepts_a_complete_production_configuration(tmp_path: Path) -> None:
    result = jobready("check-config", env=production_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PROBLEM" not in result.stdout
    assert "configuration: ok" in result.stdout


def test_check_config_tries_the_wechat_token_endpoint_when_asked(tmp_path: Path) -> None:
    async def run(secret: str) -> subprocess.CompletedProcess[str]:
        fake = await start_fake_wechat("127.0.0.1", 0, appid=APPID, secret=SECRET)
        try:
            env = production_env(tmp_path, WECHAT_API_BASE=fake.url, WECHAT_SECRET=secret)
            return await asyncio.to_thread(
                jobready, "check-config", "--try-wechat", env=env, cwd=tmp_path
            )
        finally:
            await fake.stop()

    good = asyncio.run(run(SECRET))
    assert good.returncode == 0, good.stdout
    assert "WeChat token endpoint: ok" in good.stdout
    bad = asyncio.run(run("a-wrong-secret"))
    assert bad.returncode == 1
    assert "40125" in bad.stdout and "WECHAT_SECRET" in bad.stdout


def test_serve_outside_dev_mode_with_built_in_template_ids_refuses_to_start(
    tmp_path: Path,
) -> None:
    env = production_env(tmp_path, WECHAT_TEMPLATE_IDS="")
    result = jobready("serve", "--port", "1", env=env, cwd=tmp_path)
    assert result.returncode != 0
    assert "WECHAT_TEMPLATE_IDS" in result.stderr
    assert "followup_survey" in result.stderr


def test_serve_outside_dev_mode_without_an_https_public_url_refuses_to_start(
    tmp_path: Path,
) -> None:
    env = production_env(tmp_path)
    del env["PUBLIC_BASE_URL"]
    result = jobready("serve", "--port", "1", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "PUBLIC_BASE_URL" in result.stderr


@pytest.mark.parametrize("oa_ids", ["", "followup_survey=OA1"])
def test_an_official_account_needs_its_real_template_ids_outside_dev_mode(
    tmp_path: Path, oa_ids: str
) -> None:
    import jobs.scheduler  # noqa: F401  (this process registers what the worker registers)
    import miniprogram_api.app  # noqa: F401

    here = sorted(configured_templates(Settings(dev=True)))  # test modules may add their own
    ids = ",".join(f"{key}=REAL{n:03d}" for n, key in enumerate(here))
    env = production_env(tmp_path, WECHAT_OA_APPID="wxoa123", WECHAT_OA_SECRET="oa-secret")
    env |= {"WECHAT_TEMPLATE_IDS": ids, "WECHAT_OA_TEMPLATE_IDS": oa_ids}
    settings = load_settings(env, env_file=None)
    if oa_ids:
        check_template_settings(settings)
    else:
        with pytest.raises(Exception, match="WECHAT_OA_TEMPLATE_IDS"):
            check_template_settings(settings)


def test_dev_mode_keeps_the_built_in_template_ids() -> None:
    check_template_settings(Settings(dev=True))
