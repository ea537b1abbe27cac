"""Load and validate the consent registry (`consent.yml`) into a model.

The JSON Schema (`schema.json`) is the one description of the format: editors get completion
from it, and it is what validates here. On top of it, the checks a schema cannot express:
unique ids, known categories, one translation per language. Every problem is reported at
once, each with file, line and key path, in words an editor can act on.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError
from jsonschema import Draft202012Validator

from . import hosts as hosts_module
from . import text_files, yaml_words

Path_ = tuple[str | int, ...]

DEFAULT_COOKIE_NAME = "consent"
DEFAULT_MAX_AGE_DAYS = 182  # about six months


# --- model -------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    id: str
    required: bool
    default: bool
    gpc_opt_out: bool
    title: dict[str, str]
    description: dict[str, str]


@dataclass(frozen=True)
class Tag:
    """A vendor's tag: an external script (`src`), or Google tag IDs (`google`)."""

    src: str | None = None
    google: tuple[str, ...] = ()
    csp: tuple[str, ...] = ()  # directives beyond what every tag of its kind gets


@dataclass(frozen=True)
class Vendor:
    id: str
    category: str
    service: dict[str, str]
    operator: dict[str, str]
    data: dict[str, str]
    purpose: dict[str, str]
    opt_out_url: dict[str, str]  # language → address (the same one where the registry gives one)
    privacy_url: dict[str, str]
    opt_out_note: dict[str, str] | None  # shown beside the opt-out link
    cookies: tuple[str, ...]
    confirmed: bool
    hosts: tuple[str, ...] = ()  # exact names, or *.example.com for every subdomain
    storage: tuple[str, ...] = ()  # localStorage / sessionStorage keys, or prefix*
    tag: Tag | None = None
    country: str | None = None  # where the recipient is (ISO 3166 code)
    opt_out_language: str | None = None  # the one language its opt-out page is in
    opt_out_kind: str = "opt-out"  # or "explanation": the page explains how, elsewhere

    def declares_host(self, host: str) -> bool:
        return any(host_matches(pattern, host) for pattern in self.hosts)

    def declares_cookie(self, name: str) -> bool:
        return any(name_matches(pattern, name) for pattern in self.cookies)

    def declares_storage(self, key: str) -> bool:
        return any(name_matches(pattern, key) for pattern in self.storage)


def host_matches(pattern: str, host: str) -> bool:
    """`*.example.com` matches every subdomain of example.com (not example.com itself), as in CSP."""
    host = host.lower().rstrip(".")
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern


def name_matches(pattern: str, name: str) -> bool:
    """A cookie or storage key: the exact name, or any name starting with `prefix*`."""
    return name.startswith(pattern[:-1]) if pattern.endswith("*") else name == pattern


@dataclass(frozen=True)
class Registry:
    source: str  # the file it came from, for messages
    revision: int
    languages: tuple[str, ...]
    cookie_name: str
    max_age_days: int
    consent_mode: dict[str, tuple[str, ...]]
    categories: tuple[Category, ...]
    vendors: tuple[Vendor, ...]
    texts: dict[str, dict[str, str]]  # language → interface word → text
    home_country: str | None = None  # the site's company's country: recipients elsewhere are abroad

    def vendors_abroad(self) -> tuple[Vendor, ...]:
        """Recipients outside the company's own country (what the banner names)."""
        if not self.home_country:
            return ()
        return tuple(v for v in self.vendors if v.country and v.country != self.home_country)

    def vendors_of(self, category_id: str) -> tuple[Vendor, ...]:
        return tuple(v for v in self.vendors if v.category == category_id)

    def category(self, category_id: str) -> Category:
        return next(c for c in self.categories if c.id == category_id)


# --- errors ------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    source: str
    line: int | None
    path: Path_
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        key = format_path(self.path)
        return f"{where}: {key}: {self.message}" if key else f"{where}: {self.message}"


class RegistryError(Exception):
    """One or more problems in a registry; str() lists them, one per line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def format_path(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# --- loading -----------------------------------------------------------------------


@cache
def schema() -> dict:
    return json.loads(resources.files(__package__).joinpath("schema.json").read_text("utf-8"))


@cache
def default_texts() -> dict[str, dict[str, str]]:
    return yaml.safe_load(resources.files(__package__).joinpath("texts.yml").read_text("utf-8"))


def load(path: str | Path) -> Registry:
    """Read, validate and model a registry file; raise RegistryError naming every problem."""
    path = Path(path)
    # Name the file as the editor sees it: relative to where they work, when it is below it.
    source = str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)
    try:
        text = text_files.read(path, source)
    except FileNotFoundError:
        raise RegistryError([Problem(source, None, (), "file not found")]) from None
    except text_files.NotUTF8 as error:
        raise RegistryError([Problem(source, error.line, (), error.words)]) from None
    except OSError as exc:
        raise RegistryError([Problem(source, None, (), f"cannot be read ({exc})")]) from None
    return parse(text, source)


def parse(text: str, source: str = "consent.yml") -> Registry:
    # A full-width ： or space where YAML needs its own: said as such (YAML would blame another
    # line, with a fix that does not help).
    full_width = yaml_words.full_width(text.splitlines())
    if full_width:
        raise RegistryError([Problem(source, line, (), words) for line, words in full_width])
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line, words = yaml_words.explain(exc, text.splitlines())
        raise RegistryError([Problem(source, line, (), words)]) from None
    lines = _LineIndex(root)
    problems = [Problem(source, line, path, msg) for path, line, msg in lines.duplicates]
    problems += [Problem(source, lines.line(path), path, msg) for path, msg in _unwritable(data)]
    if not isinstance(data, dict):
        problems.append(Problem(source, 1, (), "must be a mapping of keys (revision, categories…)"))
        raise RegistryError(problems)
    problems += [
        Problem(source, lines.line(path), path, message) for path, message in _schema_problems(data)
    ]
    if not problems:
        problems += [
            Problem(source, lines.line(path), path, message)
            for path, message in _cross_checks(data, lines)
        ]
    if problems:
        raise RegistryError(sorted(problems, key=lambda p: (p.line or 0, format_path(p.path))))
    return _model(data, source)


class _LineIndex:
    """Line numbers of every key and item in the YAML, by key path; duplicate keys found."""

    def __init__(self, root: yaml.Node | None):
        self.lines: dict[Path_, int] = {}
        self.duplicates: list[tuple[Path_, int, str]] = []
        if root is not None:
            self._walk(root, ())

    def _walk(self, node: yaml.Node, path: Path_) -> None:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key, value in node.value:
                child = (*path, key.value)
                if key.value in seen:
                    line = key.start_mark.line + 1
                    self.duplicates.append((child, line, "this key appears twice; keep one"))
                seen.add(key.value)
                self.lines[child] = key.start_mark.line + 1
                self._walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, (*path, index))

    def line(self, path: Path_) -> int | None:
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path)


# --- checks ------------------------------------------------------------------------


def _unwritable(data: Any, path: Path_ = ()) -> list[tuple[Path_, str]]:
    """Text that no file can hold (a lone surrogate such as "\\ud800"): the build would die."""
    if isinstance(data, str):
        try:
            data.encode("utf-8")
        except UnicodeEncodeError as error:
            bad = data[error.start : error.end].encode("unicode_escape").decode("ascii")
            return [(path, f"contains {bad}, which is not a character: remove that escape")]
        return []
    if isinstance(data, dict):
        return [p for key, value in data.items() for p in _unwritable(value, (*path, key))]
    if isinstance(data, list):
        return [p for index, value in enumerate(data) for p in _unwritable(value, (*path, index))]
    return []


TYPE_WORDS = {
    "integer": "a whole number",
    "boolean": "true or false",
    "string": "text",
    "array": "a list",
    "object": "a set of `key: value` lines",
}

# What each pattern of schema.json asks for, in words (keyed by how the pattern starts).
PATTERN_WORDS = {
    "^https://": "a web address starting with https://",
    "^[a-z][a-z0-9-]": "lower-case letters, digits and hyphens, starting with a letter (e.g. google-ads)",
    "^[a-z]{2}$": "a two-letter language code such as ja or en",
    "^[A-Za-z0-9_-]+$": "letters, digits, - and _ only",
    "^[A-Za-z0-9_.-]+\\*?$": "a cookie name, or a prefix ending in * (e.g. _ga_*)",
    "^(\\*\\.)?": "a host name such as www.example.com, or *.example.com for all its subdomains (lower case, no https:// and no path)",
    "^[^\\s*]+\\*?$": "a storage key, or a prefix ending in * (no spaces)",
    "^(G-": "a Google tag ID: G-… for Analytics or AW-… for Ads (e.g. G-ABC123DEF4, AW-123456789)",
    "^[A-Z]{2}$": "a two-letter country code in capitals, such as US or JP",
}


# What to write for a missing key whose value an editor cannot guess from the file.
REQUIRED_HINTS = {
    "revision": (
        ": add the line `revision: 1` at the top level (or, if it was deleted by mistake, the "
        "number it had on main)"
    ),
}


def _schema_problems(data: dict) -> list[tuple[Path_, str]]:
    problems = []
    for error in Draft202012Validator(schema()).iter_errors(data):
        path = tuple(error.absolute_path)
        problems += _explain(error, path)
    return problems


def _explain(error, path: Path_) -> list[tuple[Path_, str]]:
    value, kind, rule = error.instance, error.validator, error.validator_value
    if "propertyNames" in error.absolute_schema_path:
        path = (*path, value)  # a bad key: name the key itself, on its own line
    if kind == "anyOf":
        # One of several forms (an address, or one per language): explain the form the editor
        # chose, not every form it is not.
        chosen = [
            e
            for e in error.context
            if not (e.validator == "type" and e.absolute_path == error.absolute_path)
        ]
        if chosen:
            return [problem for e in chosen for problem in _explain(e, tuple(e.absolute_path))]
        if value is None:
            return [(path, "is empty: fill it in, or remove the key")]
        words = error.schema.get("description", "one of the allowed forms")
        return [(path, f"must be {words[0].lower()}{words[1:]}; found {value!r}")]
    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = list(error.schema.get("properties", {}))
        extra = [key for key in value if key not in allowed]
        return [((*path, key), _unknown_key(key, allowed)) for key in extra]
    if kind == "propertyNames":
        return [
            (path, f"unknown key {error.instance!r}; expected one of {', '.join(_enum(error))}")
        ]
    if kind == "required":
        missing = [key for key in rule if key not in value]
        return [(path, f"missing '{key}'{REQUIRED_HINTS.get(key, '')}") for key in missing]
    if kind == "type":
        if value is None:
            return [(path, "is empty: fill it in, or remove the key")]
        return [(path, f"must be {TYPE_WORDS.get(rule, rule)}; found {value!r}")]
    if kind == "pattern":
        if rule == "\\S":
            return [(path, "must not be empty")]
        expected = next(
            (words for start, words in PATTERN_WORDS.items() if rule.startswith(start)), None
        )
        return [(path, f"must be {expected or 'of the form ' + rule}; found {value!r}")]
    if kind == "minimum":
        return [(path, f"must be at least {rule}; found {value!r}")]
    if kind == "maximum":
        return [(path, f"must be at most {rule}; found {value!r}")]
    if kind == "minItems":
        return [(path, f"must list at least {rule} item{'s' if rule > 1 else ''}")]
    if kind == "minProperties":
        return [(path, "must not be empty")]
    if kind == "uniqueItems":
        return [(path, "lists the same value twice")]
    if kind == "enum":
        return [(path, f"must be one of {', '.join(map(str, rule))}; found {value!r}")]
    return [(path, error.message)]


def _enum(error) -> list[str]:
    return error.schema.get("propertyNames", {}).get("enum", [])


def _unknown_key(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(str(key), allowed, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else f" (allowed: {', '.join(allowed)})"
    return f"unknown key '{key}'{hint}"


def _cross_checks(data: dict, lines: _LineIndex) -> list[tuple[Path_, str]]:
    problems: list[tuple[Path_, str]] = []
    languages = data["languages"]
    categories = data["categories"]
    vendors = data.get("vendors", [])
    category_ids = [c["id"] for c in categories]

    for kind, items in (("categories", categories), ("vendors", vendors)):
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            if item["id"] in seen:
                first = lines.line((kind, seen[item["id"]]))
                what = "category" if kind == "categories" else "vendor"
                problems.append(
                    (
                        (kind, index, "id"),
                        f"id '{item['id']}' is already used by the {what} at line {first}: "
                        f"give each {what} its own id",
                    )
                )
            seen.setdefault(item["id"], index)

    if not any(c.get("required") for c in categories):
        problems.append(
            (
                ("categories",),
                "needs one category with `required: true` (the consent record itself)",
            )
        )
    for index, category in enumerate(categories):
        if category.get("required") and category.get("default") is False:
            problems.append(
                (("categories", index, "default"), "a required category is always on; remove this")
            )
        if category.get("required") and category.get("gpc_opt_out"):
            problems.append(
                (("categories", index, "gpc_opt_out"), "a required category cannot be opted out")
            )

    for index, vendor in enumerate(vendors):
        if vendor["category"] not in category_ids:
            problems.append(
                (
                    ("vendors", index, "category"),
                    _unknown("category", vendor["category"], category_ids),
                )
            )
    for index, vendor in enumerate(vendors):
        problems += _tag_problems(vendor, ("vendors", index), data)
        for position, pattern in enumerate(vendor.get("hosts", [])):
            problem = hosts_module.wildcard_problem(pattern)
            if problem:
                problems.append((("vendors", index, "hosts", position), problem))
    for signal, listed in data.get("consent_mode", {}).items():
        for position, category_id in enumerate(listed):
            if category_id not in category_ids:
                where = ("consent_mode", signal, position)
                problems.append((where, _unknown("category", category_id, category_ids)))

    problems += _place_problems(data, languages)
    problems += _translation_problems(data, languages)
    return problems


# Babel's codes for no country in particular: not where a recipient can be.
NOT_COUNTRIES = {"ZZ", "EU", "EZ", "UN", "QO"}


def _place_problems(data: dict, languages: list[str]) -> list[tuple[Path_, str]]:
    """Countries and languages the widget names in words: each must have a name in every
    language of the site (Babel's), and with `home_country` every recipient says where it is."""
    problems: list[tuple[Path_, str]] = []
    names = []
    for index, lang in enumerate(languages):
        try:
            names.append(Locale.parse(lang))
        except (ValueError, UnknownLocaleError):
            message = f"'{lang}' is not a language code Babel knows (e.g. ja, en, fr)"
            problems.append((("languages", index), message))

    def country(path: Path_, code: str) -> None:
        if code in NOT_COUNTRIES or not all(code in locale.territories for locale in names):
            problems.append(
                (
                    path,
                    f"unknown country code '{code}': give the two-letter ISO 3166 code, e.g. US or JP",
                )
            )

    home = data.get("home_country")
    if home:
        country(("home_country",), home)
    for index, vendor in enumerate(data.get("vendors", [])):
        if "country" in vendor:
            country(("vendors", index, "country"), vendor["country"])
        elif home:
            operator = vendor["operator"].get(languages[0], vendor["id"])
            problems.append(
                (
                    ("vendors", index),
                    f"missing 'country' (where {operator} is, e.g. US): `home_country` is set, "
                    f"so the table shows every recipient's country and the banner names those "
                    f"outside {home}",
                )
            )
        code = vendor.get("opt_out_language")
        if code and not all(code in locale.languages for locale in names):
            problems.append(
                (
                    ("vendors", index, "opt_out_language"),
                    f"unknown language code '{code}': give the two-letter ISO 639 code, e.g. ja or en",
                )
            )
    return problems


URL_KEYS = ("opt_out_url", "privacy_url")


# gtag.js, which a `google` tag loads, and where it reports to.
GTAG_HOST = "www.googletagmanager.com"


def _tag_problems(vendor: dict, where: Path_, data: dict) -> list[tuple[Path_, str]]:
    """A tag may only load from the vendor's own declared hosts (they become the CSP)."""
    tag = vendor.get("tag")
    if not tag:
        return []
    hosts = vendor.get("hosts", [])
    if "src" in tag and "google" in tag:
        message = "give either `src` (a script address) or `google` (Google tag IDs), not both"
        return [((*where, "tag"), message)]
    if "src" not in tag and "google" not in tag:
        message = (
            "give `src` (a script address) or `google` (Google tag IDs): `csp` alone loads nothing"
        )
        return [((*where, "tag"), message)]
    if "src" in tag:
        # As a browser parses it: what the naive reading says is no proof.
        problem = hosts_module.src_problem(tag["src"], hosts)
        return [((*where, "tag", "src"), problem)] if problem else []
    problems = []
    if not any(host_matches(pattern, GTAG_HOST) for pattern in hosts):
        problems.append(
            ((*where, "tag", "google"), "gtag.js: " + hosts_module.missing_host(GTAG_HOST, hosts))
        )
    if not data.get("consent_mode"):
        message = "a Google tag needs `consent_mode` (the Consent Mode signals gtag.js obeys)"
        problems.append(((*where, "tag", "google"), message))
    return problems


def _unknown(kind: str, value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(known)}"
    return f"unknown {kind} '{value}' ({hint})"


def _translation_problems(data: dict, languages: list[str]) -> list[tuple[Path_, str]]:
    problems = []
    localized = [
        (("categories", i, key), category[key])
        for i, category in enumerate(data["categories"])
        for key in ("title", "description")
    ] + [
        (("vendors", i, key), vendor[key])
        for i, vendor in enumerate(data.get("vendors", []))
        for key in ("service", "operator", "data", "purpose", "opt_out_note")
        if key in vendor
    ]
    for path, texts in localized:
        for lang in languages:
            if lang not in texts:
                problems.append((path, f"missing the '{lang}' translation"))
        for lang in texts:
            if lang not in languages:
                problems.append(
                    (
                        (*path, lang),
                        f"'{lang}' is not one of the languages ({', '.join(languages)})",
                    )
                )

    for i, vendor in enumerate(data.get("vendors", [])):
        for key in URL_KEYS:
            if not isinstance(vendor[key], dict):
                continue  # one address for every language
            for lang in languages:
                if lang not in vendor[key]:
                    problems.append(
                        (
                            ("vendors", i, key),
                            f"missing the '{lang}' address (give one per language, or one address for all)",
                        )
                    )
            for lang in vendor[key]:
                if lang not in languages:
                    problems.append(
                        (
                            ("vendors", i, key, lang),
                            f"'{lang}' is not one of the languages ({', '.join(languages)})",
                        )
                    )

    defaults = default_texts()
    known_keys = list(defaults[next(iter(defaults))])
    overrides = data.get("texts", {})
    for lang, texts in overrides.items():
        if lang not in languages:
            problems.append(
                (("texts", lang), f"'{lang}' is not one of the languages ({', '.join(languages)})")
            )
        for key in texts:
            if key not in known_keys:
                problems.append((("texts", lang, key), _unknown_key(key, known_keys)))
    for lang in languages:
        given = {**defaults.get(lang, {}), **overrides.get(lang, {})}
        missing = [key for key in known_keys if key not in given]
        if missing:
            problems.append((("texts", lang), f"missing interface words: {', '.join(missing)}"))
    return problems


# --- model building ----------------------------------------------------------------


def _model(data: dict[str, Any], source: str) -> Registry:
    languages = tuple(data["languages"])
    cookie = data.get("cookie", {})
    defaults = default_texts()
    overrides = data.get("texts", {})
    max_age_days = cookie.get("max_age_days", DEFAULT_MAX_AGE_DAYS)
    return Registry(
        source=source,
        revision=data["revision"],
        languages=languages,
        cookie_name=cookie.get("name", DEFAULT_COOKIE_NAME),
        max_age_days=max_age_days,
        home_country=data.get("home_country"),
        consent_mode={k: tuple(v) for k, v in data.get("consent_mode", {}).items()},
        categories=tuple(
            Category(
                id=c["id"],
                required=c.get("required", False),
                default=c.get("required", False) or c.get("default", False),
                gpc_opt_out=c.get("gpc_opt_out", False),
                title=c["title"],
                # The record's lifetime, said where the cookie is set: the text cannot go stale.
                description={
                    lang: text.replace("{max_age_days}", str(max_age_days))
                    for lang, text in c["description"].items()
                },
            )
            for c in data["categories"]
        ),
        vendors=tuple(
            Vendor(
                id=v["id"],
                category=v["category"],
                service=v["service"],
                operator=v["operator"],
                data=v["data"],
                purpose=v["purpose"],
                opt_out_url=_per_language(v["opt_out_url"], languages),
                privacy_url=_per_language(v["privacy_url"], languages),
                opt_out_note=v.get("opt_out_note"),
                cookies=tuple(v.get("cookies", [])),
                confirmed=v.get("confirmed", False),
                hosts=tuple(v.get("hosts", [])),
                storage=tuple(v.get("storage", [])),
                tag=Tag(
                    src=v["tag"].get("src"),
                    google=tuple(v["tag"].get("google", [])),
                    csp=tuple(v["tag"].get("csp", [])),
                )
                if v.get("tag")
                else None,
                country=v.get("country"),
                opt_out_language=v.get("opt_out_language"),
                opt_out_kind=v.get("opt_out_kind", "opt-out"),
            )
            for v in data.get("vendors", [])
        ),
        texts={lang: {**defaults.get(lang, {}), **overrides.get(lang, {})} for lang in languages},
    )


def _per_language(url: str | dict[str, str], languages: tuple[str, ...]) -> dict[str, str]:
    """A vendor address for each language: the registry gives one for all, or one per language."""
    return dict(url) if isinstance(url, dict) else dict.fromkeys(languages, url)
