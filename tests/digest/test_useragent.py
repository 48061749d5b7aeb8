from __future__ import annotations

import pytest

from heron.digest.useragent import UserAgent, parse_user_agent

# (User-Agent, what it says): the family names are uap-core's, as Sentry shows them.
REAL_USER_AGENTS = [
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.6099.109 Safari/537.36",
        UserAgent("Chrome", "120.0.6099", "Windows", "10", None),
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/119.0.0.0 Safari/537.36",
        UserAgent("Chrome", "119.0.0", "Mac OS X", "10.15.7", "Mac", "Apple", "Mac"),
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/118.0.5993.88 "
        "Chrome/118.0.5993.88 Safari/537.36",
        UserAgent("Chromium", "118.0.5993", "Linux", None, None),
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
        "Safari/537.36 Edg/120.0.2210.91",
        UserAgent("Edge", "120.0.2210", "Windows", "10", None),
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/70.0.3538.102 Safari/537.36 Edge/18.19045",
        UserAgent("Edge", "18.19045", "Windows", "10", None),
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
        UserAgent("Firefox", "121.0", "Windows", "10", None),
    ),
    (
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0",
        UserAgent("Firefox", "115.0", "Linux", None, None),
    ),
    (
        "Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0",
        UserAgent("Firefox Mobile", "121.0", "Android", "14", "Generic Smartphone"),
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.1 Safari/605.1.15",
        UserAgent("Safari", "17.1", "Mac OS X", "10.15.7", "Mac", "Apple", "Mac"),
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.1.2 Mobile/15E148 Safari/604.1",
        UserAgent("Mobile Safari", "17.1.2", "iOS", "17.1.2", "iPhone", "Apple", "iPhone"),
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 "
        "Mobile/15E148 Safari/604.1",
        UserAgent("Mobile Safari", "16.6", "iOS", "16.6", "iPad", "Apple", "iPad"),
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
        UserAgent("Mobile Safari UI/WKWebView", None, "iOS", "16.6", "iPhone", "Apple", "iPhone"),
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
        UserAgent("Chrome Mobile iOS", "120.0.6099", "iOS", "17.2", "iPhone", "Apple", "iPhone"),
    ),
    (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile "
        "Safari/537.36",
        UserAgent("Chrome Mobile", "120.0.0", "Android", "10", "Generic Smartphone"),
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36",
        UserAgent("Chrome Mobile WebView", "116.0.0", "Android", "13", "Pixel 7", "Google", "Pixel 7"),
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 "
        "Chrome/115.0.0.0 Mobile Safari/537.36",
        UserAgent("Samsung Internet", "23.0", "Android", "13", "Samsung SM-S911B", "Samsung", "SM-S911B"),
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 "
        "Safari/537.36 OPR/105.0.0.0",
        UserAgent("Opera", "105.0.0", "Windows", "10", None),
    ),
    (
        "Opera/9.80 (Windows NT 6.1; WOW64) Presto/2.12.388 Version/12.18",
        UserAgent("Opera", "12.18", "Windows", "7", None),
    ),
    (
        "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
        UserAgent("IE", "11.0", "Windows", "7", None),
    ),
    (
        "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; Trident/6.0)",
        UserAgent("IE", "10.0", "Windows", "8", None),
    ),
    (
        "Mozilla/5.0 (Linux; U; Android 4.0.3; ko-kr; LG-L160L Build/IML74K) AppleWebkit/534.30 (KHTML, like "
        "Gecko) Version/4.0 Mobile Safari/534.30",
        UserAgent("Android", "4.0", "Android", "4.0.3", "LG-L160L", None, "LG-L160L"),
    ),
    (
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
        "Safari/537.36",
        UserAgent("Chrome", "120.0.0", "Chrome OS", "14541.0.0", None),
    ),
    (
        "Mozilla/5.0 (Windows NT 6.3; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 "
        "Safari/537.36",
        UserAgent("Chrome", "109.0.0", "Windows", "8.1", None),
    ),
    (
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        UserAgent("Googlebot", "2.1", None, None, "Spider"),
    ),
    (
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; "
        "+http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
        UserAgent("bingbot", "2.0", None, None, "Spider"),
    ),
    (
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        UserAgent(None, None, None, None, "Spider"),
    ),
    (
        "python-requests/2.31.0",
        UserAgent("Python Requests", "2.31.0", None, None, None),
    ),
    (
        "curl/8.4.0",
        UserAgent("curl", "8.4.0", None, None, None),
    ),
    (
        "Go-http-client/1.1",
        UserAgent("Go-http-client", "1.1", None, None, None),
    ),
    (
        "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
        UserAgent("node-fetch", "1.0", None, None, None),
    ),
]


@pytest.mark.parametrize(("ua", "expected"), REAL_USER_AGENTS)
def test_real_user_agents_are_recognised(ua: str, expected: UserAgent) -> None:
    assert parse_user_agent(ua) == expected


def test_a_phone_maker_named_like_a_bot_is_not_a_crawler() -> None:
    parsed = parse_user_agent(
        "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Mobile Safari/537.36"
    )
    assert parsed.device_family == "CUBOT X30"
    assert parsed.browser == "Chrome Mobile"


@pytest.mark.parametrize("ua", ["", "   ", "Mozilla/5.0", "definitely not a browser", "\x00\xff" * 50])
def test_unknown_user_agents_say_nothing(ua: str) -> None:
    assert parse_user_agent(ua) == UserAgent(None, None, None, None, None)
