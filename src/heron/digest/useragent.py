"""A small User-Agent parser: browser, operating system and device family.

It covers what reaches an error tracker in practice (current desktop and mobile browsers, in-app web views,
search engine crawlers, HTTP client libraries) and uses uap-core's family names, so the contexts and tags
it produces read like Sentry's. It does not try to know every device model; unknown parts stay `None`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

SPIDER = "Spider"


class UserAgent(NamedTuple):
    """What a User-Agent string says; `None` where it says nothing recognisable."""

    browser: str | None
    browser_version: str | None
    os: str | None
    os_version: str | None
    device_family: str | None
    device_brand: str | None = None
    device_model: str | None = None


class _Rule(NamedTuple):
    pattern: re.Pattern[str]
    family: str
    # The family on phones and tablets, when browsers there go by another name ("Chrome Mobile").
    mobile_family: str | None = None


def _rule(pattern: str, family: str, mobile_family: str | None = None) -> _Rule:
    return _Rule(re.compile(pattern), family, mobile_family)


# First match wins, so more specific tokens come first: Edge, Opera and Samsung Internet all also say
# "Chrome", Chrome says "Safari", and every web view says "AppleWebKit".
_CRAWLERS = (
    _rule(r"Googlebot(?:-\w+)?/(\d+)\.(\d+)", "Googlebot"),
    _rule(r"bingbot/(\d+)\.(\d+)", "bingbot"),
    _rule(r"YandexBot/(\d+)\.(\d+)", "YandexBot"),
    _rule(r"DuckDuckBot(?:-\w+)?/(\d+)\.(\d+)", "DuckDuckBot"),
    _rule(r"Baiduspider(?:-\w+)?/(\d+)\.(\d+)", "Baiduspider"),
)
# A product token like "AhrefsBot/7.0"; the slash keeps phone makers such as "Cubot" out.
_GENERIC_CRAWLER = re.compile(r"(?:bot|crawler|spider)/\d|Slurp", re.IGNORECASE)
_CLIENTS = (
    _rule(r"^python-requests/(\d+)\.(\d+)(?:\.(\d+))?", "Python Requests"),
    _rule(r"^python-urllib3/(\d+)\.(\d+)(?:\.(\d+))?", "urllib3"),
    _rule(r"^Python-urllib/(\d+)\.(\d+)", "Python-urllib"),
    _rule(r"^python-httpx/(\d+)\.(\d+)(?:\.(\d+))?", "HTTPX"),
    _rule(r"^curl/(\d+)\.(\d+)(?:\.(\d+))?", "curl"),
    _rule(r"^Wget/(\d+)\.(\d+)(?:\.(\d+))?", "Wget"),
    _rule(r"^Go-http-client/(\d+)\.(\d+)", "Go-http-client"),
    _rule(r"node-fetch(?:/(\d+)\.(\d+)(?:\.(\d+))?)?", "node-fetch"),
    _rule(r"^axios/(\d+)\.(\d+)(?:\.(\d+))?", "axios"),
    _rule(r"^okhttp/(\d+)\.(\d+)(?:\.(\d+))?", "okhttp"),
)
_BROWSERS = (
    _rule(r"EdgA/(\d+)\.(\d+)\.(\d+)", "Edge Mobile"),
    _rule(r"EdgiOS/(\d+)\.(\d+)\.(\d+)", "Edge Mobile"),
    _rule(r"Edge?/(\d+)\.(\d+)(?:\.(\d+))?", "Edge"),
    _rule(r"OPR/(\d+)\.(\d+)\.(\d+)", "Opera", "Opera Mobile"),
    _rule(r"Opera/.*Version/(\d+)\.(\d+)", "Opera"),
    _rule(r"SamsungBrowser/(\d+)\.(\d+)", "Samsung Internet"),
    _rule(r"FxiOS/(\d+)\.(\d+)", "Firefox iOS"),
    _rule(r"CriOS/(\d+)\.(\d+)\.(\d+)", "Chrome Mobile iOS"),
    _rule(r"Firefox/(\d+)\.(\d+)", "Firefox", "Firefox Mobile"),
    _rule(r"Chromium/(\d+)\.(\d+)\.(\d+)", "Chromium"),
    _rule(r"HeadlessChrome/(\d+)\.(\d+)\.(\d+)", "HeadlessChrome"),
    _rule(r"; wv\).*Chrome/(\d+)\.(\d+)\.(\d+)", "Chrome Mobile WebView"),
    _rule(r"Chrome/(\d+)\.(\d+)\.(\d+)", "Chrome", "Chrome Mobile"),
    _rule(r"MSIE (\d+)\.(\d+)", "IE"),
    _rule(r"Trident/\d+\.\d+.*rv:(\d+)\.(\d+)", "IE"),
    _rule(r"Android .*Version/(\d+)\.(\d+)(?:\.(\d+))?.*Safari/", "Android"),
    _rule(r"Version/(\d+)\.(\d+)(?:\.(\d+))?.*Safari/", "Safari", "Mobile Safari"),
    _rule(r"\((?:iPhone|iPad|iPod);.*AppleWebKit/(?!.*Safari/)", "Mobile Safari UI/WKWebView"),
)
_MOBILE = re.compile(r"Mobile|Tablet")

_IOS = re.compile(r"\((?:iPhone|iPad|iPod)[^)]*? OS (\d+)_(\d+)(?:_(\d+))?")
_MAC = re.compile(r"Mac OS X (\d+)[_.](\d+)(?:[_.](\d+))?")
_ANDROID = re.compile(r"Android (\d+)(?:\.(\d+))?(?:\.(\d+))?")
_WINDOWS = re.compile(r"Windows NT (\d+\.\d+)")
_CHROME_OS = re.compile(r"CrOS \S+ (\d+)\.(\d+)(?:\.(\d+))?")
# Windows reports kernel versions; people know the marketing names.
_WINDOWS_VERSIONS = {
    "10.0": "10",
    "6.3": "8.1",
    "6.2": "8",
    "6.1": "7",
    "6.0": "Vista",
    "5.2": "XP",
    "5.1": "XP",
}

_ANDROID_MODEL = re.compile(r"Android [\d.]+; (?:[a-z]{2}[-_][a-zA-Z]{2}; )?([^;)]+?)(?: Build/[^;)]*)?[;)]")
_APPLE_DEVICES = (("iPad", "iPad"), ("iPhone", "iPhone"), ("iPod", "iPod"), ("Macintosh", "Mac"))


# Most events come from a few browsers and clients, and parsing one costs dozens of regex searches: parsed
# values are kept. The header is at most `contexts.MAX_USER_AGENT` characters, so the memo stays small.
@lru_cache(maxsize=2048)
def parse_user_agent(ua: str) -> UserAgent:
    """Browser, OS and device family of a User-Agent header value."""
    crawler = _first_match(_CRAWLERS, ua)
    if crawler is not None or _GENERIC_CRAWLER.search(ua):
        browser, version = crawler if crawler is not None else (None, None)
        return UserAgent(browser, version, None, None, SPIDER)
    client = _first_match(_CLIENTS, ua)
    if client is not None:
        return UserAgent(client[0], client[1], None, None, None)
    browser, browser_version = _first_match(_BROWSERS, ua) or (None, None)
    os, os_version = _operating_system(ua)
    family, brand, model = _device(ua)
    return UserAgent(browser, browser_version, os, os_version, family, brand, model)


def _first_match(rules: tuple[_Rule, ...], ua: str) -> tuple[str, str | None] | None:
    for rule in rules:
        match = rule.pattern.search(ua)
        if match is not None:
            mobile = _MOBILE.search(ua) is not None
            return (rule.mobile_family if mobile and rule.mobile_family else rule.family), _version(match)
    return None


def _version(match: re.Match[str]) -> str | None:
    # Like Relay: major, then minor, then patch, as far as the string gives them.
    parts: list[str] = []
    for part in match.groups()[:3]:
        if part is None:
            break
        parts.append(part)
    return ".".join(parts) or None


def _operating_system(ua: str) -> tuple[str | None, str | None]:
    if match := _IOS.search(ua):
        return "iOS", _version(match)
    if match := _ANDROID.search(ua):
        return "Android", _version(match)
    if match := _WINDOWS.search(ua):
        return "Windows", _WINDOWS_VERSIONS.get(match[1], match[1])
    if match := _CHROME_OS.search(ua):
        return "Chrome OS", _version(match)
    if match := _MAC.search(ua):
        return "Mac OS X", _version(match)
    if "Windows" in ua:
        return "Windows", None
    if "Linux" in ua or "X11" in ua:
        return "Linux", None
    return None, None


def _device(ua: str) -> tuple[str | None, str | None, str | None]:
    """`(family, brand, model)`; family `None` where uap-core would say "Other" (desktops, unknowns)."""
    for token, family in _APPLE_DEVICES:
        if token in ua:
            return family, "Apple", family
    if "Android" not in ua:
        return None, None, None
    match = _ANDROID_MODEL.search(ua)
    model = match[1].strip() if match else ""
    # Chrome's reduced User-Agent says only "K" for the model; Firefox says only "Mobile" or "Tablet".
    if model in ("", "K", "Mobile", "Tablet"):
        return ("Generic Tablet" if "Tablet" in ua or "Mobile" not in ua else "Generic Smartphone"), None, None
    if model.startswith("SM-"):
        return f"Samsung {model}", "Samsung", model
    if model.startswith("Pixel"):
        return model, "Google", model
    return model, None, model
