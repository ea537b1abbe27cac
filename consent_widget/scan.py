"""The registry proves itself: a real Chromium visits every page in every consent state and
fails on anything the registry does not declare.

    python -m consent_widget scan SITE_DIR|URL [--registry consent.yml] [--report-dir DIR]

States: no choice yet; Reject all; each optional category alone; Accept all; then revoked
through the settings dialog. In each, every page (from `sitemap.xml`, then same-site links, so
both languages) is visited and everything the browser does is recorded: each request's host,
each cookie (name, domain, path), each localStorage / sessionStorage key, each request the CSP
blocked. Each is matched to the vendors that declare it (`hosts`, `cookies`, `storage`) and to
the categories granted in that state. A finding (exit 1) is:
  * a request that leaves the site, or a non-essential cookie or key, before a choice, after
    Reject all or after revoking;
  * a host, cookie or key that no vendor of a granted category declares;
  * a declared vendor cookie or key still there right after its category was revoked;
  * anything the site's CSP blocked (a tag that cannot work as declared).
Declared vendors never seen are warnings (stale declarations). The report is printed and
written as `site-scan.md` and `site-scan.json`.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from .registry import Registry, Vendor
from .render import language
from .site_files import SiteFiles
from .tags import TAG_DIRECTIVES

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright
except ImportError:  # only the scan needs it: `pip install 'policy-site[scan]'`
    PlaywrightError, sync_playwright = Exception, None

SYSTEM_CHROMIUM = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # The browser's own calls home are not the site's doing.
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LOCAL_NETWORK_CHECKS = (
    "LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,"
    "PrivateNetworkAccessRespectPreflightResults"
)
NAVIGATION_TIMEOUT_MS = 30_000
WIDGET_TIMEOUT_MS = 10_000
IDLE_TIMEOUT_MS = 5_000  # a tag's beacons go out within this after load or a choice
NOT_PAGES = (".xml", ".gz", ".json", ".txt", ".js", ".css", ".png", ".jpg", ".svg", ".pdf", ".ico")
UNKNOWN_ROOT = "https://site.invalid/"
READY = "() => !!window.consentWidget && document.readyState !== 'loading'"
# CSP violations of the page, kept until the scan reads them (they never reach the network).
CSP_LISTENER = """
window.__scanCsp = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__scanCsp.push({uri: e.blockedURI, directive: e.effectiveDirective}));
"""
STORAGE_KEYS = """() => {
  const keys = area => { try { return Object.keys(window[area]); } catch (e) { return []; } };
  return {localStorage: keys('localStorage'), sessionStorage: keys('sessionStorage')};
}"""


class ScanError(Exception):
    """The scan could not run (no browser, site unreachable): not a finding about the site."""


# --- consent states --------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentState:
    name: str
    granted: frozenset[str]  # optional categories allowed
    choice: str  # none, reject, accept, settings, revoke

    def phrase(self, registry: Registry) -> str:
        """When something happened, in an editor's words."""
        if self.choice == "none":
            return "before any choice"
        if self.choice == "reject":
            return "after Reject all"
        if self.choice == "revoke":
            return "after consent was revoked in the settings dialog"
        if self.choice == "accept":
            return "while every category was granted"
        names = ", ".join(f"*{c}*" for c in sorted(self.granted))
        return f"while only {names} was granted"


def consent_states(registry: Registry) -> list[ConsentState]:
    optional = [c.id for c in registry.categories if not c.required]
    return [
        ConsentState("no choice", frozenset(), "none"),
        ConsentState("Reject all", frozenset(), "reject"),
        *[ConsentState(f"only {c}", frozenset({c}), "settings") for c in optional],
        ConsentState("Accept all", frozenset(optional), "accept"),
        ConsentState("revoked", frozenset(), "revoke"),
    ]


# --- what the browser did --------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    kind: str  # host, cookie, storage, blocked
    value: str  # the host, cookie name, storage key, or blocked host / 'inline'
    detail: str  # cookie "domain=… path=…", storage area, CSP directive
    page: str
    state: str
    first_party: bool = True  # cookies: set on the site's own domain


@dataclass
class Finding:
    state: str
    kind: str
    value: str
    detail: str
    message: str  # what was seen and the fix, in an editor's words
    pages: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        more = f" (+{len(self.pages) - 1} more)" if len(self.pages) > 1 else ""
        return f"{self.pages[0]}{more} · {self.state}: {self.message}"


@dataclass
class Report:
    target: str
    registry: str
    pages: list[dict[str, str]]
    states: list[str]
    visits: int
    seconds: float
    findings: list[Finding]
    warnings: list[str]
    seen: dict[str, dict[str, list[str]]]  # state → kind → sorted values with vendors
    remaining_after_revocation: list[str]  # cookies and storage keys right after revoking

    def summary(self) -> str:
        langs: dict[str, int] = {}
        for page in self.pages:
            langs[page["lang"]] = langs.get(page["lang"], 0) + 1
        by_lang = ", ".join(f"{lang or '?'} {count}" for lang, count in sorted(langs.items()))
        return (
            f"{len(self.pages)} pages ({by_lang}) × {len(self.states)} consent states: "
            f"{self.visits} page visits in {self.seconds:.1f} s"
        )

    def text(self) -> str:
        lines = [f"scan of {self.target} against {self.registry}", self.summary()]
        if self.findings:
            lines.append(f"FAIL: {len(self.findings)} finding(s)")
            lines += [f"  {finding}" for finding in self.findings]
        else:
            lines.append("OK: everything seen is declared, and nothing ran before consent")
        lines += [f"warning: {warning}" for warning in self.warnings]
        return "\n".join(lines)

    def markdown(self) -> str:
        out = [
            "# Consent scan",
            "",
            f"Site: {self.target} · registry: `{self.registry}` · {self.summary()}",
            "",
            f"## Findings ({len(self.findings)})",
            "",
        ]
        if not self.findings:
            out.append("None: everything seen is declared, and nothing ran before consent.")
        for finding in self.findings:
            pages = ", ".join(f"`{p}`" for p in finding.pages)
            out.append(f"- **{finding.state}** ({pages}): {finding.message}")
        out += ["", f"## Warnings ({len(self.warnings)})", ""]
        out += [f"- {warning}" for warning in self.warnings] or ["None."]
        out += ["", "## Seen, per consent state", ""]
        out += ["| State | Hosts | Cookies | Storage keys |", "|---|---|---|---|"]
        for state, kinds in self.seen.items():
            cells = [
                ", ".join(kinds.get(k, [])).replace("|", "\\|") or "–"
                for k in ("host", "cookie", "storage")
            ]
            out.append(f"| {state} | {' | '.join(cells)} |")
        left = ", ".join(self.remaining_after_revocation) or "nothing"
        out += ["", f"Right after revoking in the settings dialog, the browser still held: {left}."]
        out += ["", "## Pages", ""]
        out += [f"- {page['url']} ({page['lang'] or '?'})" for page in self.pages]
        return "\n".join(out) + "\n"

    def json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"


# --- judging what was seen -------------------------------------------------------------


def _names(vendors: list[Vendor]) -> str:
    return " or ".join(f"`{v.id}`" for v in vendors)


def _likeness(seen: Seen, vendor: Vendor) -> int:
    """How much a vendor's declarations look like what was seen (0: not at all)."""
    if seen.kind in ("host", "blocked"):
        label = seen.value.split(".")[-2:-1]
        return int(any(h.split(".")[-2:-1] == label for h in vendor.hosts))
    names = [n.rstrip("*") for n in (*vendor.cookies, *vendor.storage)]
    shared = [_common_start(n, seen.value) for n in names]
    return max((n for n in shared if n >= 3), default=0)


def _common_start(a: str, b: str) -> int:
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


def _most_alike(seen: Seen, vendors: list[Vendor]) -> list[Vendor]:
    scores = {v.id: _likeness(seen, v) for v in vendors}
    best = max(scores.values(), default=0)
    return [v for v in vendors if scores[v.id] == best] if best else vendors


class Judge:
    """Matches what was seen to declared vendors and to the categories granted at the time."""

    def __init__(self, registry: Registry, site_host: str):
        self.registry = registry
        self.site_host = site_host
        self.required = {c.id for c in registry.categories if c.required}

    def vendors(self, seen: Seen) -> list[Vendor]:
        if seen.kind in ("host", "blocked"):
            return [v for v in self.registry.vendors if v.declares_host(seen.value)]
        if seen.kind == "storage":
            return [v for v in self.registry.vendors if v.declares_storage(seen.value)]
        if seen.first_party:
            return [v for v in self.registry.vendors if v.declares_cookie(seen.value)]
        domain = seen.detail.split()[0].removeprefix("domain=").lstrip(".")
        return [
            v
            for v in self.registry.vendors
            if v.declares_host(domain)
            or any(h.removeprefix("*.").endswith("." + domain) or h == domain for h in v.hosts)
        ]

    def essential(self, seen: Seen) -> bool:
        cookie = seen.kind == "cookie" and seen.first_party
        return cookie and seen.value == self.registry.cookie_name

    def finding(
        self, seen: Seen, state: ConsentState, alone: frozenset[str] = frozenset()
    ) -> str | None:
        """The problem and its fix, or None when `seen` is declared and allowed.

        `alone`: the categories in whose "only …" state the same thing was seen, which narrow
        down the vendor to name in the fix."""
        if seen.kind == "blocked":
            return self._blocked(seen)
        if self.essential(seen):
            return None
        vendors = self.vendors(seen)
        allowed = state.granted | self.required
        if any(v.category in allowed for v in vendors):
            return None
        what = self._what(seen)
        when = state.phrase(self.registry)
        if vendors:
            categories = sorted({v.category for v in vendors})
            owner = f"vendor {_names(vendors)}, *{'*, *'.join(categories)}*"
            return (
                f"{what} ({owner}) was {self._verb(seen)} {when}: its script runs without "
                f"consent; load it only through the vendor's `tag` (or a gated placeholder "
                f'`data-consent="{categories[0]}"`), never as a plain <script>'
            )
        if not state.granted:
            return (
                f"{what} was {self._verb(seen)} {when}, and no vendor declares it: nothing but "
                f"the strictly necessary may run without consent; find what does it and load it "
                f"through a vendor's `tag`, or, if it is strictly necessary, add it to "
                f"`{self._key(seen)}` of a vendor of a required category"
            )
        categories = (state.granted & alone) or state.granted
        granted = [v for v in self.registry.vendors if v.category in categories]
        where = self._where(seen, [v for v in granted if v.tag] or granted)
        return f"{what} was {self._verb(seen)} {when}: add it to {where}"

    def revoked(self, seen: Seen, revoked: set[str]) -> str | None:
        """A declared vendor cookie or key that survived the revocation of its category."""
        if not seen.first_party or seen.kind not in ("cookie", "storage"):
            return None
        vendors = [v for v in self.vendors(seen) if v.category in revoked]
        if not vendors:
            return None
        category = vendors[0].category
        path = seen.detail.rpartition("path=")[2] if seen.kind == "cookie" else "/"
        if path != "/":
            return (
                f"{self._what(seen)} (vendor {_names(vendors)}) was still there after "
                f"*{category}* was revoked in the settings dialog: it sits on path `{path}`, and "
                f"the widget deletes vendor cookies on path / only; have the script that sets it "
                f"use path /"
            )
        deletes = (
            "removes the keys listed in `storage` from localStorage and sessionStorage"
            if seen.kind == "storage"
            else "deletes the names listed in `cookies` on path / of this domain and its parents"
        )
        return (
            f"{self._what(seen)} (vendor {_names(vendors)}) was still there after *{category}* "
            f"was revoked in the settings dialog: the widget {deletes}; make the entry of vendor "
            f"{_names(vendors)} match it, or have the tag set it there"
        )

    def _blocked(self, seen: Seen) -> str:
        if seen.value in ("inline", "eval", ""):
            return (
                f"the site's Content-Security-Policy blocked an {seen.value or 'unnamed'} script "
                f"({seen.detail}): put the code in a file and load it with `data-src`, or "
                f"declare it as a vendor's `tag`"
            )
        vendors = self.vendors(seen)
        # Browsers report the -elem / -attr variant of the directive a policy names.
        directive = seen.detail.removesuffix("-elem").removesuffix("-attr")
        tagged = [v for v in vendors if v.tag]
        if tagged and directive not in TAG_DIRECTIVES:
            return (
                f"the site's Content-Security-Policy blocked `{seen.value}` ({seen.detail}), "
                f"a host of vendor {_names(tagged)}, whose tag gets only "
                f"{', '.join(TAG_DIRECTIVES)} by default: add `csp: [{directive}]` to the "
                f"`tag` of vendor {_names(tagged)} (the CSP follows)"
            )
        if tagged:
            return (
                f"the site's Content-Security-Policy blocked `{seen.value}` ({seen.detail}), "
                f"a host of vendor {_names(tagged)}, whose tag the registry allows there: the "
                f"CSP served is not the one built from this registry; deploy `_headers` from "
                f"the same build as the pages (or, on a site using the CLI, add what its "
                f"`csp.txt` lists)"
            )
        if vendors:
            return (
                f"the site's Content-Security-Policy blocked `{seen.value}` ({seen.detail}), "
                f"which vendor {_names(vendors)} declares: only vendors with a `tag` get CSP "
                f"entries; declare the tag in the registry, and deploy `_headers` from the "
                f"same build as the pages"
            )
        where = self._where(seen, [v for v in self.registry.vendors if v.tag])
        return (
            f"`{seen.value}` was blocked by the site's Content-Security-Policy ({seen.detail}), "
            f"and no vendor declares it: if a declared tag needs it, add it to {where} (the "
            f"CSP follows); otherwise remove what requests it"
        )

    def _where(self, seen: Seen, candidates: list[Vendor]) -> str:
        """The vendor to declare it in: of the candidates, the one whose declarations look
        most like it (`_gcl_au` beside `_gcl_aw`; `www.facebook.com` beside
        `connect.facebook.net`), else all of them."""
        key = self._key(seen)
        candidates = _most_alike(seen, candidates)
        if not candidates:
            return f"`{key}` of the vendor that sets it"
        if len(candidates) == 1:
            return f"`{key}` of vendor `{candidates[0].id}`"
        return f"`{key}` of the vendor that sets it ({_names(candidates)})"

    @staticmethod
    def _what(seen: Seen) -> str:
        if seen.kind == "host":
            return f"a request to `{seen.value}`"
        if seen.kind == "storage":
            return f"{seen.detail} key `{seen.value}`"
        party = "" if seen.first_party else "third-party "
        return f"{party}cookie `{seen.value}` ({seen.detail})"

    @staticmethod
    def _verb(seen: Seen) -> str:
        return "sent" if seen.kind == "host" else "set"

    @staticmethod
    def _key(seen: Seen) -> str:
        return {"host": "hosts", "blocked": "hosts", "storage": "storage"}.get(seen.kind, "cookies")


# --- the site --------------------------------------------------------------------------


@dataclass
class Target:
    """The site's root address; a built folder is answered from its files at that address."""

    root: str  # e.g. https://example.com/policy/
    files: SiteFiles | None = None
    folder: str = ""  # the built folder answering for `root`, if any

    def label(self) -> str:
        return f"{self.folder} (served as {self.root})" if self.folder else self.root

    def normalise(self, url: str) -> str | None:
        url = url.split("#")[0]
        if not url.startswith(self.root) or url.lower().endswith(NOT_PAGES):
            return None
        return url

    def is_site(self, url: str) -> bool:
        parts = urlsplit(self.root)
        return url.startswith(f"{parts.scheme}://{parts.netloc}/")

    def short(self, url: str) -> str:
        return "/" + url[len(self.root) :] if url.startswith(self.root) else url


def built_site_root(site_dir: Path) -> str | None:
    """The address a built site was made for: the shortest URL of its sitemap."""
    sitemap = site_dir / "sitemap.xml"
    if not sitemap.exists():
        return None
    locs = _sitemap_locs(sitemap.read_bytes())
    return min(locs, key=len) if locs else None


def _sitemap_locs(xml: bytes) -> list[str]:
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return []
    return [el.text.strip() for el in root.iter() if el.tag.endswith("}loc") and el.text]


# --- the browser -----------------------------------------------------------------------


def chromium_path(explicit: str | None) -> str | None:
    """$CHROMIUM_PATH, else a system Chromium (Debian's), else None: Playwright's own."""
    chosen = explicit or os.environ.get("CHROMIUM_PATH")
    if chosen:
        return chosen
    return next((path for path in SYSTEM_CHROMIUM if Path(path).is_file()), None)


class Scanner:
    def __init__(self, registry: Registry, target: Target, browser, options):
        self.registry = registry
        self.target = target
        self.browser = browser
        self.options = options
        self.judge = Judge(registry, urlsplit(target.root).hostname or "")
        self.pages: list[str] = []
        self.langs: dict[str, str] = {}
        self.seen: list[Seen] = []
        self.revoked_leftovers: list[tuple[Seen, str]] = []
        self.remaining: list[str] = []  # cookies and keys right after revoking
        self.visits = 0

    # --- one consent state in one browser context ---

    def run_state(self, state: ConsentState) -> None:
        context = self.browser.new_context(ignore_https_errors=self.options.ignore_https_errors)
        context.set_default_timeout(WIDGET_TIMEOUT_MS)  # clicks on the widget
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        context.add_init_script(CSP_LISTENER)
        if self.target.files:
            context.route(f"{self.target.root}**", self.target.files.answer)
        page = context.new_page()
        # Requests count from the choice on: before it, the page is in state "no choice".
        where = {"url": "", "record": state.choice == "none"}
        page.on(
            "request",
            lambda request: where["record"] and self._request(request.url, where["url"], state),
        )
        known: set[tuple] = set()
        try:
            if state.choice == "none":
                self._crawl(context, page, state, where, known)
                return
            self._open(page, self.pages[0], state, where)
            if state.choice == "revoke":
                # Accept all and let every page's tags do what they do; then take it back.
                self._choose(page, state, "accept")
                for url in self.pages:
                    self._open(page, url, state, where)
                self._revoke(context, page, state, known)
            else:
                where["record"] = True
                self._choose(page, state, state.choice)
                self._settle(page)
                self._record_page(context, page, state, known)
            where["record"] = True
            self._visit_all(context, page, state, where, known)
        finally:
            context.close()

    def _crawl(self, context, page, state, where, known) -> None:
        queue = list(dict.fromkeys([self.target.root, *self._sitemap(context)]))
        queued = set(queue)
        while queue and len(self.pages) < self.options.max_pages:
            url = queue.pop(0)
            if not self._open(page, url, state, where, required=url == self.target.root):
                continue
            self.pages.append(url)
            self._record_page(context, page, state, known)
            for link in page.eval_on_selector_all(
                "a[href], link[rel=alternate][hreflang]", "els => els.map(e => e.href)"
            ):
                found = self.target.normalise(link)
                if found and found not in queued:
                    queued.add(found)
                    queue.append(found)

    def _sitemap(self, context) -> list[str]:
        """The pages `sitemap.xml` lists (none without one: the links are enough)."""
        url = urljoin(self.target.root, "sitemap.xml")
        if self.target.files:  # a built folder: its own file, not whatever is online
            found = self.target.files.file_for(urlsplit(url).path)
            xml = found.read_bytes() if found else b""
        else:
            try:
                response = context.request.get(url)
            except PlaywrightError:
                return []
            xml = response.body() if response.ok else b""
        locs = [self.target.normalise(loc) for loc in _sitemap_locs(xml)]
        return [loc for loc in locs if loc]

    def _visit_all(self, context, page, state, where, known) -> None:
        for url in self.pages:
            self._open(page, url, state, where)
            self._record_page(context, page, state, known)

    def _open(self, page, url: str, state, where, required: bool = True) -> bool:
        where["url"] = self.target.short(url)
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if required:
                raise ScanError(f"cannot open {url}: {str(error).splitlines()[0]}") from None
            return False
        if (
            response is None
            or not response.ok
            or "html" not in response.headers.get("content-type", "")
        ):
            if required:
                status = response.status if response else "no response"
                raise ScanError(f"cannot open {url}: {status}")
            return False
        self.visits += 1
        self._settle(page)
        return True

    def _settle(self, page) -> None:
        # No widget on the page: what it does is judged as it is. A page that never goes quiet
        # (polling) is recorded as it is after the wait.
        with contextlib.suppress(PlaywrightError):
            page.wait_for_function(READY, timeout=WIDGET_TIMEOUT_MS)
        with contextlib.suppress(PlaywrightError):
            page.wait_for_load_state("networkidle", timeout=IDLE_TIMEOUT_MS)

    # --- recording ---

    def _request(self, url: str, page: str, state: ConsentState) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "ws", "wss") or self.target.is_site(url):
            return
        self.seen.append(Seen("host", parts.hostname or "", "", page, state.name))

    def _cookie(self, cookie: dict, url: str, state: ConsentState) -> Seen:
        domain = cookie["domain"].lstrip(".")
        first = domain == self.judge.site_host or self.judge.site_host.endswith("." + domain)
        detail = f"domain={cookie['domain']} path={cookie['path']}"
        return Seen("cookie", cookie["name"], detail, url, state.name, first)

    def _record_page(self, context, page, state: ConsentState, known: set[tuple]) -> None:
        url = self.target.short(page.url)
        if url not in self.langs:
            self.langs[url] = page.evaluate("document.documentElement.lang") or ""
        for cookie in context.cookies():
            key = ("cookie", cookie["name"], cookie["domain"], cookie["path"])
            if key in known:
                continue
            known.add(key)
            self.seen.append(self._cookie(cookie, url, state))
        for area, keys in page.evaluate(STORAGE_KEYS).items():
            for name in keys:
                if ("storage", area, name) not in known:
                    known.add(("storage", area, name))
                    self.seen.append(Seen("storage", name, area, url, state.name))
        for violation in page.evaluate("window.__scanCsp || []"):
            blocked = urlsplit(violation["uri"]).hostname or violation["uri"]
            detail = violation["directive"]
            self.seen.append(Seen("blocked", blocked, detail, url, state.name))
        page.evaluate("window.__scanCsp = []")

    # --- choosing, as a visitor does ---

    def _words(self, page) -> dict[str, str]:
        lang = page.evaluate("document.documentElement.lang")
        return self.registry.texts[language(self.registry, lang)]

    def _choose(self, page, state: ConsentState, choice: str) -> None:
        words = self._words(page)
        banner = page.get_by_role("region", name=words["banner_title"])
        try:
            if choice in ("accept", "reject"):
                key = "accept_all" if choice == "accept" else "reject_all"
                banner.get_by_role("button", name=words[key], exact=True).click()
                return
            banner.get_by_role("button", name=words["settings"], exact=True).click()
            self._save_settings(page, words, state.granted)
        except PlaywrightError as error:
            raise ScanError(
                f"could not choose '{state.name}' on {page.url}: is the consent widget on the "
                f"page, in the registry's words? ({str(error).splitlines()[0]})"
            ) from None

    def _save_settings(self, page, words: dict[str, str], granted: frozenset[str]) -> None:
        dialog = page.get_by_role("dialog", name=words["dialog_title"])
        switches = dialog.get_by_role("switch")
        for index, category in enumerate(self.registry.categories):
            if not category.required:
                switches.nth(index).set_checked(category.id in granted)
        dialog.get_by_role("button", name=words["save"], exact=True).click()

    def _revoke(self, context, page, state: ConsentState, known: set[tuple]) -> None:
        """Open the settings dialog (the footer link, as a visitor would) and switch all off."""
        words = self._words(page)
        opener = page.locator("[data-consent-open]")
        try:
            if opener.count():
                opener.first.click()
            else:
                page.evaluate("consentWidget.open()")
            self._save_settings(page, words, frozenset())
        except PlaywrightError as error:
            reason = str(error).splitlines()[0]
            raise ScanError(f"could not revoke consent on {page.url}: {reason}") from None
        self._settle(page)
        revoked = {c.id for c in self.registry.categories if not c.required}
        url = self.target.short(page.url)
        # What is left now is judged here, once; the visits after it record only what is new.
        for cookie in context.cookies():
            known.add(("cookie", cookie["name"], cookie["domain"], cookie["path"]))
            seen = self._cookie(cookie, url, state)
            self.remaining.append(f"cookie {seen.value} ({seen.detail})")
            self._leftover(seen, revoked)
        for area, keys in page.evaluate(STORAGE_KEYS).items():
            for name in keys:
                known.add(("storage", area, name))
                self.remaining.append(f"{area} {name}")
                self._leftover(Seen("storage", name, area, url, state.name), revoked)
        page.evaluate("window.__scanCsp = []")

    def _leftover(self, seen: Seen, revoked: set[str]) -> None:
        message = self.judge.revoked(seen, revoked)
        if message:
            self.revoked_leftovers.append((seen, message))

    # --- the verdict ---

    def seen_once(self) -> list[Seen]:
        """What was seen; a request the CSP blocked never left, so it counts only as blocked."""
        blocked = {(s.state, s.page, s.value) for s in self.seen if s.kind == "blocked"}
        return [
            s for s in self.seen if not (s.kind == "host" and (s.state, s.page, s.value) in blocked)
        ]

    def findings(self) -> list[Finding]:
        """Every problem once per state and thing seen, with the pages it happened on."""
        states = {s.name: s for s in consent_states(self.registry)}
        # The categories in whose "only …" state each thing appeared: whose it probably is.
        alone: dict[tuple[str, str], set[str]] = {}
        for seen in self.seen:
            if states[seen.state].choice == "settings":
                alone.setdefault((seen.kind, seen.value), set()).update(states[seen.state].granted)
        judged = []
        for seen in self.seen_once():
            hint = frozenset(alone.get((seen.kind, seen.value), ()))
            judged.append((seen, self.judge.finding(seen, states[seen.state], hint)))
        grouped: dict[tuple, Finding] = {}
        for seen, message in [*judged, *self.revoked_leftovers]:
            if not message:
                continue
            key = (seen.state, seen.kind, seen.value, message)
            finding = grouped.setdefault(
                key, Finding(seen.state, seen.kind, seen.value, seen.detail, message)
            )
            if seen.page not in finding.pages:
                finding.pages.append(seen.page)
        order = list(states)
        return sorted(grouped.values(), key=lambda f: (order.index(f.state), f.kind, f.value))

    def stale(self) -> list[str]:
        warnings = []
        for vendor in self.registry.vendors:
            matched = [s for s in self.seen if vendor in self.judge.vendors(s)]
            if not matched:
                warnings.append(
                    f"vendor `{vendor.id}`: none of its hosts, cookies or storage keys was seen "
                    f"in any state. If the site no longer uses it, remove it; if its tag is "
                    f"missing, declare `tag`"
                )
        return warnings

    def seen_by_state(self) -> dict[str, dict[str, list[str]]]:
        table: dict[str, dict[str, set[str]]] = {}
        for seen in self.seen_once():
            if seen.kind == "blocked":
                continue
            vendors = ", ".join(v.id for v in self.judge.vendors(seen))
            if self.judge.essential(seen):
                vendors = "consent record"
            label = f"{seen.value} ({vendors or 'undeclared'})"
            table.setdefault(seen.state, {}).setdefault(seen.kind, set()).add(label)
        order = [s.name for s in consent_states(self.registry)]
        return {
            state: {kind: sorted(values) for kind, values in table.get(state, {}).items()}
            for state in order
        }


def scan(registry: Registry, target: Target, options) -> Report:
    if sync_playwright is None:
        raise ScanError(
            "the scan needs Playwright: `pip install 'policy-site[scan]'` (or `make scan`)"
        )
    started = time.monotonic()
    args = [*CHROMIUM_ARGS]
    if options.host_rules:
        # Mapped hosts are local servers (tests' fake vendors): Chromium would refuse a public
        # site's requests to them (Local Network Access) unless told they are expected.
        args.append(f"--host-resolver-rules={options.host_rules}")
        args.append(f"--disable-features={LOCAL_NETWORK_CHECKS}")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(options.chromium), args=args
            )
        except PlaywrightError as error:
            raise ScanError(
                f"cannot start Chromium ({str(error).splitlines()[0]}); set CHROMIUM_PATH or "
                f"run `python -m playwright install chromium`"
            ) from None
        scanner = Scanner(registry, target, browser, options)
        try:
            for state in consent_states(registry):
                scanner.run_state(state)
        finally:
            browser.close()
    return Report(
        target=target.label(),
        registry=registry.source,
        pages=[
            {"url": target.short(u), "lang": scanner.langs.get(target.short(u), "")}
            for u in scanner.pages
        ],
        states=[s.name for s in consent_states(registry)],
        visits=scanner.visits,
        seconds=round(time.monotonic() - started, 1),
        findings=scanner.findings(),
        warnings=scanner.stale(),
        seen=scanner.seen_by_state(),
        remaining_after_revocation=scanner.remaining,
    )


# --- command line ----------------------------------------------------------------------


def add_arguments(parser) -> None:
    parser.add_argument("target", help="a built site folder (e.g. site) or the site's https:// URL")
    parser.add_argument(
        "--registry", type=Path, default=Path("consent.yml"), help="default: consent.yml"
    )
    parser.add_argument(
        "--report-dir", type=Path, default=Path("."), help="where site-scan.md/.json go"
    )
    parser.add_argument("--max-pages", type=int, default=200, help="stop crawling after N pages")
    parser.add_argument("--chromium", help="Chromium binary (default: $CHROMIUM_PATH, Debian's)")
    parser.add_argument(
        "--host-rules",
        help="Chromium --host-resolver-rules, e.g. 'MAP www.googletagmanager.com 127.0.0.1:8443' "
        "(tests: fake vendor servers; also lets the site reach such local servers)",
    )
    parser.add_argument(
        "--ignore-https-errors",
        action="store_true",
        help="accept any certificate (a staging server, a test CA)",
    )


def run(registry: Registry, args) -> int:
    """`python -m consent_widget scan`: 0 clean, 1 findings, 2 the scan could not run."""
    if args.max_pages < 1:
        print("scan: --max-pages must be at least 1", flush=True)
        return 2
    if args.target.startswith(("http://", "https://")):
        target = Target(args.target if args.target.endswith("/") else args.target + "/")
    else:
        site_dir = Path(args.target)
        if not (site_dir / "index.html").is_file():
            print(f"scan: {site_dir}: not a built site (no index.html); run `make build`")
            return 2
        # Its own address (cookies, links and CSP as deployed); a made-up one without a sitemap.
        root = built_site_root(site_dir) or UNKNOWN_ROOT
        target = Target(root, files=SiteFiles(site_dir, root), folder=str(site_dir))
    try:
        report = scan(registry, target, args)
    except ScanError as error:
        print(f"scan: {error}", flush=True)
        return 2
    args.report_dir.mkdir(parents=True, exist_ok=True)
    (args.report_dir / "site-scan.md").write_text(report.markdown(), encoding="utf-8")
    (args.report_dir / "site-scan.json").write_text(report.json(), encoding="utf-8")
    print(report.text())
    print(f"report: {args.report_dir / 'site-scan.md'}, {args.report_dir / 'site-scan.json'}")
    return 1 if report.findings else 0
