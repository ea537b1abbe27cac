"""The built site behind real web servers (nginx, Caddy), configured only by the build's own
host configs (`site.hosting/`) inside a minimal wrapper, as an operator would include them.

Each server runs as a child process on one free 127.0.0.1 port (the builds' `site_url` names
it), with its pid file, logs and data in a temporary folder, and is stopped after its tests.
"""

from __future__ import annotations

import gzip
import http.client
import random
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import brotli
import pytest
from setup_servers import can_apt, find_server

from ..conftest import ROOT, build, headers_for, parse_headers_file

SERVERS = ("nginx", "caddy")
LAYOUTS = {"root": "/", "sub-path": "/policy/"}
STARTUP_SECONDS = 10


@dataclass
class Build:
    docroot: Path  # what the server's `root` names
    site: Path  # the built files (docroot itself, or docroot/policy)
    hosting: Path  # the host configs written beside them
    base: str  # "/" or "/policy/"
    url: str  # the site's address, as built

    def rules(self) -> list[tuple[str, list[tuple[str, str]]]]:
        return parse_headers_file((self.site / "_headers").read_text(encoding="utf-8"))

    def every_response_headers(self) -> dict[str, str]:
        """The `/*` rule of `_headers`: what every answer must carry."""
        return dict(next(headers for pattern, headers in self.rules() if pattern == "/*"))

    def cache_rule(self, path: str) -> str | None:
        """The Cache-Control `_headers` gives this URL path (a whole path or a folder's splat)."""
        return dict(headers_for(self.rules(), path)).get("Cache-Control")


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@dataclass
class Hosted:
    server: str
    build: Build
    port: int
    check: list[str]  # the server's own check of the same configuration
    env: dict[str, str]

    @property
    def url(self) -> str:
        return self.build.url

    def get(self, path: str, **headers: str) -> Response:
        """One raw request (no redirects followed, no decompression) for a URL path."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path, headers=headers)
            answer = connection.getresponse()
            return Response(answer.status, answer.headers, answer.read())
        finally:
            connection.close()


def _free_port() -> int:
    """A free port below Linux's ephemeral range, so no client socket takes it meanwhile."""
    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")


@pytest.fixture(scope="session")
def hosting_port() -> int:
    return _free_port()


@pytest.fixture(scope="session")
def hosting_builds(tmp_path_factory, hosting_port):
    """The site built once per layout, for http://127.0.0.1:<port><base>."""
    builds: dict[str, Build] = {}

    def get(layout: str) -> Build:
        if layout not in builds:
            base = LAYOUTS[layout]
            docroot = tmp_path_factory.mktemp(f"docroot-{layout}")
            site = docroot / base.strip("/") if base != "/" else docroot
            url = f"http://127.0.0.1:{hosting_port}{base}"
            assert build(site, ROOT / "mkdocs.yml", env={"SITE_URL": url}) == 0, "build failed"
            precompress_samples(site)
            builds[layout] = Build(docroot, site, site.with_name(f"{site.name}.hosting"), base, url)
        return builds[layout]

    return get


def precompress_samples(site: Path) -> None:
    """Pre-compressed siblings of a few files, where the build wrote none of its own.

    The servers must serve `x.gz` / `x.br` to clients that accept them. The build writes
    them beside every text file once that work lands; until then the tests need some to see
    that the configs pick them up: a page per language and a content-hashed asset."""
    samples = [site / "privacy/index.html", site / "en/index.html"]
    samples += sorted((site / "assets").glob("consent.*.css"))
    for original in samples:
        for suffix, compress in (
            (".gz", lambda b: gzip.compress(b, mtime=0)),
            (".br", brotli.compress),
        ):
            sibling = original.with_name(original.name + suffix)
            if not sibling.exists():
                sibling.write_bytes(compress(original.read_bytes()))


# --- the servers and their minimal wrappers ----------------------------------------------


def nginx_wrapper(binary: str, build: Build, port: int, run: Path) -> list[str]:
    """Write the wrapper; return the command that runs nginx in the foreground."""
    conf_path = subprocess.run([binary, "-V"], capture_output=True, text=True).stderr
    conf_dir = Path(conf_path.split("--conf-path=")[1].split()[0]).parent
    temp = "\n".join(
        f"  {kind}_temp_path {run}/{kind};" for kind in ("client_body", "proxy", "fastcgi")
    )
    (run / "nginx.conf").write_text(
        f"""daemon off;
master_process off;
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 64; }}
http {{
  include {conf_dir}/mime.types;
  default_type application/octet-stream;
  access_log off;
{temp}
  uwsgi_temp_path {run}/uwsgi;
  scgi_temp_path {run}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {build.docroot};
    include {build.hosting}/nginx.conf;
  }}
}}
""",
        encoding="utf-8",
    )
    return [binary, "-e", f"{run}/error.log", "-p", str(run), "-c", f"{run}/nginx.conf"]


def caddy_wrapper(binary: str, build: Build, port: int, run: Path) -> list[str]:
    (run / "Caddyfile").write_text(
        f"""{{
	admin off
	auto_https off
	storage file_system {run}/data
}}

http://127.0.0.1:{port} {{
	root * {build.docroot}
	import {build.hosting}/Caddyfile
}}
""",
        encoding="utf-8",
    )
    return [binary, "run", "--config", f"{run}/Caddyfile", "--adapter", "caddyfile"]


WRAPPERS = {"nginx": nginx_wrapper, "caddy": caddy_wrapper}


def server_env(run: Path) -> dict[str, str]:
    """Caddy keeps its data and autosaved config under $HOME / XDG folders: keep them here."""
    return {"PATH": "/usr/bin:/bin:/usr/sbin", "HOME": str(run), "XDG_DATA_HOME": str(run),
            "XDG_CONFIG_HOME": str(run)}  # fmt: skip


def check_command(server: str, command: list[str]) -> list[str]:
    """The server's own configuration check for the same wrapper."""
    if server == "nginx":
        return [*command, "-t"]
    return [command[0], "validate", *command[2:]]


def _wait_until_listening(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log.read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(
        f"server not listening on {port} after {STARTUP_SECONDS}s: {log.read_text()}"
    )


@pytest.fixture(
    scope="session",
    params=[(server, layout) for server in SERVERS for layout in LAYOUTS],
    ids=lambda param: f"{param[0]}-{param[1]}",
)
def hosted(request, hosting_builds, hosting_port, tmp_path_factory) -> Iterator[Hosted]:
    """A real server answering for the built site; one at a time, all on the same port."""
    server, layout = request.param
    binary = find_server(server)
    if binary is None and can_apt():
        pytest.fail(f"no {server}: `make servers` installs Debian's package")
    if binary is None:
        pytest.skip(f"no {server} here and no apt (as root, on Debian) to install it")
    site = hosting_builds(layout)
    run = tmp_path_factory.mktemp(f"{server}-{layout}-run")
    command = WRAPPERS[server](binary, site, hosting_port, run)
    env = server_env(run)
    log = run / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_until_listening(process, hosting_port, log)
        yield Hosted(server, site, hosting_port, check_command(server, command), env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
