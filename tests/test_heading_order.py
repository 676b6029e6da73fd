"""Every public page's headings go down one level at a time, from one h1,
in each language (WCAG 1.3.1; the validator and Lighthouse flag a skip)."""

import re
from html.parser import HTMLParser

import pytest

from tests.factories import ConsultationFactory, FeedbackFactory, request_form_data
from tracks.models import Track

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]

STATUS_TOKEN = "status-token-for-headings-0123456789abcdefg"
FEEDBACK_TOKEN = "feedback-token-for-headings-0123456789abcd"


class Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.levels: list[int] = []

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))


def skips(html: str) -> list[str]:
    parser = Headings()
    parser.feed(html)
    problems = []
    if parser.levels[:1] != [1] or parser.levels.count(1) != 1:
        problems.append(f"not one h1 first: {parser.levels}")
    for before, after in zip(parser.levels, parser.levels[1:], strict=False):
        if after > before + 1:
            problems.append(f"h{before} then h{after}")
    return problems


@pytest.fixture
def public_pages(client, settings):
    settings.RATELIMIT_ENABLE = False
    ConsultationFactory(status_token=STATUS_TOKEN)
    FeedbackFactory(token=FEEDBACK_TOKEN)
    return [
        "/",
        *(f"/tracks/{slug}/" for slug in Track.objects.values_list("slug", flat=True)),
        "/accessibility/",
        "/privacy/",
        "/request/",
        "/request/lost-link/",
        f"/request/status/{STATUS_TOKEN}/",
        f"/request/status/{STATUS_TOKEN}/withdraw/",
        f"/request/status/{STATUS_TOKEN}/contact/",
        f"/request/status/{STATUS_TOKEN}/delete/",
        f"/feedback/{FEEDBACK_TOKEN}/",
        "/accounts/login/",
        "/accounts/password-reset/",
        "/accounts/password-reset/sent/",
        "/no-such-page/",
    ]


@pytest.mark.parametrize("prefix", ["", "/ar", "/en"])
def test_no_public_page_skips_a_heading_level(client, public_pages, prefix):
    problems = {}
    for url in public_pages:
        response = client.get(prefix + url)
        assert response.status_code in (200, 404), url
        if found := skips(response.content.decode()):
            problems[url] = found
    assert problems == {}


@pytest.mark.parametrize("prefix", ["", "/ar", "/en"])
def test_the_request_form_with_errors_and_its_confirmation_skip_no_level(
    client, settings, prefix
):
    settings.RATELIMIT_ENABLE = False
    refused = client.post(f"{prefix}/request/", request_form_data(contact_email=""))
    assert skips(refused.content.decode()) == []

    sent = client.post(f"{prefix}/request/", request_form_data(), follow=True)
    assert "request/received" in sent.redirect_chain[-1][0]
    assert skips(sent.content.decode()) == []
