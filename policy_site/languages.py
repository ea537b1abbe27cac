"""The site's languages, read from the i18n plugin's configuration alone (one place).

Both the build (the plugins, from `config.plugins["i18n"]`) and the editors' checks (from a
loaded `mkdocs.yml`) call `site_languages`, so the two can never disagree about which languages
a site has or which one is the original.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    locale: str  # "ja", "en", "ko": also the folder under docs/ (docs_structure: folder)
    name: str  # the language's own name, as the switcher shows it
    link: str  # the home's path from the site root: "/" for the original, "/en/" otherwise
    original: bool  # the i18n default language: the legal original the others translate

    @property
    def prefix(self) -> str:
        """URL path prefix of this language's pages ("" for the original, "en/" otherwise)."""
        return self.link.lstrip("/")


@dataclass(frozen=True)
class SiteLanguages:
    all: tuple[Language, ...]  # the built languages, in the order mkdocs.yml lists them

    @property
    def original(self) -> Language:
        return next(lang for lang in self.all if lang.original)

    @property
    def translations(self) -> tuple[Language, ...]:
        return tuple(lang for lang in self.all if not lang.original)

    @property
    def locales(self) -> tuple[str, ...]:
        return tuple(lang.locale for lang in self.all)

    def __getitem__(self, locale: str) -> Language:
        for lang in self.all:
            if lang.locale == locale:
                return lang
        raise KeyError(locale)


def site_languages(i18n_languages) -> SiteLanguages:
    """From the i18n plugin's validated `languages` option (objects with locale, name, link,
    default, build), as both a running build and `mkdocs.config.load_config` give it."""
    built = tuple(
        Language(
            locale=lang.locale,
            name=lang.name,
            link=lang.link,
            original=bool(lang.default),
        )
        for lang in i18n_languages
        if lang.build
    )
    return SiteLanguages(built)
