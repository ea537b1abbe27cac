"""Search in each language finds the words of its pages, in the forms a visitor types.

Chromium only: what is found is decided by the index and Material's search worker, the same in
every engine.
"""

from __future__ import annotations

import json
import re

import pytest
import simplemma
from playwright.sync_api import expect

from .test_site_browser import search

pytestmark = [pytest.mark.browser, pytest.mark.only_browser("chromium")]

# Words of several kinds, each with the page it must find (its language's policy page).
WORDS = {
    "en": [
        "purposes",  # a plural, as on the page
        "purpose",  # its singular
        "advertising",  # -ing, as on the page
        "advertise",  # the verb it comes from
        "advertisements",  # another form of it
        "retailer",  # -er, as on the page
        "retailers",  # its plural, not on the page
        "transmission",
        "OCCTO",  # an acronym in parentheses: "(OCCTO)"
        "opt-out",  # a compound with a hyphen
        "joint",  # the first part of the compound "joint-use"
        "companies",  # the plural of "company" (y → ies)
        "using",  # a form of "use" that no prefix of "use" reaches
        "operators",
        "Google",
    ],
    "ja": [
        "個人情報",  # a compound noun
        "送配電",  # inside the compound 一般送配電事業者
        "受電",  # in parentheses: 供給（受電）地点
        "クッキー",  # katakana
        "オプトアウト",
        "取り扱い",  # kanji with okurigana, as on the page
        "共同利用",
    ],
}
PREFIX = {"ja": "", "en": "en/"}


@pytest.mark.parametrize(
    "lang,query", [(lang, query) for lang, queries in WORDS.items() for query in queries]
)
def test_a_word_of_the_page_finds_it(page, site, watch, lang, query):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(site.page(PREFIX[lang]))
    results = search(page, query)
    expect(results.first, f"{query!r} finds nothing on /{PREFIX[lang]}").to_be_visible()
    hrefs = [a.get_attribute("href") for a in page.locator(".md-search-result__link").all()]
    own = re.compile(r"(^|/)privacy/") if lang == "ja" else re.compile(r"en/privacy/")
    assert any(own.search(h) and (lang == "en") == ("/en/" in h) for h in hrefs), hrefs
    watch.assert_clean()


# Material's own search worker, given a language's index as the site's search does, asked each
# query in turn; the queries that found nothing come back.
MISSED = """async ([worker, index, queries]) => {
    const data = await (await fetch(index)).json();
    const search = new Worker(worker);
    const ask = message => new Promise(done => {
        search.onmessage = event => done(event.data);
        search.postMessage(message);
    });
    await ask({type: 0, data: {...data, options: {suggest: false}}});  // SETUP → READY
    const missed = [];
    for (const query of queries) {
        const answer = await ask({type: 2, data: query});  // QUERY → RESULT
        if (!answer.data.items.length) missed.push(query);
    }
    search.terminate();
    return missed;
}"""


def test_english_search_finds_every_word_of_the_policy_and_its_base_form(page, site, watch):
    """Each word of the English policy page, as written and as its dictionary form (the
    page's own text: not the notice and dates the template adds to every page)."""
    page.goto(site.page("en/privacy/"))
    text = page.locator("article").evaluate(
        """a => { const copy = a.cloneNode(true);
            copy.querySelectorAll('.translation-notice, .policy-dates').forEach(e => e.remove());
            return copy.innerText; }"""
    )
    written = {w for w in re.findall(r"[A-Za-z]+", text) if len(w) > 2}
    base = {simplemma.lemmatize(w.lower(), lang="en") for w in written}
    queries = sorted(written | {b for b in base if b.isalpha() and len(b) > 2})
    assert len(queries) > 500, len(queries)  # the whole page, not a sample
    worker = next(site.root.glob("assets/javascripts/workers/search.*.min.js"))
    missed = page.evaluate(
        MISSED,
        [
            site.page(worker.relative_to(site.root).as_posix()),
            site.page("en/search/search_index.json"),
            queries,
        ],
    )
    assert missed == [], f"{len(missed)} of {len(queries)} words find nothing: {missed[:40]}"
    watch.assert_clean()


def test_the_hidden_forms_never_show_in_a_result(page, site, watch):
    """A form the page does not use finds it, and the result shows the page's own text."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(site.page("en/"))
    results = search(page, "advertise")
    expect(results.first).to_be_visible()
    shown = page.locator(".md-search-result").inner_text()
    index = json.loads((site.root / "en/search/search_index.json").read_text(encoding="utf-8"))
    hidden = [doc["forms"] for doc in index["docs"] if doc.get("forms")]
    assert hidden, "the English index has no forms"
    assert not [forms for forms in hidden if forms[:40] in shown], shown
    watch.assert_clean()
