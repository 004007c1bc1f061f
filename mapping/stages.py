"""Deal stage <-> quote status: an enum keyed by pipeline.

A stage id means nothing outside its pipeline (custom pipelines have numeric
stage ids, and `dealstage` has no options in the properties API: they live
in the pipelines API), so reading needs `pipeline` and `dealstage` together
and writing gives both. Several stages may read as one status; writing a
status uses the one stage designated for it in the deal's pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mapping.codec import is_blank
from mapping.enums import EnumTableLookup, unmapped_handler
from mapping.options import all_pairs
from mapping.problems import MISSING, ValueProblem
from mapping.rules import EnumOptions


class KeyedEnumCodec:
    """Reads and writes a keyed enum; the key (pipeline) travels as context."""

    def __init__(
        self, options: EnumOptions, *, hubspot_property: str, default: Any
    ) -> None:
        self.key_property = options.keyed_by
        self.value_property = hubspot_property
        self.tables = {
            table.key: EnumTableLookup(table.pairs) for table in options.tables
        }
        self.labels = {table.key: table.label or table.key for table in options.tables}
        self.default_key = options.default_key or options.tables[0].key
        self.every = EnumTableLookup(all_pairs(options))
        self.owners: dict[str, set[str]] = {}
        for table in options.tables:
            for pair in table.pairs:
                self.owners.setdefault(pair.hubspot, set()).add(table.key)
        self.on_unmapped = unmapped_handler(options.unmapped, default, self.every)

    def key_of(self, properties: Mapping[str, Any]) -> str:
        """The pipeline of a record, "" when it cannot be told."""
        key = properties.get(self.key_property)
        if not is_blank(key):
            return str(key).strip()
        owners = self.owners.get(str(properties.get(self.value_property, "")), ())
        return next(iter(owners)) if len(owners) == 1 else ""

    def read_hubspot(self, properties: Mapping[str, Any], key: str) -> Any:
        raw = properties.get(self.value_property, MISSING)
        if raw is MISSING or is_blank(raw):
            return raw if raw is MISSING else None
        stage = str(raw).strip()
        table = self._table(key, stage)
        found = table.key_from_hubspot(stage)
        if found is not None:
            return found
        elsewhere = self.owners.get(stage, set()) - {key}
        if elsewhere:
            other = self.labels[sorted(elsewhere)[0]]
            raise ValueProblem(
                f"a stage of pipeline {self.labels[key]!r}",
                f"is a stage of pipeline {other!r}, not of {self.labels[key]!r}",
            )
        return self.on_unmapped(raw, "hubspot")

    def _table(self, key: str, stage: str) -> EnumTableLookup:
        if not key:
            raise ValueProblem(
                f"a stage with its {self.key_property!r}",
                f"comes without its {self.key_property!r}, and several pipelines "
                "have such a stage",
            )
        table = self.tables.get(key)
        if table is None:
            raise ValueProblem(
                "a stage of a pipeline in the mapping",
                f"is in pipeline {key!r}, which has no stage table in the mapping",
            )
        return table

    def write_hubspot(self, value: Any, key: str) -> dict[str, str]:
        key = key or self.default_key
        label = self.labels.get(key, key)
        if value is None:
            raise ValueProblem("a status", "is empty, and a deal stage cannot be empty")
        table = self.tables.get(key)
        stage = None if table is None else table.hubspot_of(value)
        if stage is None:
            raise ValueProblem(
                f"a status with a stage in pipeline {label!r}",
                f"has no stage in pipeline {label!r}: mark one stage for it",
            )
        return {self.key_property: key, self.value_property: stage}

    def project_hubspot(self, value: Any, key: str) -> Any:
        table = self.tables.get(key or self.default_key)
        return value if table is None else table.projection.get(str(value), value)

    def read_genius(self, raw: Any) -> Any:
        if is_blank(raw):
            return None
        found = self.every.key_from_genius(raw)
        return found if found is not None else self.on_unmapped(raw, "genius")
