"""What a language's search index needs so that a word finds its page in any of its forms.

Material's search adds `*` to every query word ("purposes" → `purposes*`), and lunr runs no
stemmer on a wildcard term: a stemmed index ("purpos") never matches what a visitor types. So
the index keeps the words as written (prefix search finds "purpose" in "purposes") and each
section gets a hidden field, `forms`, with the other forms of its words that a prefix cannot
reach: "advertise" for "advertising", "purposes" for "purpose", "companies" for "company".
The forms are the language's dictionary words (simplemma's lemma lists) that share a word's
lemma, or that of the word it derives from ("advertise" for "advertising", checked against the
Snowball stem by PyStemmer); both libraries are pinned and work offline.

Pure: `search_per_language.py` applies it to the index it writes; the unit tests call it.
"""

from __future__ import annotations

import bisect
import re
from functools import cache

import simplemma
import Stemmer
from simplemma.strategies.dictionaries.dictionary_factory import (
    SUPPORTED_LANGUAGES,
    DefaultDictionaryFactory,
)

# Material's English separator splits at spaces and hyphens only, and its English pipeline has
# no trimmer: "(OCCTO)", "purposes," or "third party's" stay one token with their punctuation,
# and `occto*` never matches "(occto)". Queries are split by the same expression.
# Underscores too: "electricity_and_gas" in an address shown on the page holds three words.
SEPARATORS = {
    "en": r"[\s\-_,.:;!?()\[\]{}<>\"'“”‘’/\\|…・、。，．（）「」『』]+",
}
# No stemmer (queries are not stemmed), no trimmer (the separator does its work), no stop-word
# filter: every word of the page finds it ("which", "only"), as a reader expects.
PIPELINES: dict[str, list[str]] = {"en": []}
FIELD = "forms"
FIELD_BOOST = 0.5  # a form the page does not use ranks below the words it does
TAGS = re.compile(r"<[^>]+>")


def supports(lang: str) -> bool:
    """Whether the language has a dictionary and a stemmer for its `forms`."""
    if lang not in SUPPORTED_LANGUAGES:
        return False
    try:
        Stemmer.Stemmer(lang)
    except KeyError:
        return False
    return True


# Endings that make a word of another word ("advertising", "marketing", "retailer") which the
# dictionary keeps as a lemma of its own: the word it is made from is one of its forms too.
DERIVED = {"en": ("ings", "ing", "ers", "er", "ed", "ments", "ment")}


@cache
def _families(lang: str) -> dict[str, frozenset[str]]:
    """Lemma → the words of the language's dictionary with that lemma: the forms a visitor may
    type. Built once per language and process (a fraction of a second, read-only)."""
    dictionary = DefaultDictionaryFactory().get_dictionary(lang)
    by_lemma: dict[str, set[str]] = {}
    for word in dictionary:
        lemma = dictionary[word].lower()
        if word.isalpha() and word.islower() and lemma.isalpha():
            by_lemma.setdefault(lemma, {lemma}).add(word)
    return {lemma: frozenset(forms) for lemma, forms in by_lemma.items()}


def words(text: str, lang: str) -> set[str]:
    """The words of an index entry (its HTML), lower case, as the index splits them."""
    separator = re.compile(SEPARATORS.get(lang, r"[\s\-]+"))
    return {w for w in separator.split(TAGS.sub(" ", text).lower()) if w.isalpha()}


def lemmas(word: str, lang: str) -> set[str]:
    """The word's lemma, and the word it is derived from where the dictionary keeps the
    derivation as a lemma of its own (checked against the stem: "settings" → "set")."""
    families = _families(lang)
    found = {simplemma.lemmatize(word, lang=lang).lower()}
    stemmer = Stemmer.Stemmer(lang)
    stem = stemmer.stemWord(word)
    for lemma in list(found):
        for ending in DERIVED.get(lang, ()):
            if not lemma.endswith(ending) or len(lemma) - len(ending) < 3:
                continue
            base = lemma[: -len(ending)]
            for candidate in (base, base + "e", base[:-1] if base[-1:] == base[-2:-1] else ""):
                if candidate in families and stemmer.stemWord(candidate) == stem:
                    found.add(candidate)
    return found


def forms(text: str, lang: str) -> list[str]:
    """The other forms of the words of `text`, those a prefix of its own words cannot match."""
    own = words(text, lang)
    families = _families(lang)
    related: set[str] = set()
    for word in own:
        for lemma in lemmas(word, lang):
            related |= families.get(lemma, frozenset({lemma}))
    # A form that begins one of the page's words is found by the prefix search already.
    ordered = sorted(own)

    def reached(form: str) -> bool:
        at = bisect.bisect_left(ordered, form)
        return at < len(ordered) and ordered[at].startswith(form)

    return sorted(f for f in related if len(f) > 2 and f.isalpha() and not reached(f))
