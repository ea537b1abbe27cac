"""Site hook: the menu (`nav:` in mkdocs.yml) lists every page, each title in every language.

mkdocs-static-i18n shows a menu title untranslated when a language's `nav_translations` lacks
it (Japanese in the English menu), and MkDocs names a page missing from the menu without
saying where the menu is. Both are reported here with mkdocs.yml's line and the fix; the
editors' check `scripts/check_nav.py` calls `problems()` too, for the same words.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from consent_widget import text_files


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    found = problems(Path(config.config_file_path), Path(config.docs_dir))
    if found:
        raise PluginError("\n".join(found))
    return config


def _mapping(node, key: str):
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if key_node.value == key:
                return key_node, value
    return None, None


def _menu(node) -> list[tuple[str, int, str | None]]:
    """(title, line, page file or None for a section) of every menu entry, depth first."""
    found = []
    for item in node.value if isinstance(node, yaml.SequenceNode) else []:
        if isinstance(item, yaml.MappingNode):
            for title, value in item.value:
                if isinstance(value, yaml.ScalarNode):
                    found.append((title.value, title.start_mark.line + 1, value.value))
                else:
                    found.append((title.value, title.start_mark.line + 1, None))
                    found += _menu(value)
        elif isinstance(item, yaml.ScalarNode):
            found.append(("", item.start_mark.line + 1, item.value))
    return found


def problems(config_path: Path, docs_dir: Path) -> list[str]:
    config_path = config_path.resolve()
    rel = (
        config_path.relative_to(Path.cwd()).as_posix()
        if config_path.is_relative_to(Path.cwd())
        else config_path.as_posix()
    )
    root = yaml.compose(text_files.read(config_path, rel), Loader=yaml.SafeLoader)
    nav_key, nav = _mapping(root, "nav")
    if nav_key is None:
        return []  # MkDocs lists every page itself: nothing to keep in step
    menu = _menu(nav)
    found = []
    languages = _i18n_languages(root)
    listed = {page for _, _, page in menu if page}
    unlisted: dict[str, list[str]] = {}  # page name → its files, in every language folder
    folders = [lang for lang, *_ in languages] or [""]
    for folder in folders:
        base = docs_dir / folder
        for page in sorted(base.rglob("*.md")) if base.is_dir() else []:
            name = page.relative_to(base).as_posix()
            if name not in listed:
                shown = Path(os.path.relpath(page, config_path.parent)).as_posix()
                unlisted.setdefault(name, []).append(shown)
    for name, shown in unlisted.items():
        if len(shown) < len(folders):
            continue  # not a page yet: its missing or misnamed twin is reported (page_rules.py)
        found.append(
            f"{rel}:{nav_key.start_mark.line + 1}: {name} ({', '.join(shown)}) is not in the menu: add "
            f"a line `  - Title: {name}` under nav: (and its English title under "
            f"nav_translations; see CONTRIBUTING.md, Adding a page)"
        )
    for lang, name, is_default, translations in languages:
        if is_default:
            continue
        known = (
            {k.value for k, _ in translations[1].value}
            if translations and isinstance(translations[1], yaml.MappingNode)
            else set()
        )
        where = translations[0].start_mark.line + 1 if translations else name.start_mark.line + 1
        for title, line, page in menu:
            if title and title not in known:
                what = page or "a menu section"
                found.append(
                    f"{rel}:{line}: the menu title '{title}' ({what}) has no {name.value} "
                    f"title, so the {name.value} menu would show it untranslated: add "
                    f"`{title}: …` under nav_translations of '{lang}' ({rel}:{where})"
                )
    return found


def _i18n_languages(root) -> list[tuple[str, yaml.Node, bool, tuple | None]]:
    """(locale, its name node, is default, (nav_translations key, value) or None)."""
    _, plugins = _mapping(root, "plugins")
    for item in plugins.value if isinstance(plugins, yaml.SequenceNode) else []:
        _, i18n = _mapping(item, "i18n")
        if i18n is None:
            continue
        _, languages = _mapping(i18n, "languages")
        found = []
        for language in languages.value if isinstance(languages, yaml.SequenceNode) else []:
            _, locale = _mapping(language, "locale")
            _, name = _mapping(language, "name")
            _, default = _mapping(language, "default")
            key, value = _mapping(language, "nav_translations")
            found.append(
                (
                    locale.value if locale is not None else "?",
                    name if name is not None else locale,
                    default is not None and default.value == "true",
                    (key, value) if key is not None else None,
                )
            )
        return found
    return []
