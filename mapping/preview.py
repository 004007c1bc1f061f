"""Applying a mapping to one sample record, for the mapping editor to show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mapping.compiler import compile_mapping
from mapping.document import MappingDocument
from mapping.problems import FieldError, Issue, MappingInvalid


@dataclass(slots=True)
class Preview:
    """What one sample record becomes on the other side."""

    outputs: dict[str, Any] = field(default_factory=dict)  # as the target receives it
    errors: list[FieldError] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # canonical, JSON form
    issues: list[Issue] = field(default_factory=list)  # the mapping could not compile


def preview_record(
    doc: MappingDocument,
    pair: str,
    side: str,
    sample: Mapping[str, Any],
    *,
    genius_timezone: str,
) -> Preview:
    """Read `sample` from `side` ("hubspot" or "genius") and write it to the other.

    Never raises for a bad sample or mapping: problems come back in the
    preview's `errors` (per field) or `issues` (the mapping itself).
    """
    if side not in ("hubspot", "genius"):
        issue = Issue("error", f"side must be 'hubspot' or 'genius', not {side!r}.")
        return Preview(issues=[issue])
    try:
        compiled = compile_mapping(doc, genius_timezone=genius_timezone).pair(pair)
    except MappingInvalid as invalid:
        return Preview(issues=invalid.issues)
    except LookupError as missing:
        return Preview(issues=[Issue("error", f"{missing}.", pair)])
    if not isinstance(sample, Mapping):
        issue = Issue("error", f"the sample must be an object, not {type(sample)!r}.")
        return Preview(issues=[issue])

    errors: list[FieldError] = []
    if side == "hubspot":
        reading = compiled.read_hubspot(sample)
        outputs = compiled.write_genius(reading.values, errors)
    else:
        reading = compiled.read_genius(sample)
        outputs = compiled.write_hubspot(reading.values, errors)
    by_name = {f.name: f for f in compiled.fields}
    values = {name: by_name[name].to_json(v) for name, v in reading.values.items()}
    return Preview(outputs, [*reading.errors, *errors], values)
