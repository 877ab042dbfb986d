"""The settings file edited in place: read with its comments (ruamel.yaml's round trip), changed, and written only
once the changed text loads as valid settings, so a refused edit leaves the file as it was."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from amazon_netsuite.lib.settings import Settings, SettingsError, load_settings


class AccountsError(ValueError):
    """An account edit or check that cannot go ahead; the message says why and what to do."""


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)  # the demo file's layout: list items indented under their key
    yaml.width = 4096  # never re-wrap a long line
    return yaml


class SettingsFile:
    """One settings file as an editable document."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.text = path.read_text(encoding="utf-8")
        self.doc: CommentedMap = _yaml().load(self.text)

    def section(self, *keys: str) -> CommentedMap | None:
        """The mapping at `keys` (e.g. `pricing`, `storefronts`), None when the file does not have it."""
        node: Any = self.doc
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node if isinstance(node, dict) else None

    def write(self) -> Settings:
        """Write the document if it loads as valid settings; else raise AccountsError, the file untouched."""
        out = io.StringIO()
        _yaml().dump(self.doc, out)
        trial = self.path.with_name(f".{self.path.name}.new")
        trial.write_text(out.getvalue(), encoding="utf-8")
        try:
            settings = load_settings(trial)
        except SettingsError as exc:
            trial.unlink()
            raise AccountsError(f"the edit would make {self.path} invalid, so nothing was written: {exc}") from None
        os.replace(trial, self.path)
        return settings


def plain_copy(node: Any) -> Any:
    """A copy of a YAML node without its comments (a copied comment would show twice), keeping flow style."""
    if isinstance(node, dict):
        copy = CommentedMap((k, plain_copy(v)) for k, v in node.items())
        if isinstance(node, CommentedMap) and node.fa.flow_style():
            copy.fa.set_flow_style()
        return copy
    if isinstance(node, list):
        copy = CommentedSeq(plain_copy(v) for v in node)
        if isinstance(node, CommentedSeq) and node.fa.flow_style():
            copy.fa.set_flow_style()
        return copy
    return node


def _last_path(node: Any) -> list[tuple[Any, Any]]:
    """(container, key) from `node` down its last entries to the last scalar."""
    path = []
    while isinstance(node, (dict, list)) and len(node):
        key = list(node)[-1] if isinstance(node, dict) else len(node) - 1
        path.append((node, key))
        node = node[key]
    return path


def _trailing_slot(container: Any) -> int:
    return 2 if isinstance(container, dict) else 0  # ruamel keeps a comment after a value there


def append(container: CommentedMap | CommentedSeq, value: Any, key: str | None = None) -> None:
    """Add `value` at the end of a mapping (under `key`) or a sequence, keeping the comment that followed the old
    last entry after the new one: ruamel hangs a comment on the value before it, so it would otherwise end up
    between the two."""
    moved = None
    for parent, k in reversed(_last_path(container)):
        slot = _trailing_slot(parent)
        entry = parent.ca.items.get(k)
        if entry and len(entry) > slot and entry[slot] is not None:
            moved, entry[slot] = entry[slot], None
            break
    if key is None:
        container.append(value)
    else:
        container[key] = value
    if moved is not None:
        parent, k = _last_path(container)[-1]
        slot = _trailing_slot(parent)
        parent.ca.items[k] = [None] * (slot + 2)
        parent.ca.items[k][slot] = moved
