"""The Hebrew admin names every app, model, status and quotation in Hebrew:
third-party apps included, history rows by their status labels."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from consultations.models import Consultation, StatusChange
from tests.consultations.conftest import ConsultationFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ENGLISH_NAMES = [
    "Axes",
    "AXES",
    "Periodic Tasks",
    "PERIODIC TASKS",
    "Access attempts",
    "Access failures",
    "Crontabs",
    "Intervals",
    "Periodic tasks",
    "Clocked",
    "Solar events",
    "Otp_Static",
    "Otp_Totp",
    "TOTP devices",
    "TOTP device",
    "Static devices",
    "Static device",
]


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _text(response):
    return re.sub(r"<[^>]+>", " ", response.content.decode())


def test_the_hebrew_admin_index_names_the_third_party_apps_in_hebrew(
    superuser_client,
):
    text = _text(superuser_client.get(reverse("admin:index")))

    for hebrew in [
        "הגנה על הכניסה",
        "ניסיונות כניסה",
        "כניסות שנכשלו",
        "משימות מתוזמנות",
        "לוחות זמנים (cron)",
        "מרווחי זמן",
        "קודי גיבוי לאימות דו־שלבי",
        "אפליקציות אימות דו־שלבי",
        "רשימות קודי גיבוי",
    ]:
        assert hebrew in text
    # The authenticator apps' model, not only their app's heading.
    assert re.search(r"\bאפליקציות אימות\s+(?!דו)", text)
    for english in ENGLISH_NAMES:
        assert not re.search(rf"\b{re.escape(english)}\b", text), english


@pytest.mark.parametrize(
    ("url_name", "hebrew"),
    [
        ("admin:axes_accessattempt_changelist", "ניסיונות כניסה"),
        ("admin:django_celery_beat_periodictask_changelist", "משימות מתוזמנות"),
        ("admin:django_celery_beat_crontabschedule_changelist", "לוחות זמנים (cron)"),
        ("admin:django_celery_beat_intervalschedule_changelist", "מרווחי זמן"),
    ],
)
def test_the_third_party_lists_are_titled_in_hebrew(superuser_client, url_name, hebrew):
    text = _text(superuser_client.get(reverse(url_name)))

    assert hebrew in text
    for english in ENGLISH_NAMES:
        assert not re.search(rf"\b{re.escape(english)}\b", text), english


def test_a_history_row_names_the_statuses_by_their_labels(superuser_client):
    consultation = ConsultationFactory()
    StatusChange.objects.create(
        consultation=consultation,
        from_status=Consultation.Status.NEW,
        to_status=Consultation.Status.IN_TRIAGE,
    )

    html = superuser_client.get(
        reverse("admin:consultations_consultation_change", args=[consultation.pk])
    ).content.decode()

    with translation.override("he"):
        new = str(Consultation.Status.NEW.label)
        in_triage = str(Consultation.Status.IN_TRIAGE.label)
    assert f"{new} ← {in_triage}" in html
    assert "new → in_triage" not in html


def test_status_buttons_quote_in_hebrew_punctuation(superuser_client):
    consultation = ConsultationFactory()

    html = superuser_client.get(
        reverse("admin:consultations_consultation_change", args=[consultation.pk])
    ).content.decode()

    assert "העברה לסטטוס ״" in html
    assert "“" not in html and "”" not in html


@pytest.mark.parametrize(
    ("url_name", "hebrew"),
    [
        ("admin:otp_totp_totpdevice_changelist", "אפליקציות אימות"),
        ("admin:otp_static_staticdevice_changelist", "רשימות קודי גיבוי"),
    ],
)
def test_the_two_factor_lists_name_the_model_columns_and_filters_in_hebrew(
    superuser_client, url_name, hebrew
):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    owner = UserFactory(username="dana")
    TOTPDevice.objects.create(user=owner, name="הטלפון של דנה")
    StaticDevice.objects.create(user=owner, name="backup")

    text = _text(superuser_client.get(reverse(url_name)))

    assert hebrew in text
    for column in ["משתמש.ת", "מועד יצירה", "שימוש אחרון", "מאושר"]:
        assert column in text, column
    for english in [*ENGLISH_NAMES, "Created at", "Last used at", "Confirmed"]:
        assert not re.search(rf"\b{re.escape(english)}\b", text), english


def test_a_two_factor_device_page_names_its_sections_in_hebrew(superuser_client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(
        user=UserFactory(username="dana"), name="הטלפון של דנה"
    )
    text = _text(
        superuser_client.get(
            reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
        )
    )

    for hebrew in ["זיהוי", "מועדים", "הגבלת ניסיונות", "אפליקציית אימות"]:
        assert hebrew in text, hebrew
    for english in ["Identity", "Timestamps", "Throttling", "TOTP device"]:
        assert not re.search(rf"\b{re.escape(english)}\b", text), english
