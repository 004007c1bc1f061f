"""Reading untrusted JSON while collecting every problem as an admin-readable issue."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mapping.problems import Issue


class DocumentReader:
    """Typed getters over a JSON object that record issues instead of raising.

    A scoped reader shares its parent's issue list and prefixes its messages
    with where it is ("Deal ↔ quote, field 'title': ...").
    """

    def __init__(
        self,
        issues: list[Issue] | None = None,
        *,
        pair: str = "",
        field: str = "",
        where: tuple[str, ...] = (),
    ) -> None:
        self.issues: list[Issue] = [] if issues is None else issues
        self.pair = pair
        self.field = field
        self.where = where

    def scoped(self, *, pair: str = "", field: str = "", where: str) -> DocumentReader:
        return DocumentReader(
            self.issues,
            pair=pair or self.pair,
            field=field or self.field,
            where=(*self.where, where),
        )

    def error(self, message: str) -> None:
        self._add("error", message)

    def warning(self, message: str) -> None:
        self._add("warning", message)

    def _add(self, severity: str, message: str) -> None:
        prefix = ", ".join(self.where)
        text = f"{prefix}: {message}" if prefix else message
        self.issues.append(Issue(severity, text, self.pair, self.field))

    def text(self, raw: Mapping[str, Any], key: str) -> str | None:
        value = raw.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.error(f"{key!r} must be a non-empty text, not {value!r}.")
        return None

    def choice(
        self,
        raw: Mapping[str, Any],
        key: str,
        choices: Iterable[str],
        *,
        default: str | None,
    ) -> str | None:
        value = raw.get(key, default)
        allowed = tuple(choices)
        if value in allowed:
            return value
        shown = ", ".join(repr(choice) for choice in allowed if choice) or "nothing"
        self.error(f"{key} {value!r} is not one of {shown}.")
        return None

    def flag(self, raw: Mapping[str, Any], key: str, *, default: bool) -> bool | None:
        value = raw.get(key, default)
        if isinstance(value, bool):
            return value
        self.error(f"{key!r} must be true or false, not {value!r}.")
        return None

    def reject_unknown(self, raw: Mapping[str, Any], known: Iterable[str]) -> None:
        allowed = set(known)
        for key in raw:
            if key not in allowed:
                names = ", ".join(sorted(allowed))
                self.error(f"unknown key {key!r} (known: {names}).")
