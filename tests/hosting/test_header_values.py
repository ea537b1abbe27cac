"""A header value the nginx and Caddy configs cannot carry stops the build with its name."""

from __future__ import annotations

import sys

import pytest
from mkdocs.exceptions import PluginError

from ..conftest import ROOT

sys.path.insert(0, str(ROOT / "overrides" / "hooks"))
import host_configs


@pytest.mark.parametrize("value", ['a "quoted" word', "cost $5", "{placeholder}", "a\\b", "a\nb"])
def test_an_unquotable_header_value_is_named(value):
    with pytest.raises(PluginError) as error:
        host_configs.check_quotable({"X-Frame-Options": "DENY", "Permissions-Policy": value})
    assert "header Permissions-Policy" in str(error.value)
    assert repr(value) in str(error.value)
