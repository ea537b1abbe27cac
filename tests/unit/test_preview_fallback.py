"""The preview's error page without MkDocs' private live-reload parts: it still refreshes itself."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "overrides" / "hooks"))

import editor_messages


class FakeServer:
    """What `on_serve` uses of MkDocs' LiveReloadServer, with or without its private parts."""

    def __init__(self, inject: bool, epoch: bool):
        self.builder = self.fail
        self.app = lambda environ, start_response: [b"site"]
        if epoch:
            self._visible_epoch = 7
        if inject:
            self._inject_js_into_html = lambda body, epoch: body + f"<!--live {epoch}-->".encode()

    def fail(self):
        raise SystemExit("consent.yml:3: revision: must be at least 1")

    def get_app(self):
        return self.app

    def set_app(self, app):
        self.app = app

    def watch(self, path):
        pass


def error_page_of(server: FakeServer) -> str:
    editor_messages.on_serve(server, SimpleNamespace(theme=SimpleNamespace(custom_dir=None)), None)
    server.builder()
    body = server.app({"PATH_INFO": "/en/"}, lambda status, headers: None)
    return b"".join(body).decode()


def test_with_mkdocs_live_reload_the_page_reloads_after_the_next_build():
    page = error_page_of(FakeServer(inject=True, epoch=True))
    assert "revision: must be at least 1" in page
    assert page.endswith("<!--live 7-->") and 'http-equiv="refresh"' not in page


@pytest.mark.parametrize("inject,epoch", [(False, False), (True, False), (False, True)])
def test_without_either_part_the_page_polls_by_itself(inject, epoch):
    page = error_page_of(FakeServer(inject, epoch))
    assert "revision: must be at least 1" in page
    assert '<meta http-equiv="refresh" content="2">' in page
