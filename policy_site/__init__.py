"""The policy-site generator: the site logic as MkDocs plugins, and the editors' commands."""
