"""The deployment files cannot be built here: check that they say what they must."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
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


BIN = Path(sys.executable).parent


@pytest.mark.slow
def test_the_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [str(BIN / "hadolint"), str(ROOT / "Dockerfile")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_compose_yaml_is_valid_against_the_compose_specification() -> None:
    result = subprocess.run(
        [
            str(BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(ROOT / "compose.yaml"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_app_service_reads_the_env_file() -> None:
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    for name in ("api", "worker", "migrate"):
        assert services[name]["env_file"] == ".env"


def test_the_api_publishes_no_host_port_so_it_can_be_scaled_behind_the_proxy() -> None:
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    assert "ports" not in services["api"]
    assert {"443:443", "80:80"} <= set(services["proxy"]["ports"])
    assert services["api"]["environment"]["PROXIES_COUNT"] == "1"  # the one nginx hop
    conf = (ROOT / "deploy/nginx/jobready.conf").read_text()
    assert "server api:8000" in conf and "ssl_certificate" in conf


def test_the_env_example_lists_every_setting_as_generated() -> None:
    from miniprogram_api.ops_cli import env_example

    shipped = (ROOT / "deploy/.env.example").read_text(encoding="utf-8")
    assert shipped == env_example(), (
        "deploy/.env.example is stale: jobready admin env-example > deploy/.env.example"
    )


def test_the_runtime_image_is_multi_stage_without_tests_and_with_a_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert len(stages) == 2
    assert "COPY tests" not in text
    assert "HEALTHCHECK" in text and "ARG PIP_INDEX_URL" in text and "ARG APT_MIRROR" in text


def test_every_file_the_api_stores_lies_in_a_volume_all_api_replicas_share() -> None:
    """With `--scale api=3`, a file uploaded through one replica is read through another: each
    storage folder setting points into a named volume mounted by the api service (a folder in
    the container would be one replica's alone, and gone with it)."""
    import dataclasses

    from backend.config import Settings

    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    environment = compose["x-app"]["environment"]
    mounts = dict(m.split(":", 1)[::-1] for m in compose["services"]["api"]["volumes"])
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "chown -R jobready /var/lib/jobready" in dockerfile
    folders = {f.name: f.metadata["env"] for f in dataclasses.fields(Settings)}
    folders = {name: env for name, env in folders.items() if name.endswith("_dir")}
    assert {"evidence_dir", "practice_materials_dir"} <= set(folders)
    for env in folders.values():
        path = environment.get(env)
        assert path is not None, f"{env} is not set in compose.yaml"
        assert path in mounts, f"{env}={path} is not a mounted volume of the api"
        assert mounts[path] in compose["volumes"], f"{mounts[path]} is not a named volume"
        # a new named volume takes the image's folder, owner included: the app's user may write
        assert path in dockerfile, f"the Dockerfile does not create {path} for the app's user"
