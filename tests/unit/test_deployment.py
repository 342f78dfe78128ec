"""The deployment files cannot be built here: check that they say what they must."""

from __future__ import annotations

from pathlib import Path

import yaml

from miniprogram_api.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def _cli_commands() -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return set(sub.choices)  # type: ignore[arg-type]


def test_compose_has_api_worker_postgres_redis_and_a_migration_step() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert {"api", "worker", "postgres", "redis", "migrate"} <= set(compose["services"])


def test_compose_commands_are_real_cli_subcommands() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    commands = _cli_commands()
    for name in ("api", "worker", "migrate"):
        assert compose["services"][name]["command"][0] in commands


def test_compose_runs_migrations_before_api_and_worker() -> None:
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    for name in ("api", "worker"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"


def test_compose_requires_real_secrets() -> None:
    text = (ROOT / "compose.yaml").read_text()
    for secret in ("SECRET_KEY", "PII_ENCRYPTION_KEYS", "PII_HASH_KEY", "WECHAT_SECRET"):
        assert f"${{{secret}:?" in text


def test_dockerfile_runs_as_a_non_root_user_with_the_cli_as_entrypoint() -> None:
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert 'ENTRYPOINT ["jobready"]' in lines
    assert any(line.startswith("CMD") and '"serve"' in line for line in lines)
