"""A production-shaped cluster on loopback: N API processes and M workers on one PostgreSQL and
one Redis, behind nginx terminating TLS — what compose.yaml runs, without containers.

Used by tests/integration/test_scale_out.py and `python -m tests.benchmarks scaleout`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

NGINX_CONF = """\
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream jobready_api {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {tmp}/fullchain.pem;
        ssl_certificate_key {tmp}/privkey.pem;
        client_max_body_size 6m;
        location = /metrics {{ return 404; }}
        location / {{
            proxy_pass http://jobready_api;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def self_signed_certificate(folder: Path, host: str = "127.0.0.1") -> None:
    """fullchain.pem and privkey.pem for `host`, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    (folder / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def client_tls(folder: Path) -> ssl.SSLContext:
    """A client context that trusts the cluster's self-signed certificate (and nothing else)."""
    return ssl.create_default_context(cafile=str(folder / "fullchain.pem"))


@dataclass
class Cluster:
    """What is running: the proxy's URL and each API process's own URL."""

    url: str
    api_urls: list[str]
    tls_folder: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)


def wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v1/health", timeout=15) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{url} did not become healthy (exit {process.poll()})")
        time.sleep(0.3)


def spawn_cli(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "miniprogram_api.cli", *args],
            cwd=log.parent,  # no .env file there
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@contextlib.contextmanager
def running_cluster(
    tmp: Path, *, settings_env: dict[str, str], apis: int = 2, workers: int = 2
) -> Iterator[Cluster]:
    """Start `apis` API processes and `workers` workers with `settings_env`, behind nginx."""
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("JOBREADY_", "WECHAT_"))}
    env = {**base_env, "PYTHONPATH": str(ROOT), "PROXIES_COUNT": "1", **settings_env}
    processes: list[subprocess.Popen[bytes]] = []
    try:
        ports = [free_port() for _ in range(apis)]
        for n, port in enumerate(ports):
            processes.append(
                spawn_cli(["serve", "--no-worker", "--port", str(port)], env, tmp / f"api{n}.log")
            )
        for n in range(workers):
            processes.append(spawn_cli(["worker"], env, tmp / f"worker{n}.log"))
        api_urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process in zip(api_urls, processes, strict=False):
            wait_healthy(url, process)
        with nginx_proxy(tmp, ports) as proxy_url:
            yield Cluster(proxy_url, api_urls, tmp, processes)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def nginx_proxy(tmp: Path, upstream_ports: list[int]) -> Iterator[str]:
    """nginx (Debian's package) on a free loopback port, TLS, round robin over the ports."""
    self_signed_certificate(tmp)
    port = free_port()
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in upstream_ports)
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, servers=servers, port=port))
    process = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"https://127.0.0.1:{port}"
    context = client_tls(tmp)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(
                    f"{url}/api/v1/health", timeout=10, context=context
                ) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                error_log = (tmp / "nginx-error.log").read_text(errors="replace")[-2000:]
                raise AssertionError(f"nginx did not start: {error_log}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
