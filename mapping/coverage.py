"""Do an enum's pairs cover the options both systems actually have?

Gaps are errors when unmapped values are rejected (records would get field
errors) and warnings when the rule uses a default or leaves the field alone.
Deal stages are checked pipeline by pipeline, against the pipelines API.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mapping.enums import EnumTableLookup
from mapping.reader import DocumentReader
from mapping.rules import EnumOptions, EnumPair, FieldRule
from mapping.schemas import Property


def check_enum(
    scope: DocumentReader,
    rule: FieldRule,
    hubspot: Property | None,
    genius: Property | None,
) -> None:
    """Pairs name real options, and every option has a partner."""
    options = rule.options
    assert isinstance(options, EnumOptions)
    lookup = EnumTableLookup(options.pairs)
    report = _reporter(scope, options)
    if hubspot is not None and hubspot.kind == "enumeration" and hubspot.options:
        known = hubspot.option_values()
        for pair in options.pairs:
            if pair.hubspot not in known and pair.direction != "to_erp":
                scope.error(
                    f"HubSpot property {hubspot.shown} has no option "
                    f"{pair.hubspot!r} (paired with {pair.genius!r})."
                )
        if rule.direction in ("to_erp", "both"):
            for value, label in hubspot.options:
                if lookup.key_from_hubspot(value) is None:
                    report(
                        f"HubSpot option {label!r} ({value}) of {hubspot.shown} has "
                        "no Genius value."
                    )
    if genius is not None and genius.options:
        _check_genius_options(scope, rule, options.pairs, lookup, genius, report)


def _check_genius_options(
    scope: DocumentReader,
    rule: FieldRule,
    pairs: Iterable[EnumPair],
    lookup: EnumTableLookup,
    genius: Property,
    report: Any,
) -> None:
    known = genius.option_values()
    for pair in pairs:
        if str(pair.genius) not in known:
            scope.error(
                f"Genius field {genius.shown} has no value {pair.genius!r} "
                f"(paired with {pair.hubspot!r})."
            )
    if rule.direction in ("to_crm", "both") and not rule.keyed:
        for value, label in genius.options:
            if lookup.hubspot_of(value) is None:
                report(
                    f"Genius value {label!r} ({value}) of {genius.shown} has no "
                    "HubSpot option."
                )


def check_stages(
    scope: DocumentReader,
    rule: FieldRule,
    pipelines: list[dict[str, Any]],
    genius: Property | None,
) -> None:
    """Each table names a real pipeline and its own stages, and covers them."""
    options = rule.options
    assert isinstance(options, EnumOptions)
    report = _reporter(scope, options)
    live = {str(p.get("id")): p for p in pipelines if not p.get("archived")}
    tables = {table.key: table for table in options.tables}
    all_pairs = [pair for table in options.tables for pair in table.pairs]
    if genius is not None and genius.options:
        lookup = EnumTableLookup(tuple(all_pairs))
        _check_genius_options(scope, rule, all_pairs, lookup, genius, report)
    statuses = _statuses(genius, all_pairs)
    for key, table in tables.items():
        pipeline = live.get(key)
        if pipeline is None:
            if live:
                scope.error(
                    f"The stage table {table.label or key!r} names no pipeline of "
                    f"this portal (id {key!r}): remove it or correct its key."
                )
            continue
        _check_pipeline(scope, rule, table.pairs, pipeline, statuses, report)
    for key, pipeline in live.items():
        if key not in tables:
            report(
                f"Pipeline {pipeline.get('label', key)!r} has no stage table: its "
                "deals' stages will not sync."
            )


def _check_pipeline(
    scope: DocumentReader,
    rule: FieldRule,
    pairs: tuple[EnumPair, ...],
    pipeline: dict[str, Any],
    statuses: dict[str, str],
    report: Any,
) -> None:
    name = pipeline.get("label") or pipeline.get("id")
    stages = [s for s in pipeline.get("stages", []) if not s.get("archived")]
    stage_ids = {str(stage.get("id")) for stage in stages}
    for pair in pairs:
        if pair.hubspot not in stage_ids:
            scope.error(
                f"Stage {pair.hubspot!r} is not a stage of pipeline {name!r} "
                f"({pipeline.get('id')}): a stage id is valid only in its pipeline."
            )
    lookup = EnumTableLookup(pairs)
    if rule.direction in ("to_erp", "both"):
        for stage in stages:
            if lookup.key_from_hubspot(str(stage.get("id"))) is None:
                report(
                    f"Deal stage {stage.get('label', stage.get('id'))!r} in pipeline "
                    f"{name!r} has no Genius status."
                )
    if rule.direction in ("to_crm", "both"):
        for status, label in statuses.items():
            if lookup.hubspot_of(status) is None:
                scope.warning(
                    f"Genius status {label!r} ({status}) has no stage in pipeline "
                    f"{name!r}: deals there keep their stage when a quote reaches it."
                )


def _statuses(genius: Property | None, pairs: list[EnumPair]) -> dict[str, str]:
    if genius is not None and genius.options:
        return dict(genius.options)
    return {str(pair.genius): str(pair.genius) for pair in pairs}


def _reporter(scope: DocumentReader, options: EnumOptions) -> Any:
    if options.unmapped == "reject":
        return scope.error
    return scope.warning
