"""Cookie-consent widget: one registry, a Python-built asset, a disclosure table."""
