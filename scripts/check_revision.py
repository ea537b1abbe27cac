"""The consent `revision`: raised when categories or vendors change, compared with main.

    python scripts/check_revision.py [--base REF]

Raising `revision` in consent.yml makes every visitor see the cookie banner again. This
compares consent.yml with its version where this branch left main (`git merge-base HEAD
origin/main`, else `main`): a category or vendor added or removed, or a vendor moved to
another category, without a higher revision is a problem; a changed `data:` or `purpose:` text
is a note (a typo fix does not need a new revision, a new item of data does); a raised
revision is a note, so nobody raises it by accident; a lowered one is a problem (it never goes
down). Without main to compare with (a shallow clone, a copy without git) it says so and
passes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import yaml
from checklib import ROOT, finish

from consent_widget import registry as registry_module

REGISTRY = "consent.yml"
EFFECT = "raising it asks every visitor about cookies again, on their next visit"


def git(*args: str, root: Path = ROOT) -> str | None:
    try:
        run = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except OSError:
        return None
    return run.stdout if run.returncode == 0 else None


def base_commit(ref: str | None, root: Path = ROOT) -> tuple[str | None, str]:
    """The commit to compare with, and its name (for messages)."""
    for candidate in [ref] if ref else ["origin/main", "main"]:
        found = git("merge-base", "HEAD", candidate, root=root)
        if found:
            return found.strip(), candidate
    return None, ref or "main"


def compare(old: registry_module.Registry, new: registry_module.Registry) -> list[str]:
    """Material changes: what was added, removed or moved."""
    changes = []
    for kind, before, after in (
        ("categories", {c.id: c for c in old.categories}, {c.id: c for c in new.categories}),
        ("vendors", {v.id: v for v in old.vendors}, {v.id: v for v in new.vendors}),
    ):
        added, removed = sorted(set(after) - set(before)), sorted(set(before) - set(after))
        if added:
            changes.append(f"{kind} added: {', '.join(added)}")
        if removed:
            changes.append(f"{kind} removed: {', '.join(removed)}")
    old_vendors = {v.id: v for v in old.vendors}
    for vendor in new.vendors:
        previous = old_vendors.get(vendor.id)
        if previous and previous.category != vendor.category:
            changes.append(
                f"vendor {vendor.id} moved from {previous.category} to {vendor.category}"
            )
    return changes


def reworded(old: registry_module.Registry, new: registry_module.Registry) -> list[str]:
    old_vendors = {v.id: v for v in old.vendors}
    return [
        f"{vendor.id}.{key}"
        for vendor in new.vendors
        if (previous := old_vendors.get(vendor.id))
        for key in ("data", "purpose")
        if getattr(previous, key) != getattr(vendor, key)
    ]


def revision_line(text: str) -> int:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    for key, _ in root.value if isinstance(root, yaml.MappingNode) else []:
        if key.value == "revision":
            return key.start_mark.line + 1
    return 1


def check(root: Path = ROOT, ref: str | None = None) -> tuple[list[str], list[str]]:
    """(problems, notes) for the registry in `root` against `ref` (default: main)."""
    path = root / REGISTRY
    try:
        new = registry_module.load(path)
    except registry_module.RegistryError:
        return [], ["revision: not compared: consent.yml has problems (above)"]
    commit, name = base_commit(ref, root)
    old_text = git("show", f"{commit}:{REGISTRY}", root=root) if commit else None
    if old_text is None:
        return [], [
            f"revision: not compared with {name}: this clone has no {name} to compare with "
            f"(a shallow clone?). Check by hand: {EFFECT} (CONTRIBUTING.md, When to raise revision)"
        ]
    try:
        old = registry_module.parse(old_text, f"{REGISTRY} on {name}")
    except registry_module.RegistryError:
        return [], [f"revision: not compared: {REGISTRY} on {name} is invalid"]
    where = f"{REGISTRY}:{revision_line(path.read_text(encoding='utf-8'))}"
    changes, notes, problems = compare(old, new), [], []
    if new.revision < old.revision:
        # Visitors who chose under the higher number keep it in their cookie: they would never
        # be asked again, whatever changes later, until the number passes theirs.
        problems.append(
            f"{where}: revision went down from {old.revision} on {name} to {new.revision}: it "
            f"never goes down (visitors who chose under {old.revision} would not be asked "
            f"again): set it back to {old.revision}, or to {old.revision + 1} if this change is "
            f"material ({EFFECT})"
        )
    elif new.revision > old.revision:
        notes.append(
            f"{where}: revision raised from {old.revision} to {new.revision} since {name}: "
            f"every visitor will be asked about cookies again once this is published"
        )
    elif changes:
        problems.append(
            f"{where}: {'; '.join(changes)} since {name}, but revision is still "
            f"{new.revision}: raise it to {old.revision + 1} ({EFFECT})"
        )
    if new.revision <= old.revision and (texts := reworded(old, new)):
        notes.append(
            f"{where}: {', '.join(texts)} changed since {name}: if the information sent or its "
            f"purpose changed (not just the wording), raise revision to {old.revision + 1} ({EFFECT})"
        )
    return problems, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="branch or commit to compare with (default: main)")
    args = parser.parse_args(argv)
    problems, notes = check(ROOT, args.base)
    return finish("revision", problems, notes)


if __name__ == "__main__":
    sys.exit(main())
