"""Straight-line read and compare functions, written once per compiled pair.

A Python function call costs more than the work of reading most fields, so
the per-record paths are generated as one function per pair with every
field's common case inlined: text is stripped in place, Genius decimals are
rounded in place, and values that repeat across records (dates, enum codes,
numbers typed as text) come from a bounded memo of raw value -> canonical
value. Anything unusual (an error, a default, an option the fast path does
not cover) calls the field's own compiled reader, which stays the reference.

The generated source holds only generated names (`k3`, `cache3`); keys,
defaults and functions travel in the namespace, never as text.

Records whose raw inputs did not move since both sides agreed are not read
at all (mapping/raw_inputs.py); these functions serve the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import compress
from operator import itemgetter, ne, or_
from typing import Any, Final

from mapping.decimals import quantizer
from mapping.fields import CompiledField
from mapping.problems import MISSING
from mapping.rules import NumberOptions, StringOptions


@dataclass(frozen=True, slots=True)
class Reader:
    """A generated reader, its source (for debugging) and its memo caches."""

    read: Callable[[Any], tuple[dict[str, Any], list[Any]]]
    source: str
    caches: dict[int, dict[Any, Any]]


CACHE_LIMIT: Final = 4096  # raw values remembered per field; memory stays flat


def build_reader(
    fields: tuple[CompiledField, ...],
    side: str,
    slow: Callable[[int, Any, list[Any]], Any],
    required: Callable[[int, list[Any]], Any],
) -> Reader:
    """The reader of one side: raw record -> (values, errors)."""
    namespace: dict[str, Any] = {"M": MISSING, "slow": slow, "required": required}
    lines = ["def read(record):", "    values = {}", "    errors = []"]
    for index, f in enumerate(fields):
        namespace[f"k{index}"] = f.hubspot if side == "hubspot" else f.genius
        namespace[f"n{index}"] = f.name
        # An absent key is no information: the field is left out of values.
        lines += [
            "    try:",
            f"        v = record[k{index}]",
            "    except KeyError:",
            "        pass",
            "    else:",
        ]
        lines += [f"        {line}" for line in _read_value(f, index, side, namespace)]
        lines += [f"        {line}" for line in _finish(f, index, side, namespace)]
    lines.append("    return values, errors")
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<mapping {side} reader>", "exec"), namespace)
    caches = {
        index: namespace[f"cache{index}"]
        for index in range(len(fields))
        if f"cache{index}" in namespace
    }
    return Reader(namespace["read"], source, caches)


def _read_value(
    f: CompiledField, index: int, side: str, namespace: dict[str, Any]
) -> list[str]:
    options = f.rule.options
    if isinstance(options, StringOptions):
        return _text(options, index, namespace)
    lines: list[str] = []
    if side == "genius" and isinstance(options, NumberOptions):
        lines = _genius_decimal(options, index, namespace)
    elif isinstance(options, NumberOptions) and options.text_format == "plain":
        lines = _hubspot_decimal(options, index, namespace)
    elif f.kind == "bool" and side == "genius":
        lines = ["if v.__class__ is bool:", "    pass"]
    namespace[f"cache{index}"] = {}
    cached = [
        "c = v.__class__",
        f"w = cache{index}.get(v, M) if c is str or c is int else M",
        "if w is M:",
        f"    w = slow({index}, v, errors)",
        "v = w",
    ]
    if f.kind == "multi_enum":
        cached[1:2] = [
            "if c is list:",
            "    try:",
            f"        w = cache{index}.get(tuple(v), M)",
            "    except TypeError:",
            "        w = M",
            "else:",
            f"    w = cache{index}.get(v, M) if c is str or c is int else M",
        ]
    if not lines:
        return cached
    return [*lines, "else:", *(f"    {line}" for line in cached)]


def _text(options: StringOptions, index: int, namespace: dict[str, Any]) -> list[str]:
    """Trim, case and length in place; an overlong value goes to the reader."""
    lines = ["if v.__class__ is str:", "    r = v"]
    lines.append("    v = v.strip() or None" if options.trim else "    v = v or None")
    if not options.trim:
        lines += ["    if v is not None and not v.strip():", "        v = None"]
    changes = []
    if options.case != "keep":
        changes.append(f"        v = v.{options.case}()")
    if options.max_length is not None:
        namespace[f"limit{index}"] = options.max_length
        changes += [
            f"        if len(v) > limit{index}:",
            f"            v = slow({index}, r, errors)",
        ]
    if changes:
        lines += ["    if v is not None:", *changes]
    return [*lines, "elif v is not None:", f"    v = slow({index}, v, errors)"]


def _genius_decimal(
    options: NumberOptions, index: int, namespace: dict[str, Any], raw: str = "v"
) -> list[str]:
    """Round a Genius Decimal in place; odd values take the reader's path."""
    if options.scale is None:
        return []
    step, rounding, context = quantizer(options)
    namespace.update(
        {f"step{index}": step, f"round{index}": rounding, "context": context}
    )
    namespace["Decimal"] = Decimal
    checks = ["not w.is_finite()"]
    if options.min is not None:
        namespace[f"low{index}"] = Decimal(options.min)
        checks.append(f"w < low{index}")
    if options.max is not None:
        namespace[f"high{index}"] = Decimal(options.max)
        checks.append(f"w > high{index}")
    return [
        "if v.__class__ is Decimal and v.is_finite():",
        "    try:",
        f"        w = v.quantize(step{index}, round{index}, context)",
        "    except ArithmeticError:",
        "        w = M",
        f"    if w is M or {' or '.join(checks)}:",
        f"        w = slow({index}, {raw}, errors)",
        "    elif not w:",
        "        w = abs(w)",
        "    v = w",
    ]


def _hubspot_decimal(
    options: NumberOptions, index: int, namespace: dict[str, Any]
) -> list[str]:
    """Parse plain decimal text in place; anything odd goes to the reader.

    Decimal() also takes "1_000", non-ASCII digits and "NaN", which the
    reader refuses, so only ASCII text without "_" is parsed here.
    """
    rounding = _genius_decimal(options, index, namespace, raw="r")
    if not rounding:
        return []
    return [
        "if v.__class__ is str and v.isascii() and '_' not in v:",
        "    r = v",
        "    try:",
        "        v = Decimal(r)",
        "    except ArithmeticError:",
        f"        v = slow({index}, r, errors)",
        "    else:",
        *(f"        {line}" for line in rounding),
        "        else:",
        f"            v = slow({index}, r, errors)",
    ]


def _finish(
    f: CompiledField, index: int, side: str, namespace: dict[str, Any]
) -> list[str]:
    """Default for a cleared value, the required check, then store."""
    needs = f.required_hubspot if side == "hubspot" else f.required_genius
    lines = []
    if f.default is not None:
        namespace[f"default{index}"] = f.default
        lines += ["if v is None:", f"    v = default{index}"]
    elif needs:
        lines += ["if v is None:", f"    v = required({index}, errors)"]
    return [*lines, "if v is not M:", f"    values[n{index}] = v"]


class FieldDiff:
    """Which fields moved since the snapshot, found with whole-tuple compares.

    `moved(snapshot, hubspot_values, genius_values)` gives the names of the
    fields where either side differs from the snapshot: `()` is the merge's
    "nothing" row for every field at once, which is most records of a sync.
    None means it cannot tell (a field without a snapshot or a value), and
    the merge then looks at every field. Snapshot text (decimals, dates) is
    decoded through a bounded memo.
    """

    def __init__(self, fields: tuple[CompiledField, ...]) -> None:
        coded = [f for f in fields if f.decode is not None and f.kind != "multi_enum"]
        plain = [f for f in fields if f.decode is None]
        self._plain = _getter([f.name for f in plain])
        self._plain_names = tuple(f.name for f in plain)
        self._coded = _getter([f.name for f in coded])
        self._coded_names = tuple(f.name for f in coded)
        self._decoders = tuple(f.decode for f in coded)
        self._memos: tuple[dict[Any, Any], ...] = tuple({None: None} for _ in coded)
        self._listed = tuple(f.name for f in fields if f.kind == "multi_enum")

    def moved(self, stored: Any, hubspot: Any, genius: Any) -> tuple[str, ...] | None:
        try:
            kept, texts = self._plain(stored), self._coded(stored)
            plain = self._plain(hubspot), self._plain(genius)
            coded = self._coded(hubspot), self._coded(genius)
            listed = [
                (name, _keys(stored[name]), hubspot[name], genius[name])
                for name in self._listed
            ]
        except (KeyError, TypeError):
            return None
        try:
            decoded = tuple(map(_item, self._memos, texts))
        except (KeyError, TypeError):  # a snapshot text not seen before
            try:
                decoded = self._decode(texts)
            except (TypeError, ValueError):
                return None
        if plain == (kept, kept) and coded == (decoded, decoded):
            moved: list[str] = []
        else:
            moved = [
                *_differing(self._plain_names, kept, *plain),
                *_differing(self._coded_names, decoded, *coded),
            ]
        moved += [name for name, keys, h, g in listed if h != keys or g != keys]
        return tuple(moved)

    def _decode(self, texts: tuple[Any, ...]) -> tuple[Any, ...]:
        values = []
        for text, decode, memo in zip(texts, self._decoders, self._memos, strict=True):
            value = memo.get(text, MISSING)
            if value is MISSING:
                value = decode(text)
                if text.__class__ is str:
                    if len(memo) >= CACHE_LIMIT:
                        memo.clear()
                        memo[None] = None
                    memo[text] = value
            values.append(value)
        return tuple(values)


_item = dict.__getitem__


def _differing(
    names: tuple[str, ...],
    stored: tuple[Any, ...],
    hubspot: tuple[Any, ...],
    genius: tuple[Any, ...],
) -> compress[str]:
    """Names where either side differs from the snapshot, at C speed."""
    return compress(names, map(or_, map(ne, hubspot, stored), map(ne, genius, stored)))


def _keys(stored: Any) -> tuple[Any, ...] | None:
    return None if stored is None else tuple(stored)


def memoised(decode: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`decode` remembering its results for text input (bounded)."""
    memo: dict[str, Any] = {}

    def decode_text(stored: Any) -> Any:
        if stored.__class__ is not str:
            return decode(stored)
        value = memo.get(stored, MISSING)
        if value is MISSING:
            value = decode(stored)
            if len(memo) >= CACHE_LIMIT:
                memo.clear()
            memo[stored] = value
        return value

    return decode_text


def _getter(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """A C-level getter of `names` that always returns a tuple."""
    if len(names) > 1:
        return itemgetter(*names)
    if names:
        only = names[0]
        return lambda values: (values[only],)
    return lambda values: ()


def remember_read(cache: dict[Any, Any] | None, raw: Any, value: Any) -> None:
    """Keep a successful read of a raw value (bounded).

    Only text, whole numbers and lists or tuples of text: text never equals
    a number, while 1, 1.0, True and Decimal(1) are equal and would share
    one entry.
    """
    if cache is None:
        return
    kind = raw.__class__
    if kind is list or kind is tuple:
        if not all(item.__class__ is str for item in raw):
            return
        raw = tuple(raw)
    elif kind is not str and kind is not int:
        return
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    cache[raw] = value
