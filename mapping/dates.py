"""Dates and timestamps between HubSpot (UTC) and Genius (the ERP's local time).

HubSpot date properties hold midnight UTC and are written as epoch
milliseconds of that midnight, never seconds and never a time of day.
HubSpot datetimes are instants in UTC. Genius dates are `YYYY-MM-DD` and its
timestamps are wall-clock text in the company's IANA timezone, so a HubSpot
instant becomes a Genius date through that zone (never a fixed offset): in
America/Phoenix, 2023-04-01T01:09:44Z is still March 31.

A date rule may face a timestamp on one side (`closedate`): reading takes the
local date in the ERP's zone; writing uses `write_time` (local noon by
default, so the day reads the same anywhere in North America).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from mapping.codec import Codec, is_blank
from mapping.localtime import GENIUS_TIMESTAMP_FORMAT, local_to_utc
from mapping.problems import ValueProblem
from mapping.rules import DateOptions

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_DAY: Final = date(1970, 1, 1)
MS_PER_DAY: Final = 86_400_000
HUBSPOT_DATE: Final = "a date like 2021-10-29 or epoch milliseconds"
HUBSPOT_MOMENT: Final = "a timestamp like 2023-04-01T01:09:44Z"


def date_codec(options: DateOptions, *, hubspot: str, genius: str, tz: str) -> Codec:
    """Compile a date rule; `hubspot`/`genius` say "date" or "datetime" storage."""
    zone = ZoneInfo(tz)
    noon = time.fromisoformat(options.write_time)
    read_genius_text = _genius_text_reader(options, genius)
    genius_format = options.formats[0] if options.formats else ""

    def read_hubspot(raw: Any) -> date | None:
        if is_blank(raw):
            return None
        text = str(raw).strip()
        if len(text) == 10 and text[4] == "-":
            return _iso_date(text, HUBSPOT_DATE)
        if hubspot == "datetime":
            return read_hubspot_moment(text).astimezone(zone).date()
        moment = read_hubspot_moment(text, HUBSPOT_DATE)
        if _is_epoch_ms(text) and int(text) % MS_PER_DAY:
            # HubSpot date properties hold midnight UTC; anything else is not
            # a date in milliseconds (often a date typed without dashes).
            raise ValueProblem(HUBSPOT_DATE, "is not midnight UTC in milliseconds")
        return moment.date()

    def write_hubspot(value: date | None) -> str:
        if value is None:
            return ""
        if hubspot == "datetime":
            local = datetime.combine(value, noon, tzinfo=zone)
            return write_hubspot_moment(local.astimezone(UTC))
        return str((value - EPOCH_DAY).days * MS_PER_DAY)

    def read_genius(raw: Any) -> date | None:
        if is_blank(raw):
            return None
        if isinstance(raw, datetime):
            return raw.astimezone(zone).date() if raw.tzinfo else raw.date()
        if isinstance(raw, date):
            return raw
        if isinstance(raw, str):
            return read_genius_text(raw.strip())
        raise ValueProblem("a date like 2021-10-29", f"is a {type(raw).__name__}")

    def write_genius(value: date | None) -> str | None:
        if value is None:
            return None
        if genius == "datetime":
            return datetime.combine(value, noon).strftime(
                genius_format or GENIUS_TIMESTAMP_FORMAT
            )
        return value.strftime(genius_format) if genius_format else value.isoformat()

    return Codec(read_hubspot, write_hubspot, read_genius, write_genius)


def datetime_codec(options: DateOptions, *, tz: str) -> Codec:
    """Compile a timestamp rule: UTC instants, whole seconds."""
    formats = options.formats or (GENIUS_TIMESTAMP_FORMAT,)

    def read_hubspot(raw: Any) -> datetime | None:
        if is_blank(raw):
            return None
        return read_hubspot_moment(str(raw).strip()).replace(microsecond=0)

    def write_hubspot(value: datetime | None) -> str:
        return "" if value is None else write_hubspot_moment(value)

    def read_genius(raw: Any) -> datetime | None:
        if is_blank(raw):
            return None
        if isinstance(raw, datetime):
            moment = raw if raw.tzinfo else local_to_utc(raw, tz)
            return moment.astimezone(UTC).replace(microsecond=0)
        if not isinstance(raw, str):
            raise ValueProblem(_expected(formats), f"is a {type(raw).__name__}")
        local = _parse(raw.strip(), formats, _expected(formats))
        return local_to_utc(local, tz).replace(microsecond=0)

    def write_genius(value: datetime | None) -> str | None:
        if value is None:
            return None
        return value.astimezone(ZoneInfo(tz)).strftime(formats[0])

    return Codec(read_hubspot, write_hubspot, read_genius, write_genius)


def read_hubspot_moment(text: str, expected: str = HUBSPOT_MOMENT) -> datetime:
    """HubSpot timestamp text (ISO 8601 or epoch milliseconds) -> aware UTC."""
    if _is_epoch_ms(text):
        try:
            return EPOCH + timedelta(milliseconds=int(text))
        except OverflowError:
            raise ValueProblem(expected, "is out of range") from None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueProblem(expected) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # HubSpot's values are UTC
    return moment.astimezone(UTC)


def _is_epoch_ms(text: str) -> bool:
    return text.isascii() and text.lstrip("-").isdigit()


def write_hubspot_moment(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{value.microsecond // 1000:03d}Z"
    )


def _genius_text_reader(options: DateOptions, genius: str) -> Any:
    if genius == "datetime":
        formats = options.formats or (GENIUS_TIMESTAMP_FORMAT,)
        return lambda text: _parse(text, formats, _expected(formats)).date()
    if not options.formats:
        return lambda text: _iso_date(text, "a date like 2021-10-29")
    return lambda text: _parse(text, options.formats, _expected(options.formats)).date()


def _iso_date(text: str, expected: str) -> date:
    # date.fromisoformat also takes "20211029" and week dates: insist on dashes.
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueProblem(expected)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueProblem(expected) from None


def _parse(text: str, formats: tuple[str, ...], expected: str) -> datetime:
    for pattern in formats:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise ValueProblem(expected)


def _expected(formats: tuple[str, ...]) -> str:
    samples = " or ".join(datetime(2021, 10, 29, 14, 5).strftime(f) for f in formats)
    return f"a value like {samples}"
