"""Builders for the mapping tests: one-rule pairs, the demo pipelines, the presets."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from typing import Any

import pytest

from mapping.compiler import CompiledPair, compile_mapping
from mapping.document import load_mapping
from mapping.presets import DEFAULT_PIPELINE, default_mapping

FABRICATION = {
    "id": "7000001",
    "label": "Fabrication",
    "displayOrder": 1,
    "stages": [
        {"id": stage, "label": label, "displayOrder": order,
         "metadata": {"isClosed": closed, "probability": probability}}
        for order, (stage, label, closed, probability) in enumerate([
            ("7000010", "Demande reçue", "false", "0.1"),
            ("7000011", "Soumission envoyée", "false", "0.5"),
            ("7000014", "Négociation", "false", "0.7"),
            ("7000012", "Soumission acceptée", "true", "1.0"),
            ("7000013", "Perdue", "true", "0.0"),
        ])
    ],
}  # fmt: skip
PIPELINES = [deepcopy(DEFAULT_PIPELINE), FABRICATION]


def rule(name: str, hubspot: str, genius: str, kind: str = "string", **extra: Any):
    """A field rule document with the defaults spelled out."""
    return {"name": name, "hubspot": hubspot, "genius": genius, "type": kind, **extra}


def compile_pair(
    *rules: dict[str, Any], pair: str = "deal", tz: str = "America/Toronto"
) -> CompiledPair:
    document = {"version": 1, "pairs": {pair: {"fields": list(rules)}}}
    return compile_mapping(load_mapping(document), genius_timezone=tz).pair(pair)


@pytest.fixture(scope="session")
def pair_of() -> Callable[..., CompiledPair]:
    """`pair_of(rule_document, ...)` -> a compiled pair holding those rules."""
    return compile_pair


@pytest.fixture(scope="session")
def preset() -> dict[str, Any]:
    """The preset document for the demo portal (default and Fabrication pipelines)."""
    return default_mapping(deepcopy(PIPELINES))


@pytest.fixture(scope="session")
def deal(preset: dict[str, Any]) -> CompiledPair:
    compiled = compile_mapping(load_mapping(preset), genius_timezone="America/Toronto")
    return compiled.pair("deal")
