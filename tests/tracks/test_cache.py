"""The catalog pages' cache: served per language from the cache, and never
stale once staff have edited the catalog, in the admin or through the ORM.

These tests commit (transactional_db), as production does: inside a
transaction the cache is bypassed, so tests on `db` never see it.
"""

import logging
from html.parser import HTMLParser

import pytest
from django.contrib.messages import INFO
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory
from tracks.models import AdjacentArea, Track, TrackFormat
from tracks.views import PAGE_DATA

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("catalog"),
]

TRACK_PATH = "/tracks/local-government/"
LANGUAGE_PREFIXES = ["", "/ar", "/en"]


def _html(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


class _ChangeForm(HTMLParser):
    """The values an admin change form would post back as they are."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.data[name] = attrs.get("value") or (
                    "on" if attrs.get("type") == "checkbox" else ""
                )
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            # Browsers drop the newline that follows <textarea>.
            self.data[self._textarea] = self.data[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None


def test_a_new_visitor_gets_the_home_page_from_the_cache(
    client, django_assert_num_queries
):
    first = _html(client, "/")

    with django_assert_num_queries(0):
        again = Client().get("/")

    assert again.content.decode() == first
    assert "Cookie" in again["Vary"]
    assert again["Content-Language"] == "he"


@pytest.mark.parametrize("prefix", LANGUAGE_PREFIXES)
def test_each_language_is_cached_apart(prefix):
    track = Track.objects.get(slug="local-government")
    titles = {"": track.title_he, "/ar": track.title_ar, "/en": track.title_en}
    for other in LANGUAGE_PREFIXES:
        _html(Client(), other + "/")

    html = _html(Client(), prefix + "/")

    assert titles[prefix] in html
    assert all(title not in html for key, title in titles.items() if key != prefix)


@pytest.mark.parametrize("prefix", LANGUAGE_PREFIXES)
def test_a_title_saved_through_the_orm_shows_at_once_on_both_pages(prefix):
    for path in ("/", TRACK_PATH):
        _html(Client(), prefix + path)
    track = Track.objects.get(slug="local-government")

    track.title_he, track.title_ar, track.title_en = "כותרת חדשה", "عنوان جديد", "New"
    track.save()

    new_title = {"": "כותרת חדשה", "/ar": "عنوان جديد", "/en": "New"}[prefix]
    assert new_title in _html(Client(), prefix + "/")
    assert f"<h1>{new_title}</h1>" in _html(Client(), prefix + TRACK_PATH)


def test_a_title_edited_in_the_admin_shows_at_once(client):
    track = Track.objects.get(slug="local-government")
    staff = UserFactory(is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(staff)
    url = reverse("admin:tracks_track_change", args=[track.pk])
    form = _ChangeForm()
    form.feed(admin.get(url).content.decode())
    _html(client, "/en/")
    _html(client, "/en" + TRACK_PATH)

    response = admin.post(url, {**form.data, "title_en": "Working with councils"})

    assert response.status_code == 302, response.content.decode()[:2000]
    assert "Working with councils" in _html(Client(), "/en/")
    assert "<h1>Working with councils</h1>" in _html(Client(), "/en" + TRACK_PATH)


def test_a_track_deactivated_on_the_admin_list_leaves_the_pages(admin_client):
    tracks = list(Track.objects.all())
    for path in ("/", TRACK_PATH):
        _html(Client(), path)
    data = {
        "form-TOTAL_FORMS": str(len(tracks)),
        "form-INITIAL_FORMS": str(len(tracks)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, track in enumerate(tracks):
        data[f"form-{index}-id"] = str(track.pk)
        data[f"form-{index}-order"] = str(track.order)
        if track.slug != "local-government":
            data[f"form-{index}-is_active"] = "on"

    response = admin_client.post(reverse("admin:tracks_track_changelist"), data)

    assert response.status_code == 302
    assert 'href="/tracks/local-government/"' not in _html(Client(), "/")
    assert Client().get(TRACK_PATH).status_code == 404


def test_a_format_or_an_adjacent_area_changed_shows_on_the_track_page():
    _html(Client(), "/en" + TRACK_PATH)
    track_format = TrackFormat.objects.filter(track__slug="local-government").first()
    area = AdjacentArea.objects.order_by("order").first()

    track_format.title_en = "One-day workshop"
    track_format.save()
    area.delete()

    html = _html(Client(), "/en" + TRACK_PATH)
    assert "One-day workshop" in html
    assert area.title_en not in html


def test_a_signed_in_user_gets_their_own_header_around_the_cached_body():
    """The staff link is never cached: not shown to a new visitor after
    staff have seen the page, always shown to staff after anyone has."""
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    with translation.override("he"):
        staff_link = reverse("admin:index")
    _html(Client(), "/")
    _html(Client(), TRACK_PATH)

    assert f'href="{staff_link}"' in _html(staff, "/")
    assert f'href="{staff_link}"' not in _html(Client(), "/")
    with CaptureQueriesContext(connection) as queries:
        html = _html(staff, TRACK_PATH)

    assert f'href="{staff_link}"' in html
    # The body came from the cache; only the session and the user were read.
    assert not [query for query in queries if "tracks_" in query["sql"]]


def test_a_visitor_with_a_message_waiting_sees_it_and_nobody_else_does(client, rf):
    _html(Client(), "/")
    storage = CookieStorage(rf.get("/"))
    client.cookies["messages"] = storage._encode([Message(INFO, "Welcome back")])

    assert "Welcome back" in _html(client, "/")
    assert "Welcome back" not in _html(Client(), "/")


def test_an_unknown_track_stays_not_found_and_is_not_cached():
    for _ in range(2):
        assert Client().get("/tracks/no-such-track/").status_code == 404


def test_the_pages_still_render_when_the_cache_does_not_answer(settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    with caplog.at_level(logging.WARNING, logger="shatil_portal.caching"):
        for path in ("/", TRACK_PATH):
            assert Client().get(path).status_code == 200
        staff = Client()
        staff.force_login(UserFactory(is_staff=True))
        assert staff.get("/").status_code == 200

    assert "Catalog cache skipped" in caplog.text


def test_nothing_is_cached_with_debug_on(settings, django_assert_num_queries):
    """So that an edited template shows at once on `make run`."""
    settings.DEBUG = True
    _html(Client(), "/")

    # The tracks and the response policies (the page's promise).
    with django_assert_num_queries(2):
        _html(Client(), "/")


# Each process's own copy (CATALOG_LOCAL_SECONDS; 0 in the other tests).


@pytest.fixture(autouse=True)
def no_copy_from_an_earlier_test():
    from shatil_portal import caching

    caching._locals.clear()
    yield
    caching._locals.clear()


DEAD_REDIS = {
    "default": {
        "BACKEND": "shatil_portal.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def test_a_process_serves_the_pages_it_holds_without_asking_redis(settings, caplog):
    settings.CATALOG_LOCAL_SECONDS = 60
    first = {path: _html(Client(), path) for path in ("/", TRACK_PATH)}

    settings.CACHES = DEAD_REDIS
    with caplog.at_level(logging.WARNING, logger="shatil_portal.caching"):
        again = {path: _html(Client(), path) for path in ("/", TRACK_PATH)}

    assert again == first
    assert "Catalog cache" not in caplog.text


def test_a_submission_reads_the_form_catalog_from_the_process_copy_each_its_own(
    settings, caplog
):
    """The form's catalog (model instances) is kept by the process as well,
    yet every request gets instances of its own: what one request does to
    them never reaches the next."""
    from consultations.selectors.requester import request_form_catalog

    settings.CATALOG_LOCAL_SECONDS = 60
    first = request_form_catalog()
    first.tracks[0].title_he = "שונה בבקשה אחת"

    settings.CACHES = DEAD_REDIS
    with caplog.at_level(logging.WARNING, logger="shatil_portal.caching"):
        again = request_form_catalog()

    assert "cache skipped" not in caplog.text
    assert [track.slug for track in again.tracks] == [
        track.slug for track in first.tracks
    ]
    assert again.tracks[0] is not first.tracks[0]
    assert again.tracks[0].title_he != "שונה בבקשה אחת"


def test_the_process_that_saves_an_edit_serves_it_at_once(settings):
    settings.CATALOG_LOCAL_SECONDS = 60
    _html(Client(), "/")
    track = Track.objects.get(slug="local-government")

    track.title_he = "כותרת חדשה"
    track.save()

    assert "כותרת חדשה" in _html(Client(), "/")


def test_an_edit_saved_by_another_process_shows_once_the_copy_is_old(settings):
    from shatil_portal import caching

    settings.CATALOG_LOCAL_SECONDS = 60
    _html(Client(), "/")
    # Another process saves a title: its commit moves the version on in
    # Redis; this process's copy knows nothing of it.
    Track.objects.filter(slug="local-government").update(title_he="כותרת חדשה")
    # The pages' copy: of the catalog and the response policies together.
    pages = caching._joined(PAGE_DATA)
    local = caching._locals[pages]
    caching._bump_version(caching.CATALOG)
    caching._locals[pages] = local

    assert "כותרת חדשה" not in _html(Client(), "/")
    # A minute on (the copy's age, not the wall clock: a slow machine must
    # not age it early), the copy is too old to trust.
    caching._locals[pages].read_at -= 60
    assert "כותרת חדשה" in _html(Client(), "/")


def test_after_a_restore_the_cache_serves_the_restored_catalog():
    """A restore writes the database behind the portal's back (no signal),
    so `cache_move_on`, which `make restore` runs, moves every version on."""
    import io

    from django.core.management import call_command

    from shatil_portal.caching import NAMESPACES, namespace_version

    _html(Client(), "/")
    # As a restored dump would: the rows change, and no signal is sent.
    Track.objects.filter(slug="local-government").update(title_he="כותרת משוחזרת")
    assert "כותרת משוחזרת" not in _html(Client(), "/")
    before = {namespace: namespace_version(namespace) for namespace in NAMESPACES}

    call_command("cache_move_on", stdout=io.StringIO())

    assert "כותרת משוחזרת" in _html(Client(), "/")
    for namespace in NAMESPACES:
        assert namespace_version(namespace) != before[namespace]


def test_the_make_restore_target_moves_the_cache_on():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    recipe = makefile.split("\nrestore:", 1)[1].split("\n\n", 1)[0]
    assert recipe.index("restore.sh") < recipe.index("manage.py cache_move_on")
