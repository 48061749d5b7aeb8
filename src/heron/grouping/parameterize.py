"""Message normalization for grouping (PROTOCOL 7.3): event-specific values become placeholders.

All patterns are alternatives of one regex scanned left to right, so at any position the earliest listed
pattern wins. The order follows Sentry's: the most specific shapes first (an e-mail or URL contains
numbers, an IP contains floats, a UUID or digest contains hex runs, a date contains ints), and the
``=``-anchored key-value patterns last.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH = "(?:" + "|".join(_MONTHS) + ")"
_WEEKDAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"

# Candidates only; a match that the ipaddress module rejects is left as it was.
_IPV6 = (
    r"(?<![\w:.])"
    # IPv6 text has either a "::" or all eight groups; without this, clock times like 12:30:45 would match.
    r"(?=[0-9A-Fa-f:.]*::|(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4})"
    rf"(?:[0-9A-Fa-f]{{0,4}}:){{2,7}}(?:{_IPV4}|[0-9A-Fa-f]{{0,4}})"
    r"(?![\w:])"
)

_DATE = "|".join(
    (
        # ISO 8601 / RFC 3339 date, optionally with a time, fraction and offset
        r"\b\d{4}-[01]\d-[0-3]\d(?:[T ][0-2]\d:[0-5]\d(?::[0-5]\d(?:[.,]\d+)?)?(?:Z\b|[+-][0-2]\d:?[0-5]\d)?)?",
        # RFC 2822: "Tue, 15 Jan 2024 10:30:00 +0000"
        rf"\b(?:{_WEEKDAY},\s*)?\d{{1,2}}\s+{_MONTH}\s+\d{{4}}\s+\d{{2}}:\d{{2}}(?::\d{{2}})?"
        r"(?:\s*(?:[+-]\d{4}|UT|GMT|[ECMP][SD]T)\b)?",
        # JavaScript Date.toString(): "Tue Jan 15 2024 10:30:00 GMT+0100 (Central European Time)"
        rf"\b{_WEEKDAY}\s+{_MONTH}\s+\d{{2}}\s+\d{{4}}\s+\d{{2}}:\d{{2}}:\d{{2}}\s+GMT[+-]\d{{4}}(?:\s+\([^)]*\))?",
        # C ctime(): "Tue Jan 15 10:30:00 2024"
        rf"\b(?:{_WEEKDAY}\s+)?{_MONTH}\s+\d{{1,2}}\s+\d{{2}}:\d{{2}}:\d{{2}}\s+\d{{4}}\b",
        # clock time; a preceding ":" or digit means file:line:column, not a time
        r"(?<![\d:])(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:\s?[AaPp][Mm]\b)?(?![\d:])",
        # Python reprs
        r"\bdatetime\.(?:datetime|date|time)\([^)]*\)",
    )
)

_PATTERNS: tuple[tuple[str, str], ...] = (
    # Starts only where a run of address characters starts, to stay linear on long words.
    ("email", r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"),
    ("url", r"\b(?:wss?|https?|ftp)://[^\s/$.?#]\S*"),
    ("ip", rf"{_IPV6}|\b{_IPV4}\b"),
    ("uuid", r"\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b"),
    ("sha1", r"\b[0-9A-Fa-f]{40}\b"),
    ("md5", r"\b[0-9A-Fa-f]{32}\b"),
    ("date", _DATE),
    (
        "hex",
        # 0x-prefixed, or a bare run of 8+ hex digits in one letter case that holds a digit and a letter
        # (all digits is an <int>, all letters is a word).
        r"\b0[xX][0-9A-Fa-f]+\b|\b(?=[a-f]*\d)(?!\d+\b)[0-9a-f]{8,}\b|\b(?=[A-F]*\d)(?!\d+\b)[0-9A-F]{8,}\b",
    ),
    # A minus only when it does not join two words ("x-1" is a name, " -1" a number).
    ("float", r"(?:(?<!\w)-|\b)\d+\.\d+\b"),
    ("int", r"(?:(?<!\w)-|\b)\d+\b"),
    # Only the value half of key=value pairs; quoted text elsewhere is usually meaningful.
    ("quoted_str", r"(?<==)(?:'[^'\n]+'|\"[^\"\n]+\")"),
    ("bool", r"(?<==)(?:[Tt]rue|[Ff]alse)\b"),
)

# Trying all the alternatives at every position costs about 100 µs for a one-line message. An alternative that
# cannot match anywhere in a text can be left out without changing a single match (at each position the first
# alternative that matches still wins), so each text is scanned by a regex of only the patterns it could hold.
# What the patterns need to be possible at all:
_DIGIT_RE = re.compile(r"\d")
_DECIMAL_RE = re.compile(r"\d\.\d")  # floats and IPv4 addresses
_DATE_DIGITS_RE = re.compile(r"\d[-:]\d")  # ISO dates ("2024-01-15"), clock times ("10:30")
_HEX_RUN_RE = re.compile(r"[0-9A-Fa-f]{8}")  # UUIDs, digests, bare hex numbers
_DIGEST_RE = re.compile(r"[0-9A-Fa-f]{32}")


def _possible_patterns(text: str) -> tuple[str, ...]:
    """The names of the patterns that might match somewhere in ``text`` (in pattern order); the others cannot."""
    has_digit = _DIGIT_RE.search(text) is not None
    has_decimal = has_digit and _DECIMAL_RE.search(text) is not None
    has_hex_run = _HEX_RUN_RE.search(text) is not None
    has_digest = has_hex_run and _DIGEST_RE.search(text) is not None
    names: list[str] = []
    if "@" in text:
        names.append("email")
    if "://" in text:
        names.append("url")
    if has_decimal or "::" in text or text.count(":") >= 7:  # IPv6 text has "::" or all eight groups
        names.append("ip")
    if has_hex_run and text.count("-") >= 4:
        names.append("uuid")
    if has_digest:
        names += ("sha1", "md5")
    # Every date form but Python's datetime repr has digits: ISO dates and clock times, or a month name.
    if "datetime." in text or (
        has_digit and (_DATE_DIGITS_RE.search(text) is not None or any(map(text.__contains__, _MONTHS)))
    ):
        names.append("date")
    if has_digit and (has_hex_run or "0x" in text or "0X" in text):
        names.append("hex")
    if has_decimal:
        names.append("float")
    if has_digit:
        names.append("int")
    if "=" in text:
        names += ("quoted_str", "bool")
    return tuple(names)


# One regex per subset of the patterns that occurs; real messages need only a few subsets.
@lru_cache(maxsize=256)
def _parameter_regex(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _PATTERNS if name in names))


MAX_LINES = 2


def _placeholder(match: re.Match[str]) -> str:
    name = match.lastgroup or ""
    if name == "ip" and ":" in match.group() and not _is_ipv6(match.group()):
        return match.group()
    return f"<{name}>"


def _is_ipv6(candidate: str) -> bool:
    if candidate == "::":  # valid, but in text it is a C++/Ruby scope operator
        return False
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    return True


def replace_parameters(text: str) -> str:
    """Replace e-mails, URLs, IPs, UUIDs, digests, dates, hex, numbers and ``=value``s by placeholders."""
    names = _possible_patterns(text)
    return _parameter_regex(names).sub(_placeholder, text) if names else text


def parameterize_message(text: str) -> str:
    """Normalize a message or exception value for grouping.

    Keeps the first two non-empty lines (``...`` marks that more followed), then replaces event-specific
    values: ``"Order 1234 by a@b.io failed"`` becomes ``"Order <int> by <email> failed"``.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    kept = "\n".join(lines[:MAX_LINES])
    if len(lines) > MAX_LINES:
        kept += "..."
    return replace_parameters(kept)
