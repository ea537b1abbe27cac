"""The registry proves itself: a real Chromium visits every page in every consent state and
fails on anything the registry does not declare.

    python -m consent_widget scan SITE_DIR|URL [--registry consent.yml] [--report-dir DIR]

States: no choice yet; Reject all; each optional category alone; Accept all; then revoked
through the settings dialog. In each, every page (from `sitemap.xml`, then same-site links, so
both languages) is opened, each in its own tab, and kept open until the whole browser has been
quiet (no request, no cookie or storage write) for a settle period (`--settle`, 3 s: tags that
write after a timer or an idle callback are caught); then cookies and storage are read again.
Recorded: each request's origin (scheme, host, port), each cookie (name, domain, path) and each
localStorage / sessionStorage key as the page's scripts write them, each request the CSP
blocked; pop-up windows the pages open, and pages that leave the site by a redirect, are
recorded and named as such. Each is matched to the vendors that declare it (`hosts`, `cookies`,
`storage`) and to the categories granted in that state. A finding (exit 1) is:
  * a request that leaves the site, or a non-essential cookie or key, before a choice, after
    Reject all or after revoking;
  * a host, cookie or key that no vendor of a granted category declares;
  * a declared vendor cookie or key still there right after its category was revoked;
  * anything the site's CSP blocked (a tag that cannot work as declared).
Declared vendors never seen are warnings (stale declarations). Findings of one kind with the
same verdict on the same pages are one line ("200 cookies … were set …"; every name in the
JSON). The report is printed and written as `site-scan.md` and `site-scan.json`.
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
# Quiet for this long (no request in flight or started, no cookie or storage write) ends a batch
# of pages: real tags write after a timer or an idle callback of a second or two.
DEFAULT_SETTLE_S = 3.0
QUIET_CAP_S = 30.0  # a page that never goes quiet (polling) is recorded as it is by then
POLL_MS = 100
BATCH = 10  # pages open at once (each in its own tab, all settling together)
GROUP_SHOWN = 3  # names written out in a grouped finding's line
SEEN_SHOWN = 20  # names in a cell of the Markdown report's table of what was seen
NOT_PAGES = (".xml", ".gz", ".json", ".txt", ".js", ".css", ".png", ".jpg", ".svg", ".pdf", ".ico")
UNKNOWN_ROOT = "https://site.invalid/"
READY = "() => !!window.consentWidget && document.readyState !== 'loading'"
# CSP violations of the page, kept until the scan reads them (they never reach the network).
CSP_LISTENER = """
window.__scanCsp = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__scanCsp.push({uri: e.blockedURI, directive: e.effectiveDirective}));
"""
# Every cookie and storage write of the page's own scripts, reported as it happens with the
# window it happens in (the binding tells the scan which tab): cookies through document.cookie
# and cookieStore, storage through setItem, and, for keys assigned as properties, a poll. A
# cookie counts once the browser really keeps it (visible right after the write).
WRITE_WATCH = """(() => {
  if (window.__scanWatch) return;
  window.__scanWatch = true;
  // When it happened too: the report reaches the scan a moment later.
  const report = (...a) => { try { window.__scanSaw(...a, performance.timeOrigin + performance.now()); } catch (e) {} };
  const jar = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  // Kept with this value: a deletion, or a write the browser refused, is not a cookie set.
  const has = (doc, name, value) => (jar.get.call(doc) || '').split('; ').some(c => c === `${name}=${value}`);
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true, enumerable: jar.enumerable,
    get() { return jar.get.call(this); },
    set(value) {
      jar.set.call(this, value);
      const pair = String(value).split(';')[0], at = pair.indexOf('=');
      const name = (at < 0 ? '' : pair.slice(0, at)).trim(), val = (at < 0 ? pair : pair.slice(at + 1)).trim();
      if (val && has(this, name, val)) report('cookie', name, String(value), location.href);
    },
  });
  if (window.CookieStore && CookieStore.prototype.set) {
    const set = CookieStore.prototype.set;
    CookieStore.prototype.set = function (a, b) {
      const o = typeof a === 'object' ? a : {name: a, value: b};
      const attrs = `${o.name}=${o.value}` + (o.domain ? `; domain=${o.domain}` : '') + `; path=${o.path || '/'}`;
      return set.apply(this, arguments).then(r => { if (o.value && has(document, o.name, o.value)) report('cookie', o.name, attrs, location.href); return r; });
    };
  }
  const area = s => { try { return s === window.localStorage ? 'localStorage' : 'sessionStorage'; } catch (e) { return 'sessionStorage'; } };
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (k, v) {
    setItem.call(this, k, v);
    report('storage', String(k), area(this), location.href);
  };
  const known = {localStorage: new Set(), sessionStorage: new Set()};
  const poll = () => {
    for (const name of ['localStorage', 'sessionStorage']) {
      let keys = [];
      try { keys = Object.keys(window[name]); } catch (e) {}
      for (const k of keys) if (!known[name].has(k)) { known[name].add(k); report('storage-seen', k, name, location.href); }
    }
  };
  poll();
  setInterval(poll, POLL_MS);
})();""".replace("POLL_MS", str(POLL_MS))
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
    value: str  # the first of `values`
    detail: str
    message: str  # what was seen and the fix, in an editor's words
    pages: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)  # every name, host or key it is about

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
    settle_seconds: float = DEFAULT_SETTLE_S
    # Addresses of the site whose page ended on another origin (a redirect): address → where.
    left_site: dict[str, str] = field(default_factory=dict)
    # Windows the pages opened (window.open): {"opened_by", "url", "states"}.
    popups: list[dict] = field(default_factory=list)
    never_quiet: list[str] = field(default_factory=list)  # pages still busy after the cap

    def summary(self) -> str:
        langs: dict[str, int] = {}
        for page in self.pages:
            if page["url"] not in self.left_site:
                langs[page["lang"]] = langs.get(page["lang"], 0) + 1
        by_lang = ", ".join(f"{lang or '?'} {count}" for lang, count in sorted(langs.items()))
        return (
            f"{sum(langs.values())} pages ({by_lang}) × {len(self.states)} consent states, each "
            f"batch of pages recorded until quiet for {self.settle_seconds:g} s: "
            f"{self.visits} page visits in {self.seconds:.1f} s"
        )

    def elsewhere(self) -> list[str]:
        """What happened outside the site's own pages, one line each."""
        lines = [
            f"{page} left the site: it ended on {where} (another origin; what it did there is "
            f"recorded under '{page} (left the site for {origin(where)})')"
            for page, where in self.left_site.items()
        ]
        lines += [
            f"{popup['opened_by']} opened a pop-up window ({popup['url']}) in: "
            f"{', '.join(popup['states'])}"
            for popup in self.popups
        ]
        lines += [
            f"{page} never went quiet within {QUIET_CAP_S:g} s: recorded as it was then"
            for page in self.never_quiet
        ]
        return lines

    def text(self) -> str:
        lines = [f"scan of {self.target} against {self.registry}", self.summary()]
        lines += [f"note: {line}" for line in self.elsewhere()]
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
        if self.elsewhere():
            out += ["", "## Outside the site's pages", ""]
            out += [f"- {line}" for line in self.elsewhere()]
        out += ["", "## Seen, per consent state", ""]
        out += ["| State | Hosts | Cookies | Storage keys |", "|---|---|---|---|"]
        for state, kinds in self.seen.items():
            cells = [_cell(kinds.get(k, [])) for k in ("host", "cookie", "storage")]
            out.append(f"| {state} | {' | '.join(cells)} |")
        left = ", ".join(self.remaining_after_revocation) or "nothing"
        out += ["", f"Right after revoking in the settings dialog, the browser still held: {left}."]
        out += ["", "## Pages", ""]
        out += [
            f"- {page['url']} ({page['lang'] or '?'})"
            if page["url"] not in self.left_site
            else f"- {page['url']} (left the site for {self.left_site[page['url']]})"
            for page in self.pages
        ]
        return "\n".join(out) + "\n"

    def json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"


def _cell(values: list[str]) -> str:
    """A table cell of the Markdown report: a long list is cut (the JSON has it whole)."""
    shown = values[:SEEN_SHOWN]
    more = f", and {len(values) - SEEN_SHOWN} more in site-scan.json" if values[SEEN_SHOWN:] else ""
    return (", ".join(shown) + more).replace("|", "\\|") or "–"


# --- judging what was seen -------------------------------------------------------------


def origin(url: str) -> str:
    """scheme://host[:port] as browsers write an origin: another port is another site."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def hostname(value: str) -> str:
    """The host of an origin (or of a bare host name), as vendors declare it in `hosts`."""
    return (urlsplit(value).hostname or "") if "://" in value else value


@dataclass(frozen=True)
class Subject:
    """What a finding is about, one thing or many, in the words its verdict needs."""

    FIELDS = ("\x00what\x00", "\x00was\x00", "\x00it\x00", "\x00its\x00")
    what: str
    was: str = "was"
    it: str = "it"
    its: str = "its"

    @classmethod
    def one(cls, seen: Seen) -> Subject:
        return cls(Judge.what(seen))

    @classmethod
    def many(cls, seen: list[Seen]) -> Subject:
        kind = {"host": "requests", "storage": f"{seen[0].detail} keys"}.get(seen[0].kind)
        kind = kind or ("cookies" if seen[0].first_party else "third-party cookies")
        names = [f"`{s.value}`" for s in seen[:GROUP_SHOWN]]
        rest = len(seen) - GROUP_SHOWN
        listed = ", ".join(names) + (
            f" and {rest} more, every one in site-scan.json" if rest > 0 else ""
        )
        what = (
            f"{len(seen)} {kind} to {listed}"
            if seen[0].kind == "host"
            else f"{len(seen)} {kind} ({listed})"
        )
        return cls(what, "were", "them", "their")

    def fill(self, verdict: str) -> str:
        for field_, value in zip(
            self.FIELDS, (self.what, self.was, self.it, self.its), strict=True
        ):
            verdict = verdict.replace(field_, value)
        return verdict


def _names(vendors: list[Vendor]) -> str:
    return " or ".join(f"`{v.id}`" for v in vendors)


def _likeness(seen: Seen, vendor: Vendor) -> int:
    """How much a vendor's declarations look like what was seen (0: not at all)."""
    if seen.kind in ("host", "blocked"):
        label = hostname(seen.value).split(".")[-2:-1]
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
            return [v for v in self.registry.vendors if v.declares_host(hostname(seen.value))]
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
        verdict = self.verdict(seen, state, alone)
        return verdict and Subject.one(seen).fill(verdict)

    def verdict(
        self, seen: Seen, state: ConsentState, alone: frozenset[str] = frozenset()
    ) -> str | None:
        """`finding()` with its subject left open (Subject fills it): things with the same
        verdict are one finding."""
        if seen.kind == "blocked":
            return self._blocked(seen)
        if self.essential(seen):
            return None
        vendors = self.vendors(seen)
        allowed = state.granted | self.required
        if any(v.category in allowed for v in vendors):
            return None
        what, was, it, its = Subject.FIELDS
        when = state.phrase(self.registry)
        verb = self._verb(seen)
        if vendors:
            categories = sorted({v.category for v in vendors})
            owner = f"vendor {_names(vendors)}, *{'*, *'.join(categories)}*"
            return (
                f"{what} ({owner}) {was} {verb} {when}: {its} script runs without "
                f"consent; load it only through the vendor's `tag` (or a gated placeholder "
                f'`data-consent="{categories[0]}"`), never as a plain <script>'
            )
        if not state.granted:
            return (
                f"{what} {was} {verb} {when}, and no vendor declares {it}: nothing but "
                f"the strictly necessary may run without consent; find what does it and load it "
                f"through a vendor's `tag`, or, if it is strictly necessary, add {it} to "
                f"`{self._key(seen)}` of a vendor of a required category"
            )
        categories = (state.granted & alone) or state.granted
        granted = [v for v in self.registry.vendors if v.category in categories]
        where = self._where(seen, [v for v in granted if v.tag] or granted)
        return f"{what} {was} {verb} {when}: add {it} to {where}"

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
                f"{self.what(seen)} (vendor {_names(vendors)}) was still there after "
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
            f"{self.what(seen)} (vendor {_names(vendors)}) was still there after *{category}* "
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
    def what(seen: Seen) -> str:
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


@dataclass
class Tab:
    """A browser tab the scan opened (or a window a page opened), and what it is."""

    page: object  # Playwright's Page
    url: str = ""  # the site's address it was opened at
    opened_by: Tab | None = None  # a pop-up: the tab whose page opened it
    location: str = ""  # where its last navigation went (a redirect may leave the site)

    def label(self, target: Target) -> str:
        """Where something happened, in the report: the site's page, and whether it was a
        pop-up of it or a page that had left the site."""
        if self.opened_by is not None:
            return f"{self.opened_by.label(target)} (pop-up window)"
        short = target.short(self.url)
        now = self.location or self.url
        if now.startswith(("http://", "https://")) and not target.is_site(now):
            return f"{short} (left the site for {origin(now)})"
        return short


class Scanner:
    def __init__(self, registry: Registry, target: Target, browser, options):
        self.registry = registry
        self.target = target
        self.browser = browser
        self.options = options
        self.settle = getattr(options, "settle", DEFAULT_SETTLE_S)
        self.judge = Judge(registry, urlsplit(target.root).hostname or "")
        self.pages: list[str] = []
        self.langs: dict[str, str] = {}
        self.seen: list[Seen] = []
        self.revoked_leftovers: list[tuple[Seen, str]] = []
        self.remaining: list[str] = []  # cookies and keys right after revoking
        self.visits = 0
        self.left_site: dict[str, str] = {}
        self.popups: dict[tuple[str, str], list[str]] = {}  # (opened by, url) → states
        self.never_quiet: list[str] = []
        # Per state: the tabs open, what is being recorded, network activity.
        self.tabs: dict[object, Tab] = {}
        self.opening = False  # the scan itself is opening a tab (not a pop-up)
        self.recording = False
        self.state: ConsentState | None = None
        self.inflight: set = set()
        self.last_activity = 0.0
        self.recorded: set[tuple] = set()
        self.written: dict[tuple[str, str], Tab] = {}  # (kind, name) → the tab that wrote it
        self.responses: list[tuple[object, Tab]] = []
        self.pending: list = []  # requests whose window was not known yet
        self.left_over: set[str] = set()  # cookies and keys judged right after revoking
        self.recording_since = 0.0  # ms since the epoch: writes before it are not this state's

    # --- one consent state in one browser context ---

    def run_state(self, state: ConsentState) -> None:
        context = self.browser.new_context(ignore_https_errors=self.options.ignore_https_errors)
        context.set_default_timeout(WIDGET_TIMEOUT_MS)  # clicks on the widget
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        context.expose_binding("__scanSaw", self._saw)
        context.add_init_script(CSP_LISTENER)
        context.add_init_script(WRITE_WATCH)
        if self.target.files:
            context.route(f"{self.target.root}**", self.target.files.answer)
        self.state, self.tabs, self.recorded, self.written = state, {}, set(), {}
        self.inflight, self.responses, self.pending, self.left_over = set(), [], [], set()
        context.on("page", self._new_window)
        context.on("request", self._on_request)
        context.on("requestfinished", self._on_done)
        context.on("requestfailed", self._on_done)
        context.on("response", self._on_response)
        # Before the choice, what the first page does belongs to state "no choice".
        self.recording, self.recording_since = state.choice == "none", 0.0
        try:
            if state.choice == "none":
                self._crawl(context)
                return
            # The choice is made on the first page, which stays open beside the others.
            first = self._open_tab(context, self.pages[0])
            if state.choice == "revoke":
                # Accept all and let every page's tags do what they do; then take it back, and
                # visit every page again.
                self._choose(first.page, state, "accept")
                self._visit(context, self.pages[1:], keep=first, record=False)
                self._record_from_now()
                self._revoke(context, first, state)
                self._close_all_but(None)
                self._visit(context, self.pages, keep=None)
            else:
                self._record_from_now()
                self._choose(first.page, state, state.choice)
                # Every page again, the first too: a page that loads with the choice stored
                # runs other code than the one on which it was made.
                self._visit(context, self.pages, keep=first)
        finally:
            self.recording = False
            context.close()

    def _record_from_now(self) -> None:
        self.recording, self.recording_since = True, time.time() * 1000

    def _crawl(self, context) -> None:
        queue = list(dict.fromkeys([self.target.root, *self._sitemap(context)]))
        queued = set(queue)
        while queue and len(self.pages) < self.options.max_pages:
            room = min(BATCH, self.options.max_pages - len(self.pages))
            urls, queue = queue[:room], queue[room:]
            # Only the site's root must open; another address may be a file or a dead link.
            batch = [
                tab
                for tab in self._open_tabs(context, urls, required={self.target.root})
                if tab is not None
            ]
            for tab in batch:
                if not tab.page.url.startswith(self.target.root):
                    continue  # another origin's links are not the site's pages
                links = tab.page.eval_on_selector_all(
                    "a[href], link[rel=alternate][hreflang]", "els => els.map(e => e.href)"
                )
                for link in links:
                    found = self.target.normalise(link)
                    if found and found not in queued:
                        queued.add(found)
                        queue.append(found)
            self.pages += [tab.url for tab in batch]
            self._settle_and_record(context)
            self._close_all_but(None)

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

    def _visit(self, context, urls: list[str], keep: Tab | None, record: bool = True) -> None:
        """Open the pages in tabs, BATCH at a time, each batch recorded once it is quiet
        (`keep`, the tab of the choice, stays open and is recorded with the first batch)."""
        for start in range(0, max(len(urls), 1), BATCH):
            self._open_tabs(context, urls[start : start + BATCH])
            if record:
                self._settle_and_record(context)
            else:
                self._wait_for_quiet()
            self._close_all_but(keep)
            keep = keep if not record else None

    # --- tabs ---

    def _open_tab(self, context, url: str) -> Tab:
        return self._open_tabs(context, [url])[0]

    def _open_tabs(self, context, urls: list[str], required: set[str] | None = None) -> list:
        """Each address in a new tab, loading side by side; None where a page did not open
        (an error unless the address is `required`, by default every one)."""
        started = []
        for url in urls:
            self.opening = True
            try:
                page = context.new_page()
            finally:
                self.opening = False
            tab = self.tabs.setdefault(page, Tab(page))
            tab.url = url
            must = required is None or url in required
            started.append((tab, must, self._start(page, url, must)))
        opened = []
        for tab, must, response in started:
            if not self._loaded(tab.page, tab.url, response, must):
                self.tabs.pop(tab.page, None)
                tab.page.close()
                opened.append(None)
                continue
            final = tab.page.url
            if self.target.is_site(final):
                lang = tab.page.evaluate("document.documentElement.lang") or ""
                self.langs.setdefault(self.target.short(tab.url), lang)
            else:
                self.left_site[self.target.short(tab.url)] = final
            opened.append(tab)
        return opened

    def _new_window(self, page) -> None:
        """A window the scan did not open: a pop-up of one of its tabs."""
        if page in self.tabs:
            return
        opener = page.opener()
        if opener is None and self.opening:
            self.tabs[page] = Tab(page)  # the scan's own new tab: filled in by _open_tab
            return
        parent = self.tabs.get(opener) or next(iter(self.tabs.values()), None)
        self.tabs[page] = Tab(page, url=parent.url if parent else "", opened_by=parent)

    def _close_all_but(self, keep: Tab | None) -> None:
        for page, tab in list(self.tabs.items()):
            if tab is keep:
                continue
            if tab.opened_by is not None and self.recording:
                where = (tab.opened_by.label(self.target), page.url)
                states = self.popups.setdefault(where, [])
                if self.state.name not in states:
                    states.append(self.state.name)
            with contextlib.suppress(PlaywrightError):
                page.close()
            self.tabs.pop(page, None)

    def _start(self, page, url: str, required: bool):
        """Start loading `url` (its response, or the error): the next tab need not wait. A
        network error is tried once more (a busy server refusing one of many connections)."""
        for attempt in (1, 2):
            try:
                return page.goto(url, wait_until="commit")
            except PlaywrightError as error:
                if attempt == 2 or "net::" not in str(error):
                    if required:
                        reason = str(error).splitlines()[0]
                        raise ScanError(f"cannot open {url}: {reason}") from None
                    return None
        return None

    def _loaded(self, page, url: str, response, required: bool) -> bool:
        if response is not None:
            with contextlib.suppress(PlaywrightError):
                page.wait_for_load_state("domcontentloaded")
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
        # No widget on the page: what it does is judged as it is.
        if self.target.is_site(page.url):
            with contextlib.suppress(PlaywrightError):
                page.wait_for_function(READY, timeout=WIDGET_TIMEOUT_MS)
        return True

    # --- quiet: nothing sent, nothing written, for the settle period ---

    def _activity(self) -> None:
        self.last_activity = time.monotonic()

    def _wait_for_quiet(self) -> None:
        """Until no request is in flight and nothing was sent or written for `settle` seconds
        (at most QUIET_CAP_S: then the busy pages are named in the report)."""
        self._activity()
        start = time.monotonic()
        pump = next((t.page for t in self.tabs.values() if not t.page.is_closed()), None)
        while pump is not None:
            now = time.monotonic()
            if not self.inflight and now - self.last_activity >= self.settle:
                return
            if now - start >= QUIET_CAP_S:
                for tab in self.tabs.values():
                    label = tab.label(self.target)
                    if label not in self.never_quiet:
                        self.never_quiet.append(label)
                return
            try:
                pump.wait_for_timeout(POLL_MS)  # lets the browser's events reach the scan
            except PlaywrightError:
                pump = next((t.page for t in self.tabs.values() if not t.page.is_closed()), None)

    def _settle_and_record(self, context) -> None:
        self._wait_for_quiet()
        self._record_pending()
        self._read_jar(context)
        for tab in list(self.tabs.values()):
            if tab.page.is_closed():
                continue
            self._read_tab(tab)

    # --- recording ---

    def _tab_of(self, request) -> Tab | None:
        try:
            page = request.frame.page
        except PlaywrightError:
            return None  # a service worker's request: no page
        if page is None:
            return None  # a pop-up's first request, before its page exists: see _pending
        if page not in self.tabs:
            self._new_window(page)  # a pop-up's first request comes before its "page" event
        tab = self.tabs.get(page)
        if tab and request.is_navigation_request() and request.frame.parent_frame is None:
            tab.location = request.url
        return tab

    def _on_request(self, request) -> None:
        self.inflight.add(request)
        self._activity()
        tab = self._tab_of(request)
        if not self.recording:
            return
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https", "ws", "wss") or self.target.is_site(request.url):
            return
        if tab is None:
            self.pending.append(request)  # its window is known once the batch is quiet
            return
        self._record("host", origin(request.url), "", tab)

    def _record_pending(self) -> None:
        pending, self.pending = self.pending, []
        for request in pending:
            self._record("host", origin(request.url), "", self._tab_of(request))

    def _on_done(self, request) -> None:
        self.inflight.discard(request)
        self._activity()

    def _on_response(self, response) -> None:
        tab = self._tab_of(response.request)
        if tab is not None and self.recording:
            self.responses.append((response, tab))

    def _saw(self, source, kind: str, name: str, detail: str, url: str, when_ms: float) -> None:
        """A write the watcher reported (WRITE_WATCH), in the tab it happened in."""
        self._activity()
        if not self.recording or when_ms < self.recording_since:
            return  # before the choice: state "no choice" saw it
        tab = self.tabs.get(source.get("page"))
        if kind == "cookie":
            seen = self._written_cookie(name, detail, url)
            self.written[("cookie", name)] = tab
            self._record("cookie", name, seen[0], tab, first_party=seen[1])
        elif kind == "storage":  # setItem, in this tab
            self.written.setdefault(("storage", name), tab)
            self._record("storage", name, detail, tab)
        elif ("storage", name) not in self.written and name not in self.left_over:
            # Only the poll saw it (a key assigned as a property): the first tab to see it. A
            # key another tab wrote is that tab's (localStorage is shared).
            self.written[("storage", name)] = tab
            self._record("storage", name, detail, tab)

    def _written_cookie(self, name: str, written: str, url: str) -> tuple[str, bool]:
        """(`domain=… path=…` as the browser keeps it, first party?) of a `document.cookie` write."""
        attrs = {}
        for part in written.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            attrs[key.lower()] = value.strip()
        host = urlsplit(url).hostname or ""
        domain = attrs.get("domain", "").lstrip(".").lower()
        stored_domain = f".{domain}" if domain else host
        path = attrs.get("path") or (urlsplit(url).path.rsplit("/", 1)[0] or "/")
        return f"domain={stored_domain} path={path}", self._first_party(domain or host)

    def _first_party(self, domain: str) -> bool:
        site = self.judge.site_host
        return domain == site or site.endswith("." + domain)

    def _record(self, kind: str, value: str, detail: str, tab: Tab | None, first_party=True):
        page = tab.label(self.target) if tab else "(a window the scan did not open)"
        key = (kind, value, detail, page)
        if key in self.recorded:
            return
        self.recorded.add(key)
        self.seen.append(Seen(kind, value, detail, page, self.state.name, first_party))

    def _read_jar(self, context) -> None:
        """Cookies no script wrote (set by an HTTP response, or missed): from the jar, at the
        end of the quiet period, each with the tab whose response set it where that is known."""
        for cookie in context.cookies():
            name = cookie["name"]
            if ("cookie", name) in self.written or ("jar", name) in self.written:
                continue
            if name in self.left_over:
                continue  # judged right after revoking; not written since
            tab = self._response_setting(name) or next(iter(self.tabs.values()), None)
            self.written[("jar", name)] = tab
            seen = self._cookie(cookie)
            self._record("cookie", name, seen.detail, tab, first_party=seen.first_party)

    def _response_setting(self, name: str) -> Tab | None:
        for response, tab in self.responses:
            with contextlib.suppress(PlaywrightError):
                for header in response.header_values("set-cookie"):
                    if header.split("=", 1)[0].strip() == name:
                        return tab
        return None

    def _read_tab(self, tab: Tab) -> None:
        """What the tab holds now that it is quiet: its storage, what the CSP blocked."""
        page = tab.page
        if tab.opened_by is None and tab.location and not self.target.is_site(tab.location):
            self.left_site[self.target.short(tab.url)] = tab.location
        with contextlib.suppress(PlaywrightError):
            for area, keys in page.evaluate(STORAGE_KEYS).items():
                for name in keys:
                    if name in self.left_over and ("storage", name) not in self.written:
                        continue  # judged right after revoking; not written since
                    self.written.setdefault(("storage", name), tab)
                    self._record("storage", name, area, self.written[("storage", name)])
            if tab.opened_by is None and not self.target.is_site(page.url):
                return  # another origin's page: its own CSP is not the site's
            for violation in page.evaluate("window.__scanCsp || []"):
                uri = violation["uri"]
                blocked = origin(uri) if "://" in uri else uri
                self._record("blocked", blocked, violation["directive"], tab)
            page.evaluate("window.__scanCsp = []")

    def _cookie(self, cookie: dict) -> Seen:
        domain = cookie["domain"].lstrip(".")
        detail = f"domain={cookie['domain']} path={cookie['path']}"
        return Seen("cookie", cookie["name"], detail, "", "", self._first_party(domain))

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

    def _revoke(self, context, tab: Tab, state: ConsentState) -> None:
        """Open the settings dialog (the footer link, as a visitor would) and switch all off;
        once quiet, judge what is left."""
        page = tab.page
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
        self._wait_for_quiet()
        self._record_pending()
        revoked = {c.id for c in self.registry.categories if not c.required}
        url = tab.label(self.target)
        # What is left now is judged here, once; the visits after it record only what is
        # written anew.
        self.written = {}  # from here on, only what is written anew counts
        for cookie in context.cookies():
            self.left_over.add(cookie["name"])
            seen = self._cookie(cookie)
            seen = Seen("cookie", seen.value, seen.detail, url, state.name, seen.first_party)
            self.remaining.append(f"cookie {seen.value} ({seen.detail})")
            self._leftover(seen, revoked)
        for area, keys in page.evaluate(STORAGE_KEYS).items():
            for name in keys:
                self.left_over.add(name)
                self.remaining.append(f"{area} {name}")
                self._leftover(Seen("storage", name, area, url, state.name), revoked)
        page.evaluate("window.__scanCsp = []")
        self.recorded = {key for key in self.recorded if key[0] == "host"}

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
        """Every problem once per state, with the pages it happened on; things of one kind
        with the same verdict on the same pages are one finding (200 cookies: one line)."""
        states = {s.name: s for s in consent_states(self.registry)}
        # The categories in whose "only …" state each thing appeared: whose it probably is.
        alone: dict[tuple[str, str], set[str]] = {}
        for seen in self.seen:
            if states[seen.state].choice == "settings":
                alone.setdefault((seen.kind, seen.value), set()).update(states[seen.state].granted)
        things: dict[tuple, tuple[Seen, list[str]]] = {}  # (state, kind, value, verdict) →
        for seen in self.seen_once():
            hint = frozenset(alone.get((seen.kind, seen.value), ()))
            verdict = self.judge.verdict(seen, states[seen.state], hint)
            if verdict:
                _, pages = things.setdefault(
                    (seen.state, seen.kind, seen.value, verdict), (seen, [])
                )
                if seen.page not in pages:
                    pages.append(seen.page)
        groups: dict[tuple, list[Seen]] = {}
        for (state, kind, value, verdict), (seen, pages) in things.items():
            if kind in ("host", "cookie", "storage"):
                area = seen.detail if kind == "storage" else ""
                key = (state, kind, area, seen.first_party, verdict, tuple(pages))
            else:
                key = (state, kind, value, verdict, tuple(pages))
            groups.setdefault(key, []).append(seen)
        found = []
        for key, members in groups.items():
            state, kind, verdict, pages = key[0], key[1], key[-2], list(key[-1])
            members.sort(key=lambda s: s.value)
            single = len(members) == 1
            subject = Subject.one(members[0]) if single else Subject.many(members)
            found.append(
                Finding(
                    state,
                    kind,
                    members[0].value,
                    members[0].detail if single else "",
                    subject.fill(verdict),
                    pages,
                    [s.value for s in members],
                )
            )
        for seen, message in self.revoked_leftovers:
            found.append(
                Finding(
                    seen.state,
                    seen.kind,
                    seen.value,
                    seen.detail,
                    message,
                    [seen.page],
                    [seen.value],
                )
            )
        order = list(states)
        return sorted(found, key=lambda f: (order.index(f.state), f.kind, f.value))

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
            {
                "url": target.short(u),
                "lang": ""
                if target.short(u) in scanner.left_site
                else scanner.langs.get(target.short(u), ""),
            }
            for u in scanner.pages
        ],
        states=[s.name for s in consent_states(registry)],
        visits=scanner.visits,
        seconds=round(time.monotonic() - started, 1),
        findings=scanner.findings(),
        warnings=scanner.stale(),
        seen=scanner.seen_by_state(),
        remaining_after_revocation=scanner.remaining,
        settle_seconds=scanner.settle,
        left_site=scanner.left_site,
        popups=[
            {"opened_by": opener, "url": url, "states": states}
            for (opener, url), states in scanner.popups.items()
        ],
        never_quiet=scanner.never_quiet,
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
    parser.add_argument(
        "--settle",
        type=float,
        default=DEFAULT_SETTLE_S,
        metavar="SECONDS",
        help=f"record each batch of pages until this long without a request or a cookie or "
        f"storage write (default {DEFAULT_SETTLE_S:g}: tags that write after a timer)",
    )
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
    if not 0 < args.settle <= QUIET_CAP_S:
        print(f"scan: --settle must be more than 0 and at most {QUIET_CAP_S:g} seconds", flush=True)
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
