"""Site hook: the policy's published versions, for visitors.

From `policy-versions/` (read by policy_archive.py), each language build gets:

* `history/`: every version, newest first, with its date and summary, and an Atom feed
  (`history/feed.xml`), linked from every page's head;
* `history/<date>/<page>/`: each version as published (noindex, canonical to the current page);
* `history/<old>..<new>/<page>/`: what changed between consecutive versions, and from each
  version to the current text (policy_diff.py);
* the dates at the end of each versioned page (制定日 / 改定日), and, when there is more than
  one version, the date and comparison link the consent banner shows after a `revision` rise.

The pages are generated Markdown rendered through the theme (templates `policy-*.html` in
overrides/), so they get the same head, CSP, header rules and language switch as every page.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html import escape
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import markdown
import site_common
import yaml
from babel.dates import format_date
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from consent_widget.render import disclosure_table
from policy_site.versions import archive as policy_archive
from policy_site.versions import diff as policy_diff

CURRENT = "current"
LABELS_FILE = "labels.yml"
ATOM_NS = "http://www.w3.org/2005/Atom"
XHTML_NS = "http://www.w3.org/1999/xhtml"
# The policy's dates are Japanese calendar days.
TIMEZONE = "+09:00"


@dataclass(frozen=True)
class View:
    """What one generated page shows."""

    kind: str  # history | archive | compare
    page: str = ""  # privacy.md
    old: policy_archive.Version | None = None  # archive: the version shown
    new: policy_archive.Version | None = None  # compare: None is the current text


class _State:
    def __init__(self) -> None:
        self.archive: policy_archive.Archive | None = None
        self.labels: dict[str, dict[str, str]] = {}
        self.views: dict[str, View] = {}  # src_uri → view, in the current language build
        self.current_texts: dict[str, str] = {}  # page → current Markdown, current language
        self.current_urls: dict[str, str] = {}  # page → its URL, current language


state = _State()


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Read the archive; a project that has published no version yet has no history pages, and
    one whose published files were edited does not build."""
    root = Path(config.config_file_path).parent
    state.archive = None
    if not (root / policy_archive.FOLDER / policy_archive.INDEX).exists():
        return config
    try:
        state.archive = policy_archive.load(root)
    except policy_archive.VersionsError as error:
        raise PluginError(str(error)) from None
    # An edited published version is never published: the same words as `make check`.
    tampered = state.archive.tampered()
    if tampered:
        raise PluginError("\n".join(tampered))
    state.labels = _labels(root / policy_archive.FOLDER / LABELS_FILE, config)
    return config


def _labels(path: Path, config: MkDocsConfig) -> dict[str, dict[str, str]]:
    """The pages' words per language; every language has every word the default one has."""
    where = path.relative_to(Path(config.config_file_path).parent).as_posix()
    try:
        labels = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise PluginError(f"{where}: cannot be read ({error})") from None
    default = site_common.default_lang(config)
    if not isinstance(labels, dict) or not isinstance(labels.get(default), dict):
        raise PluginError(f"{where}: must have a mapping of words under '{default}:'")
    missing = [
        f"{lang.locale}.{key}"
        for lang in site_common.built_languages(config)
        for key in labels[default]
        if not str((labels.get(lang.locale) or {}).get(key) or "").strip()
    ]
    if missing:
        raise PluginError(f"{where}: missing or empty: {', '.join(missing)}")
    return labels


# --- URLs (site-root-relative, with the language's prefix) -------------------------


def _prefix(config: MkDocsConfig, lang: str) -> str:
    return "" if lang == site_common.default_lang(config) else f"{lang}/"


def _stem(page: str) -> str:
    return page.rsplit(".", 1)[0]


def _history_src(prefix: str) -> str:
    return f"{prefix}history/index.md"


def _archive_src(prefix: str, version, page: str) -> str:
    return f"{prefix}history/{version.date}/{_stem(page)}/index.md"


def _compare_src(prefix: str, old, new, page: str) -> str:
    target = new.date if new else CURRENT
    return f"{prefix}history/{old.date}..{target}/{_stem(page)}/index.md"


def _url(config: MkDocsConfig, src_uri: str) -> str:
    if config.use_directory_urls:
        return src_uri[: -len("index.md")]
    return src_uri[: -len(".md")] + ".html"


# --- the files of one language build -----------------------------------------------


@event_priority(-105)  # after mkdocs-static-i18n (-100) chose this language's files, before
# the consent plugin (-110) builds the widget that needs the policy's change date
def on_files(files: Files, config: MkDocsConfig) -> Files:
    state.views, state.current_texts, state.current_urls = {}, {}, {}
    if state.archive is None:
        config.extra.pop("policy_change", None)
        return files
    archive, lang = state.archive, site_common.current_lang(config)
    labels = state.labels[lang]
    prefix = _prefix(config, lang)
    generated: dict[str, str] = {}  # src_uri → Markdown

    for page in archive.pages:
        current = files.get_file_from_path(f"{lang}/{page}")
        if current is None:
            raise PluginError(
                f"{policy_archive.FOLDER}/{policy_archive.INDEX}: page '{page}' is not in "
                f"docs/{lang}/ (pages:)."
            )
        state.current_texts[page] = current.content_string
        state.current_urls[page] = current.url
        title = str(policy_archive.front_matter(current.content_string).get("title", ""))
        for index, version in enumerate(archive.versions):
            src = _archive_src(prefix, version, page)
            state.views[src] = View("archive", page, old=version)
            text = _archived_markdown(archive, version, lang, page)
            meta = policy_archive.front_matter(text)
            generated[src] = _markdown_page(
                title=labels["archive_title"].format(
                    title=meta.get("title", title), date=_date(version.date, lang)
                ),
                description=str(meta.get("description", "")),
                date=version.date,
                template="policy-archive.html",
                body=policy_archive.body(text),
            )
            current_text = _with_current_vendor_table(_current(page), config, lang)
            changed_since = policy_archive.body(text) != policy_archive.body(current_text)
            pairs = [(version, None)] if changed_since else []
            if index:
                pairs.insert(0, (archive.versions[index - 1], version))
            for old, new in pairs:
                src = _compare_src(prefix, old, new, page)
                state.views[src] = View("compare", page, old=old, new=new)
                generated[src] = _markdown_page(
                    title=_compare_title(labels, title, old, new, lang),
                    description=labels["compare_description"],
                    date=(new or archive.versions[-1]).date,
                    template="policy-compare.html",
                )

    history = _history_src(prefix)
    state.views[history] = View("history")
    generated[history] = _markdown_page(
        title=labels["history_title"],
        description=labels["history_description"],
        date=archive.versions[-1].date,
        template="policy-history.html",
        indexed=True,
    )
    for src, content in generated.items():
        files.append(_generated_page(config, src, content, lang))
    feed = File.generated(config, f"{prefix}history/feed.xml", content=_feed(config, lang))
    files.append(feed)
    _tell_the_banner(config, lang)
    return files


def _archived_markdown(archive, version, lang: str, page: str) -> str:
    """The page as published, with its vendor table as published (not today's registry's)."""
    text = archive.page_text(version, lang, page)
    table = archive.vendor_table(version, lang)
    if table is not None:
        text = text.replace(policy_archive.VENDOR_MARKER, table)
    return text


def _markdown_page(*, title, description, date, template, body="", indexed=False) -> str:
    meta = {
        "title": title,
        "description": description,
        "last_updated": date,
        "template": template,
    }
    if not indexed:
        # Superseded text and comparisons stay out of search (site and engines) and sitemaps.
        meta |= {"search": {"exclude": True}, "noindex": True}
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n\n{body}"


def _generated_page(config: MkDocsConfig, src: str, content: str, lang: str) -> File:
    file = File.generated(config, src, content=content, inclusion=InclusionLevel.NOT_IN_NAV)
    # What mkdocs-static-i18n gives its own files: the language switch and hreflang use it.
    file.locale = file.locale_alternate_of = lang
    file.alternates = {
        other.locale: SimpleNamespace(
            url=_url(config, _prefix(config, other.locale) + src[len(_prefix(config, lang)) :])
        )
        for other in site_common.built_languages(config)
    }
    return file


def _tell_the_banner(config: MkDocsConfig, lang: str) -> None:
    """What the consent banner says to a visitor asked again: the day of the release that raised
    `revision` to the current one, and the comparison from the version before it to the current
    text. Nothing when no release did (a revision raised for a registry change alone)."""
    config.extra.pop("policy_change", None)
    consent = config.plugins.get("consent")
    current = getattr(getattr(consent, "registry", None), "revision", None)
    versions = state.archive.versions
    raised = next(
        (
            index
            for index in range(1, len(versions))
            if versions[index].revision == current and (versions[index - 1].revision or 0) < current
        ),
        None,
    )
    if current is None or raised is None:
        return
    before, prefix, page = versions[raised - 1], _prefix(config, lang), state.archive.pages[0]
    # That release's own comparison while its text is current; once the text moved on (a later
    # version, or edits since), everything from the version before it to the current text.
    release = _compare_src(prefix, before, versions[raised], page)
    since = _compare_src(prefix, before, None, page)
    latest_to_now = _compare_src(prefix, versions[-1], None, page)
    moved_on = raised < len(versions) - 1 or latest_to_now in state.views
    src = since if moved_on and since in state.views else release
    site_path = urlsplit(config.site_url or "/").path or "/"
    config.extra["policy_change"] = {
        "date": versions[raised].date,
        "url": site_path + _url(config, src),
    }


# --- texts ---------------------------------------------------------------------------


def _date(value: datetime.date, lang: str) -> str:
    return format_date(value, format="long", locale=lang)


def _time(value: datetime.date, lang: str) -> str:
    return f'<time datetime="{value.isoformat()}">{escape(_date(value, lang))}</time>'


def _fill(label: str, **parts: str) -> str:
    """A label with HTML parts in its {placeholders}; the label's own text is escaped."""
    html = escape(label).replace("\n", "<br>")
    for name, part in parts.items():
        html = html.replace("{" + name + "}", part)
    return html


def _compare_title(labels, title: str, old, new, lang: str) -> str:
    target = (
        labels["compare_new"].format(date=_date(new.date, lang))
        if new
        else labels["compare_current_text"]
    )
    return labels["compare_title"].format(title=title, old=_date(old.date, lang), new=target)


def _current(page: str) -> str:
    return state.current_texts[page]


# --- the feed ------------------------------------------------------------------------


def _feed(config: MkDocsConfig, lang: str) -> bytes:
    archive, labels = state.archive, state.labels[lang]
    prefix = _prefix(config, lang)
    page = archive.pages[0]
    ET.register_namespace("", ATOM_NS)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        element.text = text
        return element

    def stamp(date: datetime.date) -> str:
        return f"{date.isoformat()}T00:00:00{TIMEZONE}"

    history_url = config.site_url + _url(config, _history_src(prefix))
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"xml:lang": lang})
    sub(feed, "title", labels["history_title"])
    sub(feed, "id", history_url)
    sub(feed, "updated", stamp(archive.versions[-1].date))
    sub(feed, "link", rel="alternate", type="text/html", href=history_url)
    sub(feed, "link", rel="self", href=config.site_url + f"{prefix}history/feed.xml")
    sub(sub(feed, "author"), "name", config.site_name)
    for index in reversed(range(len(archive.versions))):
        version = archive.versions[index]
        entry = sub(feed, "entry")
        label = labels["feed_entry" if index else "feed_first_entry"]
        sub(entry, "title", label.format(date=_date(version.date, lang)))
        archived = config.site_url + _url(config, _archive_src(prefix, version, page))
        sub(entry, "id", archived)
        sub(entry, "updated", stamp(version.date))
        shown = (
            _url(config, _compare_src(prefix, archive.versions[index - 1], version, page))
            if index
            else _url(config, _archive_src(prefix, version, page))
        )
        sub(entry, "link", rel="alternate", type="text/html", href=config.site_url + shown)
        sub(entry, "summary", version.summary[lang])
        # XHTML content: what a browser opening the feed shows, its link clickable.
        xhtml = ET.SubElement(sub(entry, "content", type="xhtml"), f"{{{XHTML_NS}}}div")
        ET.SubElement(
            ET.SubElement(xhtml, f"{{{XHTML_NS}}}p"),
            f"{{{XHTML_NS}}}a",
            href=config.site_url + shown,
        ).text = entry.find(f"{{{ATOM_NS}}}title").text
        ET.SubElement(xhtml, f"{{{XHTML_NS}}}p").text = version.summary[lang]
    ET.indent(feed)
    # A browser opening the feed styles it with the site's own stylesheet (assets/feed.css):
    # its XML viewer's inline styles are blocked by the site's CSP.
    depth = f"{prefix}history/".count("/")
    stylesheet = f'<?xml-stylesheet type="text/css" href="{"../" * depth}assets/feed.css"?>\n'
    declaration = "<?xml version='1.0' encoding='utf-8'?>\n"
    body = ET.tostring(feed, encoding="unicode")
    return (declaration + stylesheet + body + "\n").encode("utf-8")


# --- what the templates get ----------------------------------------------------------


@event_priority(-60)  # after page_links (-50) recorded the page: canonical is ours to set
def on_page_context(context, page: Page, config: MkDocsConfig, nav):
    if state.archive is None:
        return context
    archive, lang = state.archive, site_common.current_lang(config)
    labels = state.labels[lang]
    prefix = _prefix(config, lang)
    context["policy_history"] = {
        "labels": labels,
        "url": _url(config, _history_src(prefix)),
        "feed_url": f"{prefix}history/feed.xml",
    }
    view = state.views.get(page.file.src_uri)
    name = page.file.src_uri.removeprefix(f"{lang}/")
    if view is None and page.file.src_uri == f"{lang}/{name}" and name in archive.pages:
        context["policy_dates"] = _dates_html(labels, lang)
    elif view is not None:
        context["policy_view"] = VIEW_CONTEXT[view.kind](view, config, lang, labels)
        if view.kind == "archive":
            # The archive is a record; search engines should send readers to the current text.
            page.canonical_url = config.site_url + state.current_urls[view.page]
    return context


def _dates_html(labels, lang: str) -> str:
    """「制定日：…」「改定日：…」 / "Effective from …, last revised …" (first and latest version)."""
    first, latest = state.archive.versions[0].date, state.archive.versions[-1].date
    if first == latest:
        return _fill(labels["dates"], enacted=_time(first, lang))
    return _fill(labels["dates_revised"], enacted=_time(first, lang), revised=_time(latest, lang))


def _history_context(view: View, config, lang: str, labels) -> dict:
    archive, prefix = state.archive, _prefix(config, lang)
    rows = []
    for index in reversed(range(len(archive.versions))):
        version = archive.versions[index]
        links = []
        for page in archive.pages:
            links.append((labels["read_version"], _archive_src(prefix, version, page)))
            if index:
                previous = archive.versions[index - 1]
                links.append(
                    (labels["compare_previous"], _compare_src(prefix, previous, version, page))
                )
            compare_now = _compare_src(prefix, version, None, page)
            if compare_now in state.views:
                links.append((labels["compare_current"], compare_now))
        rows.append(
            {
                "heading": _fill(labels["version"], date=_time(version.date, lang)),
                "in_force": index == len(archive.versions) - 1,
                "summary": version.summary[lang],
                "links": [(text, _url(config, src)) for text, src in links],
            }
        )
    return {"kind": "history", "versions": rows}


def _archive_context(view: View, config, lang: str, labels) -> dict:
    versions = state.archive.versions
    index = versions.index(view.old)
    if index + 1 < len(versions):
        notice = _fill(
            labels["archive_superseded"],
            date=_time(view.old.date, lang),
            until=_time(versions[index + 1].date, lang),
        )
    else:
        notice = _fill(labels["archive_in_force"], date=_time(view.old.date, lang))
    return {
        "kind": "archive",
        "notice": notice,
        "current_url": state.current_urls[view.page],
    }


def _compare_context(view: View, config, lang: str, labels) -> dict:
    renderer = _renderer(config)
    old_text = _archived_markdown(state.archive, view.old, lang, view.page)
    if view.new is not None:
        new_text = _archived_markdown(state.archive, view.new, lang, view.page)
    else:
        new_text = _with_current_vendor_table(_current(view.page), config, lang)
    old_blocks = policy_diff.blocks_of(renderer(policy_archive.body(old_text)))
    new_blocks = policy_diff.blocks_of(renderer(policy_archive.body(new_text)))
    marks = policy_diff.Labels(
        labels["removed"], labels["removed_end"], labels["added"], labels["added_end"]
    )
    blocks = policy_diff.compare(old_blocks, new_blocks, lang, marks)
    new_label = (
        _fill(labels["compare_new"], date=_time(view.new.date, lang))
        if view.new
        else escape(labels["compare_current_text"])
    )
    return {
        "kind": "compare",
        "intro": _fill(labels["compare_intro"], old=_time(view.old.date, lang), new=new_label),
        "blocks": blocks,
        "changes": sum(block.changed for block in blocks),
        "old_name": labels["version"].format(date=_date(view.old.date, lang)),
        "new_name": (
            labels["version"].format(date=_date(view.new.date, lang))
            if view.new
            else labels["compare_current_text"]
        ),
        "old_url": _url(config, _archive_src(_prefix(config, lang), view.old, view.page)),
        "new_url": (
            _url(config, _archive_src(_prefix(config, lang), view.new, view.page))
            if view.new
            else state.current_urls[view.page]
        ),
    }


VIEW_CONTEXT = {
    "history": _history_context,
    "archive": _archive_context,
    "compare": _compare_context,
}


def _with_current_vendor_table(text: str, config: MkDocsConfig, lang: str) -> str:
    consent = config.plugins.get("consent")
    if consent is None or getattr(consent, "registry", None) is None:
        return text
    return text.replace(policy_archive.VENDOR_MARKER, disclosure_table(consent.registry, lang))


def _renderer(config: MkDocsConfig):
    """The site's own Markdown (same extensions), so both sides are read alike."""

    def render(text: str) -> str:
        md = markdown.Markdown(
            extensions=config.markdown_extensions, extension_configs=config.mdx_configs
        )
        return md.convert(text)

    return render
