"""Make nginx and Caddy available for the hosting tests (tests/hosting), and PostgreSQL for the
receiver's (tests/receiver), and say which.

Order, for each: $NGINX_PATH / $CADDY_PATH / $POSTGRESQL_BIN (PostgreSQL's folder of binaries);
the binary on the PATH (or in /usr/sbin; PostgreSQL: Debian's /usr/lib/postgresql/<newest>/bin);
Debian's package, installed with apt when we are root on Debian. Where neither exists, the tests
behind that server are skipped, and this says so. The packages may start their system service
(on port 80, 5432): the tests never use it, they start their own server on a free port.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

from setup_browser import _apt_install
from setup_browser import _can_apt as can_apt

# server → (environment override, binary name, Debian package)
SERVERS = {
    "nginx": ("NGINX_PATH", "nginx", "nginx"),
    "caddy": ("CADDY_PATH", "caddy", "caddy"),
    "postgresql": ("POSTGRESQL_BIN", "postgres", "postgresql"),
}
# What the tests and tools use of each: a binary, or (PostgreSQL) a folder of binaries.
VERSION_FLAGS = {"nginx": "-v", "caddy": "version", "postgresql": "--version"}


def find_server(name: str) -> str | None:
    """The binary of web server `name` ('nginx' or 'caddy'), or PostgreSQL's folder of
    binaries ('postgresql': initdb, pg_ctl, postgres), or None."""
    if name == "postgresql":
        return find_postgresql()
    variable, binary, _package = SERVERS[name]
    override = os.environ.get(variable)
    if override:
        return override
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
    return shutil.which(binary, path=path)


def find_postgresql() -> str | None:
    """$POSTGRESQL_BIN; Debian's newest /usr/lib/postgresql/N/bin (not on the PATH there);
    else the folder of an `initdb` on the PATH (other systems, Homebrew)."""
    override = os.environ.get("POSTGRESQL_BIN")
    if override:
        return override
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if debian:
        return str(Path(debian[-1]).parent)
    initdb = shutil.which("initdb")
    return str(Path(initdb).parent) if initdb else None


def version(name: str, binary: str) -> str:
    if name == "postgresql":
        binary = str(Path(binary) / "postgres")
    out = subprocess.run([binary, VERSION_FLAGS[name]], capture_output=True, text=True)
    return (out.stdout + out.stderr).strip().splitlines()[0]


def main() -> int:
    missing = [name for name in SERVERS if find_server(name) is None]
    if missing and can_apt():
        packages = tuple(SERVERS[name][2] for name in missing)
        print(f"setup_servers: installing Debian's {' '.join(packages)} with apt")
        _apt_install(packages)
    for name in SERVERS:
        binary = find_server(name)
        if binary is None:
            tests = "receiver tests on" if name == "postgresql" else "hosting tests behind"
            print(
                f"setup_servers: no {name} and no apt (root on Debian) to install it: "
                f"the {tests} {name} will be skipped"
            )
        else:
            print(f"setup_servers: using {binary} ({version(name, binary)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
