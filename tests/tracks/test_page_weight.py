"""Page weight of the public pages, within the budget in DECISIONS.md.

A cold load is the HTML plus every asset it links to, compressed. gzip is
measured here; whitenoise serves brotli where the browser accepts it, which
is smaller still.
"""

import gzip
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]

PAGES = [
    "/",
    "/tracks/local-government/",
    "/request/",
    "/request/?track=local-government",
    "/accessibility/",
    "/privacy/",
]
# DECISIONS.md, "Quality budgets".
HTML_BUDGET = 30 * 1024
PAGE_BUDGET = 60 * 1024
# Only <link> and <script> load anything on these pages (no images inline).
ASSET = re.compile(r'<(?:link|script)\b[^>]*\b(?:href|src)="([^"]+)"')


def _compressed_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


@pytest.mark.parametrize("prefix", ["", "/ar", "/en"])
@pytest.mark.parametrize("page", PAGES)
def test_each_page_stays_within_the_weight_budget(client, page, prefix):
    html = client.get(prefix + page).content
    assets = ASSET.findall(html.decode())

    total = _compressed_size(html)
    for url in assets:
        assert url.startswith(settings.STATIC_URL), f"{url} is not a local asset"
        path = finders.find(url.removeprefix(settings.STATIC_URL))
        assert path, f"{url} is not found among the static files"
        with open(path, "rb") as asset:
            total += _compressed_size(asset.read())

    assert _compressed_size(html) < HTML_BUDGET
    assert total < PAGE_BUDGET, f"{prefix}{page}: {total} bytes compressed"


def test_the_home_page_loads_nothing_from_another_origin(client):
    html = client.get("/").content.decode()

    urls = re.findall(r'\b(?:href|src|action)="([^"]+)"', html)

    assert urls
    assert [url for url in urls if re.match(r"^(?:[a-z]+:)?//", url)] == []
