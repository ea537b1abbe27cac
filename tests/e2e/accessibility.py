"""axe, run on the page as a visitor sees it once it has stopped moving."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

# A CSS transition caught halfway is a colour no visitor stops on: Material fades the header
# title in on scroll, and axe measured it at 3.42:1 mid-fade (CI, 2026-11-28). Finite animations
# only, so a spinner that never ends cannot hang the wait.
_STILL = """() => document.getAnimations().every(a =>
    a.playState !== 'running' || a.effect.getComputedTiming().iterations === Infinity)"""


def axe_results(page):
    page.wait_for_function(_STILL)
    return Axe().run(page)
