"""SQL text the connectors build: literals, identifiers, and a source's words mapped to canonical ones."""

from __future__ import annotations


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


def ident(name: str) -> str:
    """A SQL identifier."""
    return '"' + str(name).replace('"', '""') + '"'


def value_map(expr: str, mapping: dict, default: str) -> str:
    """A CASE mapping the lower-cased value of `expr` through `mapping` (keys compared lower-cased);
    `default` is SQL (a literal, null, or the expression itself)."""
    whens = " ".join(f"when {quote(str(k).lower())} then {quote(v)}" for k, v in mapping.items())
    return f"case lower(cast({expr} as varchar)) {whens} else {default} end"
