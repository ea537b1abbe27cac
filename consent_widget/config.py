"""Settings of the `consent` MkDocs plugin (mkdocs.yml → plugins → consent)."""

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class ConsentConfig(Config):
    enabled = c.Type(bool, default=True)
    # The registry legal edits, relative to mkdocs.yml.
    registry = c.Type(str, default="consent.yml")
    # The policy page (docs path inside each language) whose cookie section the footer link opens
    # without JavaScript, and where `<!-- consent:vendors -->` may stand.
    policy_page = c.Type(str, default="privacy.md")
    policy_anchor = c.Type(str, default="cookies")
