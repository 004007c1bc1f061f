"""What can go wrong inside the mapping, in words an admin can act on.

Two kinds of trouble:

    FieldError      one value of one record could not be read or written; the
                    field is dropped from the record, or the whole record is
                    held when the field is required
    Issue           something in the mapping document itself (a bad option, a
                    property that does not exist); `MappingInvalid` carries the
                    issues that stop a document from loading or compiling

Transforms raise `ValueProblem`; the compiled pair catches it and turns it
into a `FieldError`, so an unparseable value never escapes the engine.
`mapping/` imports nothing of the project, so the sync side translates
`MappingInvalid` into its own `ConfigurationError`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Final

SYSTEM_LABELS: Final = {"hubspot": "HubSpot", "genius": "Genius ERP"}


class _Missing:
    """No information about a value, as opposed to a value that was cleared."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()


def shorten(value: Any, limit: int = 60) -> str:
    """`repr` of a value cut to `limit` characters, for messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ValueProblem(Exception):
    """A transform could not read or write a value.

    `expected` names the format that would have worked; `reason` replaces the
    default "is not <expected>" when there is something more precise to say.
    """

    def __init__(self, expected: str, reason: str = "") -> None:
        super().__init__(reason or f"expected {expected}")
        self.expected = expected
        self.reason = reason


class LeaveAlone(Exception):
    """An enum value is unmapped and the rule says to leave the field alone."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One field of one record that could not be mapped."""

    field: str  # the mapping's field name, e.g. "stage"
    system: str  # "hubspot" | "genius": where the value came from or went to
    value: str  # shortened repr of the offending value
    expected: str
    message: str
    required: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def field_error(
    *,
    field: str,
    system: str,
    attribute: str,
    raw: Any,
    problem: ValueProblem,
    required: bool,
    writing: bool = False,
) -> FieldError:
    """Build the admin-facing error for a value `problem` of `field`."""
    label = SYSTEM_LABELS.get(system, system)
    shown = shorten(raw)
    reason = problem.reason or f"is not {problem.expected}"
    verb = "cannot be written to" if writing else "read from"
    fix = (
        "Change the mapping's options for this field"
        if writing
        else f"Correct the value in {label}, or change the mapping's options"
    )
    held = " The record is held until this is fixed." if required else ""
    message = (
        f"Field {field!r} ({verb} {label} {attribute!r}): {shown} {reason}. "
        f"{fix}.{held}"
    )
    return FieldError(field, system, shown, problem.expected, message, required)


def required_error(*, field: str, system: str, attribute: str) -> FieldError:
    """The error for a required field that is empty and has no default."""
    label = SYSTEM_LABELS.get(system, system)
    message = (
        f"Field {field!r} ({label} {attribute!r}) is required but empty. Fill it "
        f"in {label}, or give the field a default value in the mapping. The "
        "record is held until this is fixed."
    )
    return FieldError(field, system, "''", "a value", message, True)


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem of a mapping document, for the admin who edits it."""

    severity: str  # "error" blocks saving; "warning" is advice
    message: str
    pair: str = ""
    field: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class MappingInvalid(ValueError):
    """A mapping document cannot be used; `issues` says every reason."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        head = f"the mapping has {len(issues)} problem(s)"
        super().__init__(head + ": " + "; ".join(i.message for i in issues[:5]))
