"""The scan, end to end: a copy of the site with tags declared, fake vendors answering for the
real vendors' hosts, `python -m consent_widget scan` in its own real Chromium.

Fake vendors (fake_vendors/) are HTTPS servers on 127.0.0.1 reached through Chromium's
--host-resolver-rules, with a certificate from a throw-away CA; their gtag.js and fbevents.js
set cookies and send beacons as the real ones do, and only under the Consent Mode signals.
"""

from __future__ import annotations

import functools
import json
import ssl
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pytest
import trustme
from build_site import build

from consent_widget.site_files import SiteFiles, header_rules, headers_for

from ..tagged_site import ADS_ID, GA_ID, copy_site, tagged_registry, vendor
from .fake_vendors import FakeVendors, QuietServer

# Chromium only: the scan drives its own Chromium.
pytestmark = [pytest.mark.browser, pytest.mark.only_browser("chromium")]

GA_COOKIE = "_ga_" + GA_ID.removeprefix("G-")
CSP_WATCH = (
    "window.__violations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__violations.push(e.effectiveDirective + ' ' + e.blockedURI));"
)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def vendors(ca):
    fakes = FakeVendors(ca)
    yield fakes
    fakes.close()


def built(root: Path, registry: str, pages=None, env=None, templates=None) -> tuple[Path, Path]:
    """The site's sources with this registry, built into root/site; (site dir, registry)."""
    config = copy_site(root / "src", registry, pages, templates)
    assert build(root / "site", config, env=env) == 0, "the tagged site did not build"
    return root / "site", root / "src" / "consent.yml"


def scan(target, registry: Path, vendors: FakeVendors, report_dir: Path, *extra: str):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "consent_widget",
            "scan",
            str(target),
            "--registry",
            str(registry),
            "--report-dir",
            str(report_dir),
            "--host-rules",
            vendors.host_rules,
            "--ignore-https-errors",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = report_dir / "site-scan.json"
    return run, json.loads(report.read_text()) if report.exists() else None


def seen(report: dict, state: str, kind: str) -> set[str]:
    """Values seen in a state (without their vendor labels)."""
    return {value.split(" (")[0] for value in report["seen"][state].get(kind, [])}


@pytest.fixture(scope="module")
def declared_site(tmp_path_factory) -> tuple[Path, Path]:
    return built(tmp_path_factory.mktemp("declared"), tagged_registry())


@pytest.fixture(scope="module")
def declared_scan(declared_site, vendors):
    site, registry = declared_site
    return scan(site, registry, vendors, site.parent / "report")


def test_google_tag_config_runs_after_gtag_js_under_the_widgets_consent_mode(page, declared_site):
    """The registry's Google tag, in the page's own browser: gtag.js first, then its `config`
    file, both after the widget's Consent Mode default and update; no CSP violation."""
    site, _ = declared_site
    root = "https://tsunagu-denki.com/"
    page.context.route(f"{root}**", SiteFiles(site, root).answer)
    gtag = Path(__file__).parent / "fake_vendors" / "gtag.js"
    page.route(
        "https://www.googletagmanager.com/gtag/js**",
        lambda route: route.fulfill(path=gtag, content_type="text/javascript"),
    )
    page.route("https://*.google-analytics.com/**", lambda route: route.fulfill(status=204))
    page.route("https://*.doubleclick.net/**", lambda route: route.fulfill(status=204))
    page.route("https://*.facebook.*/**", lambda route: route.fulfill(status=204))
    page.add_init_script(CSP_WATCH)
    page.goto(root + "en/")
    page.wait_for_function("() => !!window.consentWidget")
    assert page.evaluate("(window.dataLayer || []).filter(a => a[0] !== 'consent')") == []
    page.get_by_role("button", name="Accept all", exact=True).click()
    page.wait_for_function("() => document.cookie.includes('_ga=')")
    entries = page.evaluate(
        """dataLayer.map(a => [Object.prototype.toString.call(a), a[0], String(a[1])])"""
    )
    assert all(kind == "[object Arguments]" for kind, _, _ in entries), entries
    order = [(name, arg) for _, name, arg in entries]
    default, update = order.index(("consent", "default")), order.index(("consent", "update"))
    js = next(i for i, (name, _) in enumerate(order) if name == "js")
    config = order.index(("config", GA_ID))
    assert default < update < js < config, order
    # The config file ran after gtag.js had loaded (document order of the gated scripts).
    assert page.evaluate("window.__gtagLoads")[0] <= js
    assert ("config", ADS_ID) in order
    assert page.evaluate("window.__violations") == []


def test_fully_declared_tags_pass_in_every_state(declared_scan, vendors):
    run, report = declared_scan
    assert run.returncode == 0, run.stdout + run.stderr
    assert report["findings"] == []
    # Both languages, every page, six states.
    # Every page of both languages (the policy, its home, the version history).
    langs = sorted(p["lang"] for p in report["pages"])
    assert langs.count("ja") == langs.count("en") >= 2, langs
    assert report["states"] == [
        "no choice",
        "Reject all",
        "only analytics",
        "only advertising",
        "Accept all",
        "revoked",
    ]
    for state in ("no choice", "Reject all", "revoked"):
        assert seen(report, state, "host") == set(), state
        assert seen(report, state, "cookie") <= {"consent"}, state
        assert seen(report, state, "storage") == set(), state
    assert seen(report, "only analytics", "host") == {
        "https://www.googletagmanager.com",
        "https://region1.google-analytics.com",
    }
    assert seen(report, "only analytics", "cookie") == {"consent", "_ga", GA_COOKIE}
    assert seen(report, "only advertising", "cookie") == {"consent", "_gcl_au", "_fbp"}
    assert seen(report, "only advertising", "storage") == {"_gcl_ls"}
    assert seen(report, "Accept all", "host") == {
        "https://www.googletagmanager.com",
        "https://region1.google-analytics.com",
        "https://googleads.g.doubleclick.net",
        "https://connect.facebook.net",
        "https://www.facebook.com",
    }
    # The fake tags really ran: gtag.js loaded and config'd each ID, the beacons arrived.
    assert "region1.google-analytics.com/g/collect" in vendors.requests
    ads_pixel = f"googleads.g.doubleclick.net/pagead/viewthroughconversion/{ADS_ID[3:]}/"
    assert ads_pixel in vendors.requests
    assert "www.facebook.com/tr/" in vendors.requests
    assert "page visits in" in run.stdout and " s\n" in run.stdout
    assert (Path(run.args[run.args.index("--report-dir") + 1]) / "site-scan.md").exists()


def test_revocation_leaves_no_vendor_cookie_or_key(declared_scan):
    _, report = declared_scan
    remaining = report["remaining_after_revocation"]
    assert [r.split(" (")[0] for r in remaining] == ["cookie consent"], remaining


def test_declared_tags_run_under_the_registry_built_csp(declared_scan):
    """A CSP violation would be a finding; the tags' requests all got through."""
    run, report = declared_scan
    assert "Content-Security-Policy" not in run.stdout
    assert seen(report, "Accept all", "cookie") >= {"_ga", GA_COOKIE, "_gcl_au", "_fbp"}


def test_stale_declarations_are_warnings(declared_scan):
    run, report = declared_scan
    stale = " ".join(report["warnings"])
    assert "`yahoo-japan-ads`" in stale and "`line-tag`" in stale
    assert "`google-analytics`" not in stale and "`google-ads`" not in stale
    assert "warning: vendor `line-tag`" in run.stdout


# --- a site that breaks the rules -------------------------------------------------------

# A tag written by hand into the home page's template, not gated: it runs before any choice.
# (A page's own Markdown cannot carry a <script>: the build refuses it, page_source.py.)
EARLY_TAG = '\n<script src="https://connect.facebook.net/en_US/fbevents.js"></script>\n'
EARLY_TEMPLATE = (
    '{% extends "main.html" %}\n{% block extrahead %}{{ super() }}' + EARLY_TAG + "{% endblock %}\n"
)
# A gated page script (analytics) that sets a cookie no vendor declares.
GATED_SCRIPT = '\n<script type="text/plain" data-consent="analytics" data-src="/assets/visit-id.js"></script>\n'


# A tag that writes its cookie 2.5 s after it runs, and a storage key after an idle callback.
LATE_SRC = "https://connect.facebook.net/en_US/late.js"


def break_registry(data: dict) -> None:
    # Meta's tag is one that writes late, and neither of its writes is declared.
    vendor(data, "meta-pixel")["tag"] = {"src": LATE_SRC}
    ads = vendor(data, "google-ads")
    ads["cookies"] = [c for c in ads["cookies"] if c != "_gcl_au"]
    del ads["storage"]
    pixel = vendor(data, "meta-pixel")
    pixel["hosts"] = [h for h in pixel["hosts"] if h != "www.facebook.com"]


@pytest.fixture(scope="module")
def broken_scan(tmp_path_factory, vendors):
    root = tmp_path_factory.mktemp("broken")
    docs = Path(__file__).parents[2] / "docs"
    home = (docs / "ja" / "index.md").read_text(encoding="utf-8")
    pages = {
        "ja/index.md": home.replace("---\n", "---\ntemplate: early-tag.html\n", 1),
        "en/index.md": (docs / "en" / "index.md").read_text(encoding="utf-8") + GATED_SCRIPT,
        "assets/visit-id.js": (
            'document.cookie = "visit_id=42; path=/; max-age=86400";\n'
            # A declared cookie, but where opting out cannot reach it.
            'document.cookie = "_ga_PATHTEST=GA1.1.1; path=/en/; max-age=86400";\n'
        ),
    }
    templates = {"early-tag.html": EARLY_TEMPLATE}
    site, registry = built(root, tagged_registry(break_registry), pages, templates=templates)
    return scan(site, registry, vendors, root / "report")


def test_undeclared_cookie_key_and_host_fail_with_the_named_fix(broken_scan):
    run, report = broken_scan
    assert run.returncode == 1, run.stdout + run.stderr
    out = run.stdout
    assert "FAIL:" in out
    assert (
        "cookie `_gcl_au` (domain=.tsunagu-denki.com path=/) was set while only *advertising* "
        "was granted: add it to `cookies` of vendor `google-ads`"
    ) in out
    assert (
        "localStorage key `_gcl_ls` was set while only *advertising* was granted: add it to "
        "`storage` of vendor `google-ads`"
    ) in out
    # The registry-built CSP blocks the host meta-pixel no longer declares, and the scan says so.
    assert (
        "`https://www.facebook.com` was blocked by the site's Content-Security-Policy (img-src), "
        "and no vendor declares it: if a declared tag needs it, add it to `hosts` of vendor "
        "`meta-pixel`"
    ) in out
    assert "https://www.facebook.com" not in seen(report, "Accept all", "host")


def test_a_gated_page_script_setting_an_undeclared_cookie_is_named(broken_scan):
    run, _ = broken_scan
    assert (
        "/en/ · only analytics: cookie `visit_id` (domain=tsunagu-denki.com path=/) was set "
        "while only *analytics* was granted: add it to `cookies` of vendor `google-analytics`"
    ) in run.stdout
    # With every category granted, the "only analytics" state still tells whose it is.
    assert (
        "/en/ · Accept all: cookie `visit_id` (domain=tsunagu-denki.com path=/) was set while "
        "every category was granted: add it to `cookies` of vendor `google-analytics`"
    ) in run.stdout


def test_a_vendor_cookie_left_after_revoking_is_named(broken_scan):
    run, report = broken_scan
    assert (
        "revoked: cookie `_ga_PATHTEST` (domain=tsunagu-denki.com path=/en/) (vendor "
        "`google-analytics`) "
        "was still there after *analytics* was revoked in the settings dialog: it sits on path "
        "`/en/`, and the widget deletes vendor cookies on path / only; have the script that "
        "sets it use path /"
    ) in run.stdout
    assert (
        "cookie _ga_PATHTEST (domain=tsunagu-denki.com path=/en/)"
        in report["remaining_after_revocation"]
    )


def test_a_tag_that_fires_before_consent_fails(broken_scan):
    _, report = broken_scan
    early = [f for f in report["findings"] if f["state"] == "no choice"]
    messages = " ".join(f["message"] for f in early)
    assert (
        "a request to `https://connect.facebook.net` (vendor `meta-pixel`, *advertising*) was "
        "sent before any choice: its script runs without consent"
    ) in messages
    assert "cookie `_fbp`" in messages
    assert all(f["pages"] == ["/"] for f in early), early
    # After Reject all too: a plain <script> ignores the choice.
    assert any(
        f["state"] == "Reject all" and f["value"] == "https://connect.facebook.net"
        for f in report["findings"]
    )


# --- scanning a live site by URL ---------------------------------------------------------


class HTTPSHost:
    """A static host on https://127.0.0.1:<port>/ with the site's own `_headers`, as a CDN."""

    def __init__(self, docroot: Path, ca: trustme.CA):
        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, format, *args):
                pass

            def end_headers(self):
                rules_file = docroot / "_headers"
                if rules_file.exists():
                    rules = header_rules(rules_file.read_text())
                    for name, value in headers_for(rules, self.path.split("?")[0]).items():
                        self.send_header(name, value)
                super().end_headers()

        docroot.mkdir(parents=True, exist_ok=True)
        self.server = QuietServer(("127.0.0.1", 0), functools.partial(Handler, directory=docroot))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        # Each handshake in its connection's own thread: the scan opens pages side by side.
        self.server.socket = context.wrap_socket(
            self.server.socket, server_side=True, do_handshake_on_connect=False
        )
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}/"

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="module")
def https_site(tmp_path_factory, ca):
    """The tagged site, built for and served at a local HTTPS address."""
    root = tmp_path_factory.mktemp("live")
    host = HTTPSHost(root / "site", ca)
    config = copy_site(root / "src", tagged_registry())
    assert build(root / "site", config, env={"SITE_URL": host.url}) == 0
    yield host.url, root / "src" / "consent.yml"
    host.close()


def test_scan_by_url_audits_a_served_site_in_both_languages(https_site, vendors, tmp_path):
    url, registry = https_site
    run, report = scan(url, registry, vendors, tmp_path, "--max-pages", "2")
    assert run.returncode == 0, run.stdout + run.stderr
    assert report["target"] == url
    assert [(p["url"], p["lang"]) for p in report["pages"]] == [("/", "ja"), ("/en/", "en")]
    assert seen(report, "only analytics", "cookie") == {"consent", "_ga", GA_COOKIE}
    assert seen(report, "no choice", "host") == set()


def test_a_site_built_for_a_sub_path_is_scanned_at_that_path(subpath_site, vendors, tmp_path):
    """The shipped registry (no tags yet): nothing leaves the site, the record sits at /policy/."""
    registry = Path(__file__).parents[2] / "consent.yml"
    run, report = scan(subpath_site.root, registry, vendors, tmp_path, "--max-pages", "2")
    assert run.returncode == 0, run.stdout + run.stderr
    assert report["target"] == f"{subpath_site.root} (served as {subpath_site.url})"
    assert [(p["url"], p["lang"]) for p in report["pages"]] == [("/", "ja"), ("/en/", "en")]
    for state in report["states"]:
        assert seen(report, state, "host") == set(), state
    assert report["remaining_after_revocation"] == [
        "cookie consent (domain=127.0.0.1 path=/policy/)"
    ]


STRICT_DIRECTIVES = ("script-src", "style-src", "img-src", "connect-src", "frame-src")

# A page of a site not built with MkDocs: the CLI's snippet in its <head>, nothing else.
PLAIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title>
{snippet}</head>
<body><main><h1>Shop</h1></main>
<footer><a href="/privacy.html" data-consent-open>Cookie settings</a></footer></body></html>
"""


def test_scan_by_url_audits_a_plain_page_with_the_cli_snippet(ca, vendors, tmp_path):
    """The snippet carries the registry's tags: they wait for consent and run as declared, under
    the site's own CSP with what csp.txt lists."""
    registry = tmp_path / "consent.yml"
    registry.write_text(tagged_registry(), encoding="utf-8")
    docroot = tmp_path / "www"
    out = docroot / "static" / "consent"
    command = [sys.executable, "-m", "consent_widget", "build", str(registry), "-o", str(out)]
    assert subprocess.run([*command, "--base-url", "/static/consent/"]).returncode == 0
    snippet = (out / "snippet.en.html").read_text(encoding="utf-8")
    (docroot / "index.html").write_text(PLAIN_PAGE.format(snippet=snippet), encoding="utf-8")
    # The shop's own strict CSP, opened only as far as the CLI's csp.txt says: the scan fails on
    # any request it blocks.
    needs = {
        line.split()[0]: line.split()[1:]
        for line in (out / "csp.txt").read_text().splitlines()
        if not line.startswith("#")
    }
    policy = "; ".join(
        [
            "default-src 'self'",
            *(f"{d} 'self' {' '.join(needs.get(d, []))}".rstrip() for d in STRICT_DIRECTIVES),
        ]
    )
    (docroot / "_headers").write_text(f"/*\n  Content-Security-Policy: {policy}\n")
    host = HTTPSHost(docroot, ca)
    try:
        run, report = scan(host.url, registry, vendors, tmp_path / "report", "--max-pages", "1")
    finally:
        host.close()
    assert run.returncode == 0, run.stdout + run.stderr
    assert [p["url"] for p in report["pages"]] == ["/"]
    for state in ("no choice", "Reject all", "revoked"):
        assert seen(report, state, "host") == set(), state
    assert seen(report, "only analytics", "cookie") == {"consent", "_ga", GA_COOKIE}
    assert seen(report, "only advertising", "cookie") == {"consent", "_gcl_au", "_fbp"}
    assert report["remaining_after_revocation"] == ["cookie consent (domain=127.0.0.1 path=/)"]


# --- a hostile site: a pop-up, a redirect away, 200 cookies ------------------------------

POPUP_URL = "https://www.popup-ads.test/window/"
COOKIES = 200


def hostile_pages(landing: str) -> tuple[dict[str, str], dict[str, str]]:
    """(pages, templates): each misbehaving page names a template that adds its script (a page's
    own Markdown cannot carry one)."""
    docs = Path(__file__).parents[2] / "docs"

    def page(rel: str, script: str) -> str:
        text = (docs / rel).read_text(encoding="utf-8")
        return text.replace("---\n", f"---\ntemplate: {script}.html\n", 1)

    def template(script: str) -> str:
        tag = f'\n<script src="/assets/{script}.js"></script>\n'
        return (
            '{% extends "main.html" %}\n{% block extrahead %}{{ super() }}'
            + tag
            + "{% endblock %}\n"
        )

    pages = {
        "ja/privacy.md": page("ja/privacy.md", "cookies"),
        "en/index.md": page("en/index.md", "popup"),
        "en/privacy.md": page("en/privacy.md", "redirect"),
        "assets/cookies.js": (
            f"for (let i = 0; i < {COOKIES}; i++)\n"
            "  document.cookie = `c${String(i).padStart(3, '0')}=1; path=/; max-age=86400`;\n"
        ),
        "assets/popup.js": f"window.open({POPUP_URL!r}, 'ad');\n",
        "assets/redirect.js": f"location.replace({landing!r});\n",
    }
    templates = {f"{name}.html": template(name) for name in ("cookies", "popup", "redirect")}
    return pages, templates


@pytest.fixture(scope="module")
def hostile_scan(tmp_path_factory, ca, vendors):
    """The tagged site, served by URL at https://127.0.0.1:<port>/, whose pages misbehave; one
    of them sends the visitor to another origin on the same IP address (another port)."""
    root = tmp_path_factory.mktemp("hostile")
    elsewhere = HTTPSHost(root / "elsewhere", ca)
    (root / "elsewhere" / "landing").mkdir()
    (root / "elsewhere" / "landing" / "index.html").write_text(
        '<!doctype html><html lang="en"><title>Elsewhere</title><img src="/pixel.gif" alt="">'
    )
    host = HTTPSHost(root / "site", ca)
    pages, templates = hostile_pages(elsewhere.url + "landing/")
    config = copy_site(root / "src", tagged_registry(), pages, templates)
    assert build(root / "site", config, env={"SITE_URL": host.url}) == 0
    try:
        run, report = scan(host.url, root / "src" / "consent.yml", vendors, root / "report")
    finally:
        host.close()
        elsewhere.close()
    return run, report, elsewhere.url, root / "report"


def test_a_tag_that_writes_seconds_after_it_runs_is_caught(broken_scan):
    run, report = broken_scan
    for state in ("only advertising", "Accept all"):
        assert "_late_id" in seen(report, state, "cookie"), state
        assert "_late_key" in seen(report, state, "storage"), state
    assert (
        "· only advertising: cookie `_late_id` (domain=.tsunagu-denki.com path=/) was set while "
        "only *advertising* was granted: add it to `cookies` of the vendor that sets it"
    ) in run.stdout
    assert (
        "· only advertising: localStorage key `_late_key` was set while only *advertising* was "
        "granted: add it to `storage` of the vendor that sets it"
    ) in run.stdout
    # Nothing late after revoking: the tag no longer runs, and what it wrote was deleted.
    assert "_late_id" not in seen(report, "revoked", "cookie")


def test_a_pop_up_and_what_it_loads_are_reported_as_such(hostile_scan):
    run, report, _, _ = hostile_scan
    assert {"opened_by": "/en/", "url": POPUP_URL, "states": report["states"]} in report["popups"]
    assert f"note: /en/ opened a pop-up window ({POPUP_URL}) in: no choice," in run.stdout
    assert (
        "/en/ (pop-up window) · no choice: 2 requests to `https://pixel.popup-ads.test`, "
        "`https://www.popup-ads.test` were sent before any choice, and no vendor declares them"
    ) in run.stdout


def test_a_page_that_leaves_the_site_is_named_with_the_other_origin(hostile_scan):
    run, report, elsewhere, _ = hostile_scan
    other = elsewhere.rstrip("/")  # https://127.0.0.1:<another port>
    assert report["left_site"] == {"/en/privacy/": elsewhere + "landing/"}
    assert "/en/privacy/" not in {p["url"] for p in report["pages"] if p["lang"]}
    assert (
        f"/en/privacy/ (left the site for {other}) · no choice: a request to `{other}` was sent "
        "before any choice, and no vendor declares it"
    ) in run.stdout
    # Never the bare address, which would read as the site's own.
    hosts = {v for state in report["seen"].values() for v in state.get("host", [])}
    assert all(v.startswith(("https://", "http://")) for v in hosts), hosts


def test_200_cookies_from_one_page_are_one_finding_per_state(hostile_scan):
    run, report, _, report_dir = hostile_scan
    mass = [f for f in report["findings"] if len(f["values"]) == COOKIES]
    assert [f["state"] for f in mass] == report["states"], mass
    assert all(f["pages"] == ["/privacy/"] for f in mass)
    assert mass[0]["values"] == [f"c{i:03}" for i in range(COOKIES)]
    assert (
        "/privacy/ · no choice: 200 cookies (`c000`, `c001`, `c002` and 197 more, every one in "
        "site-scan.json) were set before any choice, and no vendor declares them: nothing but "
        "the strictly necessary may run without consent"
    ) in run.stdout
    assert len(report["findings"]) < 40, len(report["findings"])
    size = (report_dir / "site-scan.md").stat().st_size
    assert size < 30_000, f"site-scan.md is {size} bytes"
