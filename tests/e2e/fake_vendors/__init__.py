"""Fake vendor servers: HTTPS on 127.0.0.1, answering for the real vendors' host names.

Chromium reaches them through `--host-resolver-rules` (`MAP www.googletagmanager.com
127.0.0.1:PORT, …`), which the scan passes on with `--host-rules`; their certificate comes from
a throw-away CA made with trustme (the scan runs with `--ignore-https-errors`). The scripts
they serve behave like the real tags (gtag.js, fbevents.js), or like a tag that writes late
(late.js); a pop-up's page (popup.html) stands for an advertiser's window; everything else gets
an empty answer, as a beacon or pixel endpoint does. Every request is logged by host and path.
"""

from __future__ import annotations

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import trustme

HERE = Path(__file__).resolve().parent
HOSTS = (
    "www.googletagmanager.com",
    "region1.google-analytics.com",
    "googleads.g.doubleclick.net",
    "connect.facebook.net",
    "www.facebook.com",
    # Not vendors: where a hostile page's pop-up goes, and what that window loads.
    "www.popup-ads.test",
    "pixel.popup-ads.test",
)
SCRIPTS = {
    ("www.googletagmanager.com", "/gtag/js"): "gtag.js",
    ("connect.facebook.net", "/en_US/fbevents.js"): "fbevents.js",
    # A tag that writes its cookie and storage key seconds after it runs.
    ("connect.facebook.net", "/en_US/late.js"): "late.js",
}
PAGES = {("www.popup-ads.test", "/window/"): "popup.html"}
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a browser closing a connection early (page left) is no test failure


class FakeVendors:
    def __init__(self, ca: trustme.CA, hosts=HOSTS):
        self.hosts = hosts
        self.requests: list[str] = []
        log = self.requests

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                pass

            def _answer(self):
                host = (self.headers.get("Host") or "").split(":")[0]
                path = urlsplit(self.path).path
                log.append(f"{host}{path}")
                script = SCRIPTS.get((host, path))
                page = PAGES.get((host, path))
                if script:
                    body, kind = (HERE / script).read_bytes(), "text/javascript"
                elif page:
                    body, kind = (HERE / page).read_bytes(), "text/html; charset=utf-8"
                elif path.endswith("/") or "tr" in path:
                    body, kind = PIXEL, "image/gif"
                else:
                    body, kind = b"", "text/plain"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(*hosts).configure_cert(context)
        # Each handshake in its connection's own thread: many tabs call at once.
        self.server.socket = context.wrap_socket(
            self.server.socket, server_side=True, do_handshake_on_connect=False
        )
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def host_rules(self) -> str:
        """For Chromium's --host-resolver-rules: every fake host to this server."""
        return ", ".join(f"MAP {host} 127.0.0.1:{self.port}" for host in self.hosts)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
