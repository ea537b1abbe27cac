"""Make nginx and Caddy available for the hosting tests (tests/hosting), and say which.

Order, for each: $NGINX_PATH / $CADDY_PATH; the binary on the PATH (or in /usr/sbin); Debian's
package, installed with apt when we are root on Debian. Where neither exists, the hosting tests
behind that server are skipped, and this says so. The packages may start their system service
on port 80: the tests never use it, they start their own server on a free port.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from setup_browser import _apt_install
from setup_browser import _can_apt as can_apt

# server → (environment override, binary name, Debian package)
SERVERS = {
    "nginx": ("NGINX_PATH", "nginx", "nginx"),
    "caddy": ("CADDY_PATH", "caddy", "caddy"),
}


def find_server(name: str) -> str | None:
    """The binary of web server `name` ('nginx' or 'caddy'), or None."""
    variable, binary, _package = SERVERS[name]
    override = os.environ.get(variable)
    if override:
        return override
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
    return shutil.which(binary, path=path)


def version(name: str, binary: str) -> str:
    flag = "-v" if name == "nginx" else "version"
    out = subprocess.run([binary, flag], capture_output=True, text=True)
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
            print(
                f"setup_servers: no {name} and no apt (root on Debian) to install it: "
                f"the hosting tests behind {name} will be skipped"
            )
        else:
            print(f"setup_servers: using {binary} ({version(name, binary)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
