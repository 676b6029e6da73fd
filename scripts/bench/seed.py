"""Seed the benchmark database: 2,000 organizations, 100,000 requests over
three years with their history, messages, notes, meetings and outbox rows,
40 advisors, and the accounts the load run logs in with (`--requests N` for
a smaller seed: one organization per 50 requests). Each request's history
is a walk over the workflow's own table of allowed moves.

Run against an empty, migrated database (the catalog comes from the data
migration); `scripts/bench/run.py` creates one and calls this script:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shatil_bench \
        .venv/bin/python scripts/bench/seed.py --out var/bench/seed.json

The random generator has a fixed seed, so two runs hold the same data (up to
the moment "now" they are relative to). Rows are written with PostgreSQL's
COPY from model instances, so every column gets the value Django would store,
defaults included; the whole seed takes well under two minutes.
"""

import argparse
import base64
import bisect
import inspect
import io
import itertools
import json
import os
import random
import sys
import time
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shatil_portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from consultations.business_time import CUTOFF  # noqa: E402
from consultations.models import (  # noqa: E402
    AdvisorProfile,
    CoalitionMember,
    Consultation,
    InternalNote,
    Language,
    Meeting,
    Message,
    Organization,
    OutboundEmail,
    Region,
    StatusChange,
)
from consultations.roles import ADVISORS_GROUP, COORDINATORS_GROUP  # noqa: E402
from consultations.selectors.followups import first_response_due_at  # noqa: E402
from consultations.selectors.requester import status_token_hash  # noqa: E402
from consultations.services.intake import reference_counter_set  # noqa: E402
from consultations.services.workflow import ALLOWED_TRANSITIONS  # noqa: E402
from tracks.models import AdjacentArea, Track  # noqa: E402

SEED = 20261129
REQUESTS = 100_000
# One organization per 50 requests: 2,000 for the full run.
REQUESTS_PER_ORGANIZATION = 50
ADVISORS = 40
DAYS = 3 * 365
CHUNK = 10_000
# The load run's accounts; this database exists only for the benchmark.
PASSWORD = "bench-password-2026"
STAFF_USERNAME = "bench-coordinator"
ADVISOR_USERNAME = "bench-advisor"

ISRAEL = ZoneInfo("Asia/Jerusalem")
Status = Consultation.Status
User = get_user_model()

# Tracks' share of the requests, by slug (crisis requests are about 5%).
TRACK_WEIGHTS = {
    "local-government": 24,
    "project-consulting": 22,
    "professional-development": 14,
    "strategic-planning": 15,
    "crisis": 5,
    "coalition": 8,
    "climate-crisis": 12,
}
REGION_WEIGHTS = {
    Region.NORTH: 18,
    Region.HAIFA: 13,
    Region.CENTER: 17,
    Region.TEL_AVIV: 16,
    Region.JERUSALEM: 15,
    Region.SOUTH: 12,
    Region.NATIONWIDE: 7,
    Region.OTHER: 2,
}
KIND_WEIGHTS = {
    Organization.Kind.NONPROFIT: 55,
    Organization.Kind.PUBLIC_BENEFIT_COMPANY: 10,
    Organization.Kind.GRASSROOTS: 15,
    Organization.Kind.COALITION: 5,
    Organization.Kind.LOCAL_AUTHORITY: 8,
    Organization.Kind.OTHER: 7,
}
LANGUAGE_WEIGHTS = {Language.HEBREW: 65, Language.ARABIC: 25, Language.ENGLISH: 10}

# The status a request has reached, by its age in days: recent requests are
# open, old ones closed, with a few forgotten ones still waiting.
STATUS_BY_AGE = [
    (
        1,
        {Status.NEW: 80, Status.IN_TRIAGE: 15, Status.ASSIGNED: 4, Status.WITHDRAWN: 1},
    ),
    (
        5,
        {
            Status.NEW: 15,
            Status.IN_TRIAGE: 30,
            Status.ASSIGNED: 35,
            Status.IN_PROGRESS: 10,
            Status.DECLINED: 5,
            Status.WITHDRAWN: 5,
        },
    ),
    (
        30,
        {
            Status.NEW: 1,
            Status.IN_TRIAGE: 4,
            Status.ASSIGNED: 15,
            Status.IN_PROGRESS: 35,
            Status.WAITING_FOR_ORGANIZATION: 15,
            Status.COMPLETED: 20,
            Status.DECLINED: 7,
            Status.WITHDRAWN: 3,
        },
    ),
    (
        90,
        {
            Status.IN_PROGRESS: 8,
            Status.WAITING_FOR_ORGANIZATION: 4,
            Status.COMPLETED: 72,
            Status.DECLINED: 10,
            Status.WITHDRAWN: 6,
        },
    ),
    (
        DAYS + 1,
        {
            Status.WAITING_FOR_ORGANIZATION: 0.5,
            Status.COMPLETED: 78,
            Status.DECLINED: 12,
            Status.WITHDRAWN: 9.5,
        },
    ),
]
# How a request moves, where the workflow (ALLOWED_TRANSITIONS) leaves a
# choice: the weight of each move among the moves allowed from a status that
# can still lead to the status the request ends in. A move not listed weighs
# FINISH when it reaches that last status, else 1; a move listed here that
# the workflow no longer allows is never made.
MOVE_WEIGHTS = {
    (Status.NEW, Status.IN_TRIAGE): 16,  # most requests are triaged first
    (Status.NEW, Status.ASSIGNED): 4,
    (Status.NEW, Status.DECLINED): 2,
    (Status.NEW, Status.WITHDRAWN): 20,  # about half of withdrawals are early
    (Status.ASSIGNED, Status.IN_PROGRESS): 20,  # advisors start working
    (Status.ASSIGNED, Status.WAITING_FOR_ORGANIZATION): 1,
    (Status.ASSIGNED, Status.COMPLETED): 1,
    (Status.IN_PROGRESS, Status.WAITING_FOR_ORGANIZATION): 3,
    (Status.IN_PROGRESS, Status.COMPLETED): 7,
    (Status.WAITING_FOR_ORGANIZATION, Status.IN_PROGRESS): 9,
    (Status.WAITING_FOR_ORGANIZATION, Status.COMPLETED): 1,
}
FINISH = 10
# After this many steps a request takes only moves that bring it closer to
# its last status, so the back and forth always ends.
MAX_STEPS = 8
# Days from one step to the next, as (shortest, longest).
STEP_DAYS = {
    Status.IN_TRIAGE: (0.1, 1.5),
    Status.ASSIGNED: (0.3, 3.0),
    Status.IN_PROGRESS: (1, 7),
    Status.WAITING_FOR_ORGANIZATION: (2, 10),
    Status.COMPLETED: (7, 40),
    Status.DECLINED: (0.5, 3),
    Status.WITHDRAWN: (0.5, 10),
}

FIRST_NAMES = {
    "he": ["דנה", "יוסי", "מיכל", "אבי", "נועה", "רונית", "עומר", "שירה", "איתי"],
    "ar": ["أحمد", "فاطمة", "محمد", "ريم", "خالد", "سناء", "يوسف", "ليلى", "سامي"],
    "en": ["Dana", "Joseph", "Michal", "Sarah", "David", "Rachel", "Omar", "Maya"],
}
LAST_NAMES = {
    "he": ["לוי", "כהן", "מזרחי", "פרץ", "ביטון", "אברהם", "פרידמן", "שפירא"],
    "ar": ["خوري", "حداد", "عودة", "منصور", "جبارين", "ناصر", "عثمان", "زعبي"],
    "en": ["Levi", "Cohen", "Green", "Stein", "Haddad", "Mansour", "Katz"],
}
ORG_WORDS = {
    "he": ["עמותת", "פורום", "קואליציית", "מרכז", "איגוד", "יוזמת"],
    "ar": ["جمعية", "منتدى", "مركز", "ائتلاف", "مبادرة"],
    "en": ["Forum for", "Center for", "Coalition for", "Initiative for"],
}
ORG_TOPICS = {
    "he": ["צדק חברתי", "נגישות", "דיור הוגן", "חינוך שוויוני", "סביבה", "בריאות"],
    "ar": ["العدالة الاجتماعية", "الإسكان", "التعليم", "البيئة", "الصحة"],
    "en": ["Social Justice", "Fair Housing", "Accessibility", "Clean Air", "Health"],
}
LOCALITIES = ["חיפה", "נצרת", "באר שבע", "ירושלים", "תל אביב-יפו", "עכו", "רהט"]
GOALS = {
    "he": (
        "אנחנו רוצים לקדם תקנה עירונית שתבטיח הנגשה של מרחבים ציבוריים "
        "לאנשים עם מוגבלות, ולבנות קואליציה של תושבים ונבחרי ציבור סביבה."
    ),
    "ar": (
        "نريد أن ندفع نحو سياسة بلدية تضمن إتاحة الأماكن العامة للأشخاص "
        "ذوي الإعاقة، وأن نبني ائتلافًا من السكان والمنتخبين حولها."
    ),
    "en": (
        "We want to advance a municipal by-law that makes public spaces "
        "accessible to people with disabilities, and to build a coalition of "
        "residents and elected officials around it."
    ),
}
BACKGROUNDS = {
    "he": (
        "פנינו לוועדת התכנון פעמיים ולא קיבלנו מענה. יש לנו קבוצת מתנדבים "
        "פעילה ונתונים שאספנו בשטח, אבל אין לנו תוכנית עבודה מול הרשות."
    ),
    "ar": (
        "توجهنا إلى لجنة التخطيط مرتين ولم نتلقَّ ردًا. لدينا مجموعة متطوعين "
        "نشطة ومعطيات جمعناها، لكن ليست لدينا خطة عمل أمام السلطة المحلية."
    ),
    "en": (
        "We wrote to the planning committee twice without an answer. We have "
        "an active group of volunteers and data from the field, but no plan "
        "for working with the local authority."
    ),
}
MESSAGES = {
    "out": "שלום, תודה על הפנייה. אשמח לקבוע פגישת היכרות בשבוע הבא.",
    "in": "תודה רבה! נוח לנו ביום שני או שלישי אחרי הצהריים.",
}
NOTE = "שיחת היכרות טובה; הארגון צריך עזרה במיפוי בעלי עניין ובתוכנית עבודה."


def _weighted(rnd: random.Random, weights: dict):
    return rnd.choices(list(weights), weights=list(weights.values()))[0]


def _registration_number(rnd: random.Random, prefix: str) -> str:
    """A nine-digit number with a valid Israeli check digit."""
    body = prefix + "".join(str(rnd.randrange(10)) for _ in range(8 - len(prefix)))
    total = 0
    for index, char in enumerate(body):
        product = int(char) * (1 + index % 2)
        total += product // 10 + product % 10
    return body + str((10 - total % 10) % 10)


def _token(rnd: random.Random) -> str:
    """A private-link token shaped like secrets.token_urlsafe(32)."""
    return base64.urlsafe_b64encode(rnd.randbytes(32)).rstrip(b"=").decode()


def _uuid(rnd: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rnd.getrandbits(128), version=4)


# COPY

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_PLAIN_TEXT = (
    models.CharField,
    models.TextField,
    models.EmailField,
    models.SlugField,
    models.URLField,
)


def _converter(field: models.Field):
    """How a Python value of `field` is written in COPY's text format."""
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(
            value, cls=field.encoder, ensure_ascii=False
        ).translate(_ESCAPES)
    if isinstance(field, models.BooleanField):
        return lambda value: "t" if value else "f"
    if isinstance(field, models.DateTimeField):
        return lambda value: value.isoformat()
    if isinstance(field, models.DurationField):
        return lambda value: f"{value.total_seconds()} seconds"
    if isinstance(field, models.IntegerField | models.UUIDField) or field.is_relation:
        return str
    if type(field) in _PLAIN_TEXT:
        return lambda value: value.translate(_ESCAPES)
    # Anything else (a phone number, say) as Django would save it.
    return lambda value: str(field.get_db_prep_save(value, connection)).translate(
        _ESCAPES
    )


class Table:
    """One model's columns, with its defaults, for COPY."""

    def __init__(self, model: type[models.Model], first_row: dict):
        unknown = set(first_row) - {f.attname for f in model._meta.concrete_fields}
        if unknown:
            raise ValueError(f"{model._meta.label} has no {sorted(unknown)}")
        self.model = model
        self.fields = [
            field
            for field in model._meta.concrete_fields
            # Keys the database hands out are left to it.
            if not (field.primary_key and field.attname not in first_row)
        ]
        self.columns = [
            (
                field.attname,
                _converter(field),
                getattr(field, "auto_now", False),
                field,
            )
            for field in self.fields
        ]
        self.rows: list[str] = []
        self.count = 0

    def add(self, values: dict) -> None:
        cells = []
        for name, convert, auto_now, field in self.columns:
            value = values.get(name, _MISSING)
            if value is _MISSING:
                # As Model() does: the field's default ("" for text), and
                # auto_now fields stamped now.
                value = timezone.now() if auto_now else field.get_default()
            cells.append("\\N" if value is None else convert(value))
        self.rows.append("\t".join(cells))

    def flush(self, cursor) -> None:
        if not self.rows:
            return
        data = io.StringIO("\n".join(self.rows) + "\n")
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        table = connection.ops.quote_name(self.model._meta.db_table)
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", data)
        self.count += len(self.rows)
        self.rows = []


_MISSING = object()


class Copier:
    """Rows per table, written with COPY at each flush. A row is a dict of
    field values; fields left out take the model's default, as Model() would."""

    def __init__(self):
        self.tables: dict[type[models.Model], Table] = {}

    def add(self, model: type[models.Model], **values) -> None:
        table = self.tables.get(model)
        if table is None:
            table = self.tables[model] = Table(model, values)
        table.add(values)

    def flush(self) -> None:
        with connection.cursor() as cursor:
            for table in self.tables.values():
                table.flush(cursor)

    @property
    def counts(self) -> dict[str, int]:
        return {t.model._meta.label: t.count for t in self.tables.values()}


# People


def seed_users(rnd: random.Random, tracks: list[Track], now: datetime):
    password = make_password(PASSWORD)
    coordinators = Group.objects.get(name=COORDINATORS_GROUP)
    advisors_group = Group.objects.get(name=ADVISORS_GROUP)

    staff = User.objects.create(
        username=STAFF_USERNAME,
        first_name="רונית",
        last_name="מתאמת",
        email="coordinator@bench.example.org",
        is_staff=True,
        is_superuser=True,
        password=password,
    )
    staff.groups.add(coordinators)
    others = User.objects.bulk_create(
        User(
            username=f"coordinator{number}",
            first_name=rnd.choice(FIRST_NAMES["he"]),
            last_name=rnd.choice(LAST_NAMES["he"]),
            email=f"coordinator{number}@bench.example.org",
            is_staff=True,
            password=password,
        )
        for number in range(2, 6)
    )
    coordinators.user_set.add(*others)

    advisors = User.objects.bulk_create(
        User(
            username=ADVISOR_USERNAME if number == 1 else f"advisor{number:02d}",
            first_name=rnd.choice(FIRST_NAMES[language]),
            last_name=rnd.choice(LAST_NAMES[language]),
            email=f"advisor{number:02d}@bench.example.org",
            password=password,
        )
        for number, language in (
            (n, rnd.choice(["he", "he", "ar", "en"])) for n in range(1, ADVISORS + 1)
        )
    )
    advisors_group.user_set.add(*advisors)

    profiles = []
    coverage: dict[int, list] = {track.pk: [] for track in tracks}
    for index, user in enumerate(advisors):
        # Every track is covered by several advisors.
        own = {tracks[index % len(tracks)]}
        own.update(rnd.sample(tracks, rnd.randint(0, 2)))
        languages = ["he"] + [
            code for code, share in (("ar", 0.35), ("en", 0.5)) if rnd.random() < share
        ]
        regions = (
            [Region.NATIONWIDE.value]
            if rnd.random() < 0.2
            else rnd.sample([r.value for r in Region][:6], rnd.randint(1, 3))
        )
        profile = AdvisorProfile.objects.create(
            user=user,
            languages=languages,
            regions=regions,
            capacity=rnd.randint(25, 60),
            # Two advisors have left; their open work awaits reassignment.
            is_active=index not in (38, 39),
        )
        profile.tracks.set(own)
        profiles.append(profile)
        for track in own:
            coverage[track.pk].append(user)
    return staff, [staff, *others], advisors, profiles, coverage


def seed_organizations(rnd: random.Random, count: int) -> list[Organization]:
    used: set[str] = set()
    organizations = []
    for number in range(1, count + 1):
        language = _weighted(rnd, {"he": 70, "ar": 25, "en": 5})
        kind = _weighted(rnd, KIND_WEIGHTS)
        prefixes = {
            Organization.Kind.NONPROFIT: ["58"],
            Organization.Kind.PUBLIC_BENEFIT_COMPANY: ["51", "52"],
        }.get(kind)
        number_text = ""
        if prefixes:
            while not number_text or number_text in used:
                number_text = _registration_number(rnd, rnd.choice(prefixes))
            used.add(number_text)
        organizations.append(
            Organization(
                name=(
                    f"{rnd.choice(ORG_WORDS[language])} "
                    f"{rnd.choice(ORG_TOPICS[language])} {number}"
                ),
                kind=kind,
                registration_number=number_text,
                region=_weighted(rnd, REGION_WEIGHTS),
                locality=rnd.choice(LOCALITIES),
                website=f"https://org{number}.example.org"
                if rnd.random() < 0.6
                else "",
                staff_size=rnd.choice(Organization.Size.values),
                volunteer_size=rnd.choice(Organization.Size.values),
                population_served="תושבי הפריפריה, משפחות ואנשים עם מוגבלות",
            )
        )
    return Organization.objects.bulk_create(organizations, batch_size=1000)


# Requests


def _submitted_moments(rnd: random.Random, now: datetime, count: int) -> list[datetime]:
    """`count` moments over three years, more in recent months, mostly on
    Israeli working hours; sorted, as references follow submission order."""
    moments = []
    today = now.astimezone(ISRAEL).date()
    while len(moments) < count:
        day = today - timedelta(days=int(rnd.triangular(0, DAYS, 0)))
        if day.weekday() in (4, 5) and rnd.random() > 0.1:
            continue
        local = datetime(
            day.year,
            day.month,
            day.day,
            min(23, int(rnd.triangular(7, 23, 11))),
            rnd.randrange(60),
            rnd.randrange(60),
            tzinfo=ISRAEL,
        )
        moment = local.astimezone(UTC)
        if moment < now - timedelta(minutes=5):
            moments.append(moment)
    moments.sort()
    return moments


def _steps_to(final: str) -> dict[str, int]:
    """How many moves each status is from `final` in ALLOWED_TRANSITIONS
    (statuses that cannot reach it are left out)."""
    steps = {final: 0}
    frontier = [final]
    while frontier:
        target = frontier.pop(0)
        for status, allowed in ALLOWED_TRANSITIONS.items():
            if target in allowed and status not in steps:
                steps[status] = steps[target] + 1
                frontier.append(status)
    return steps


def _path(rnd: random.Random, final: str) -> list[str]:
    """The statuses a request went through to reach `final`, after "new": a
    walk over the workflow's allowed moves, weighted by MOVE_WEIGHTS."""
    steps = _steps_to(final)
    path: list[str] = []
    status = Status.NEW
    while status != final:
        moves = [move for move in ALLOWED_TRANSITIONS[status] if move in steps]
        if len(path) >= MAX_STEPS:
            moves = [move for move in moves if steps[move] < steps[status]]
        moves.sort()  # sets have no order; the walk must repeat itself
        weights = [
            MOVE_WEIGHTS.get((status, move), FINISH if move == final else 1)
            for move in moves
        ]
        status = rnd.choices(moves, weights=weights)[0]
        path.append(status)
    return path


def _times(rnd, path, submitted, now) -> list[datetime]:
    """One moment per step, in order, all before now."""
    offsets = []
    total = 0.0
    for status in path:
        low, high = STEP_DAYS[status]
        total += rnd.uniform(low, high)
        offsets.append(total)
    room = (now - submitted).total_seconds() / 86400 * 0.95
    scale = min(1.0, room / total) if total else 1.0
    return [submitted + timedelta(days=offset * scale) for offset in offsets]


_due_dates: dict[tuple, datetime] = {}
_DUE_PARAMETERS = set(inspect.signature(first_response_due_at).parameters)


def _due_at(submitted: datetime, *, urgent: bool, crisis: bool, track) -> datetime:
    """The response clock, from intake's own function. Its answer depends on
    the Israeli day and on whether the request came before the 14:00 cutoff,
    so it is asked once per such day rather than 100,000 times."""
    local = submitted.astimezone(ISRAEL)
    key = (urgent, crisis, track.pk, local.date(), local.time() < CUTOFF)
    if key not in _due_dates:
        options = {"is_crisis": crisis, "track": track}
        _due_dates[key] = first_response_due_at(
            submitted_at=submitted,
            is_urgent=urgent,
            **{
                name: value
                for name, value in options.items()
                if name in _DUE_PARAMETERS
            },
        )
    return _due_dates[key]


class Ids:
    """Primary keys handed out here, so related rows can point at them."""

    def __init__(self):
        self.counters: dict[str, itertools.count] = {}

    def next(self, name: str) -> int:
        return next(self.counters.setdefault(name, itertools.count(1)))


def seed_requests(
    rnd, *, now, tracks, organizations, staff_users, coverage, requests=REQUESTS
):
    track_by_slug = {track.slug: track for track in tracks}
    track_choices = [track_by_slug[slug] for slug in TRACK_WEIGHTS]
    track_cum = list(itertools.accumulate(TRACK_WEIGHTS.values()))
    # A few organizations ask often, most once or twice.
    org_cum = list(
        itertools.accumulate(1 / (index + 20) for index in range(len(organizations)))
    )
    areas = list(AdjacentArea.objects.order_by("order"))
    formats = {track.pk: list(track.formats.all()) for track in tracks}
    coordinator = staff_users[0]
    through = Consultation.adjacent_areas.through

    moments = _submitted_moments(rnd, now, requests)
    ids = Ids()
    copier = Copier()
    sequences: dict[int, int] = {}
    known: dict | None = None
    first: dict | None = None
    last_assigned: dict[int, datetime] = {}

    started = time.monotonic()
    for number, submitted in enumerate(moments, start=1):
        age = (now - submitted).total_seconds() / 86400
        final = next(
            _weighted(rnd, weights) for limit, weights in STATUS_BY_AGE if age < limit
        )
        path = _path(rnd, final)
        times = _times(rnd, path, submitted, now)

        track = track_choices[bisect.bisect(track_cum, rnd.random() * track_cum[-1])]
        organization = organizations[bisect.bisect(org_cum, rnd.random() * org_cum[-1])]
        urgent = track.is_time_sensitive or rnd.random() < 0.15
        language = _weighted(rnd, LANGUAGE_WEIGHTS)
        year = submitted.astimezone(ISRAEL).year
        sequences[year] = sequences.get(year, 0) + 1
        pk = ids.next("consultation")

        advisor = None
        if Status.ASSIGNED in path:
            candidates = coverage[track.pk]
            advisor = candidates[rnd.randrange(len(candidates))]

        first_response = None
        for status, moment in zip(path, times, strict=True):
            if status in (Status.ASSIGNED, Status.DECLINED):
                first_response = moment
                break

        token = _token(rnd)
        consultation = dict(
            id=pk,
            reference=f"SH-{year}-{sequences[year]:05d}",
            organization_id=organization.pk,
            organization_as_submitted={
                "name": organization.name,
                "kind": organization.kind,
                "registration_number": organization.registration_number,
                "region": organization.region,
                "locality": organization.locality,
                "website": organization.website,
                "staff_size": organization.staff_size,
                "volunteer_size": organization.volunteer_size,
                "population_served": organization.population_served,
            },
            track_id=track.pk,
            track_format_id=(
                rnd.choice(formats[track.pk]).pk
                if formats[track.pk] and rnd.random() < 0.7
                else None
            ),
            goal=GOALS[language],
            background=BACKGROUNDS[language] if rnd.random() < 0.8 else "",
            timing="הדיון בוועדה צפוי בעוד חודשיים." if rnd.random() < 0.4 else "",
            urgency=(
                Consultation.Urgency.URGENT if urgent else Consultation.Urgency.NORMAL
            ),
            is_crisis=track.is_time_sensitive,
            status=final,
            contact_name=(
                f"{rnd.choice(FIRST_NAMES[language])} "
                f"{rnd.choice(LAST_NAMES[language])}"
            ),
            contact_role="רכזת מדיניות",
            contact_email=f"contact{rnd.randrange(5)}@org{organization.pk}.example.org",
            contact_phone=f"+9725{rnd.choice('0234578')}{rnd.randrange(10**7):07d}",
            preferred_language=language,
            preferred_contact_method=_weighted(
                rnd, {"email": 70, "phone": 20, "whatsapp": 10}
            ),
            consent_given_at=submitted,
            privacy_policy_version=settings.PRIVACY_POLICY_VERSION,
            submission_key=_uuid(rnd),
            status_token_hash=status_token_hash(token),
            advisor_id=advisor.pk if advisor else None,
            submitted_at=submitted,
            first_response_due_at=_due_at(
                submitted, urgent=urgent, crisis=track.is_time_sensitive, track=track
            ),
            first_responded_at=first_response,
            closed_at=times[-1] if final in Consultation.CLOSED_STATUSES else None,
            created_at=submitted,
            updated_at=times[-1] if times else submitted,
        )
        copier.add(Consultation, **consultation)
        consultation = SimpleNamespace(pk=pk, **consultation)

        if areas and rnd.random() < 0.3:
            for area in rnd.sample(areas, rnd.randint(1, 2)):
                copier.add(through, consultation_id=pk, adjacentarea_id=area.pk)
        if track.involves_several_organizations:
            for index in range(rnd.randint(2, 5)):
                copier.add(
                    CoalitionMember,
                    consultation_id=pk,
                    name=f"ארגון שותף {index + 1}",
                    contact_email=f"member{index}@partner{pk}.example.org",
                    created_at=submitted,
                    updated_at=submitted,
                )

        _history_and_mail(
            rnd,
            copier=copier,
            ids=ids,
            consultation=consultation,
            path=path,
            times=times,
            now=now,
            coordinator=coordinator,
            advisor=advisor,
            last_assigned=last_assigned,
        )

        if (
            known is None
            and advisor is not None
            and advisor.username == ADVISOR_USERNAME
            and final == Status.IN_PROGRESS
            and age > 5
        ):
            known = {"status_token": token, "reference": consultation.reference}
        if first is None:
            first = {"status_token": token, "reference": consultation.reference}

        if number % CHUNK == 0:
            copier.flush()
            print(
                f"  {number:,} requests ({time.monotonic() - started:.0f} s)",
                flush=True,
            )
    copier.flush()

    for year, last in sequences.items():
        reference_counter_set(year=year, last_number=last)
    for user_id, moment in last_assigned.items():
        AdvisorProfile.objects.filter(user_id=user_id).update(last_assigned_at=moment)
    # A small seed may hold no request of the bench advisor's in progress.
    return copier.counts, known or first


def _outbox(copier, ids, *, consultation, kind, key, to, at, language="he", **ctx):
    status = OutboundEmail.Status.SENT
    error = ""
    if copier_failure(consultation.pk, key):
        status, error = OutboundEmail.Status.FAILED, "550 Mailbox unavailable"
    copier.add(
        OutboundEmail,
        id=ids.next("outbox"),
        consultation_id=consultation.pk,
        kind=kind,
        dedup_key=key,
        to_address=to,
        reply_to=settings.STAFF_INBOX_EMAIL,
        language=language,
        context={"reference": consultation.reference, **ctx},
        status=status,
        attempts=6 if error else 1,
        last_error=error,
        next_attempt_at=at,
        sent_at=None if error else at + timedelta(seconds=20),
        created_at=at,
        updated_at=at + timedelta(seconds=20),
    )


def copier_failure(pk: int, key: str) -> bool:
    """About one message email in 500 failed for good (deterministic)."""
    return key.startswith("message") and zlib.crc32(key.encode()) % 500 == 0


def _history_and_mail(
    rnd,
    *,
    copier,
    ids,
    consultation,
    path,
    times,
    now,
    coordinator,
    advisor,
    last_assigned,
):
    pk = consultation.pk
    submitted = consultation.submitted_at
    language = consultation.preferred_language
    contact = consultation.contact_email
    Kind = OutboundEmail.Kind

    def change(from_status, to_status, at, actor, note=""):
        change_id = ids.next("status_change")
        copier.add(
            StatusChange,
            id=change_id,
            consultation_id=pk,
            actor_id=actor.pk if actor else None,
            from_status=from_status,
            to_status=to_status,
            note=note,
            created_at=at,
        )
        return change_id

    change("", Status.NEW, submitted, None)
    _outbox(
        copier,
        ids,
        consultation=consultation,
        kind=Kind.CONFIRMATION,
        key=f"confirmation:{pk}",
        to=contact,
        at=submitted,
        language=language,
    )
    _outbox(
        copier,
        ids,
        consultation=consultation,
        kind=Kind.STAFF_NEW_REQUEST,
        key=f"staff_new_request:{pk}",
        to=settings.STAFF_INBOX_EMAIL,
        at=submitted,
    )

    previous = Status.NEW
    assigned_at = None
    for status, at in zip(path, times, strict=True):
        actor = coordinator
        if status in (
            Status.IN_PROGRESS,
            Status.WAITING_FOR_ORGANIZATION,
            Status.COMPLETED,
        ):
            actor = advisor
        elif status == Status.WITHDRAWN:
            actor = None
        note = "לא בתחום הפעילות של המרכז." if status == Status.DECLINED else ""
        change_id = change(previous, status, at, actor, note)
        if status == Status.ASSIGNED:
            assigned_at = at
            last_assigned[advisor.pk] = max(at, last_assigned.get(advisor.pk, at))
            _outbox(
                copier,
                ids,
                consultation=consultation,
                kind=Kind.ADVISOR_ASSIGNED,
                key=f"advisor_assigned:{pk}:{change_id}",
                to=contact,
                at=at,
                language=language,
                advisor_first_name=advisor.first_name,
            )
            _outbox(
                copier,
                ids,
                consultation=consultation,
                kind=Kind.ASSIGNMENT_TO_ADVISOR,
                key=f"assignment:{pk}:{change_id}",
                to=advisor.email,
                at=at,
            )
        elif status in (Status.COMPLETED, Status.DECLINED):
            _outbox(
                copier,
                ids,
                consultation=consultation,
                kind=OutboundEmail.Kind(status.value),
                key=f"{status}:{pk}:{change_id}",
                to=contact,
                at=at,
                language=language,
            )
        elif status == Status.WITHDRAWN:
            _outbox(
                copier,
                ids,
                consultation=consultation,
                kind=Kind.WITHDRAWN,
                key=f"withdrawn:{pk}:{change_id}:{settings.STAFF_INBOX_EMAIL}",
                to=settings.STAFF_INBOX_EMAIL,
                at=at,
            )
        previous = status

    if assigned_at is None:
        return
    end = times[-1] if consultation.closed_at else now
    span = (end - assigned_at).total_seconds()
    # Messages both ways, notes and meetings while the advisor works on it.
    for index in range(rnd.randint(1, 4)):
        at = assigned_at + timedelta(seconds=span * (index + 1) / 6)
        direction = "out" if index % 2 == 0 else "in"
        message_id = ids.next("message")
        copier.add(
            Message,
            id=message_id,
            consultation_id=pk,
            direction=direction,
            author_id=advisor.pk if direction == "out" else None,
            body=MESSAGES[direction],
            created_at=at,
        )
        if direction == "out":
            key, kind, to = (
                f"message_to_org:{message_id}",
                Kind.MESSAGE_TO_ORGANIZATION,
                contact,
            )
        else:
            key, kind, to = (
                f"message_to_staff:{message_id}",
                Kind.MESSAGE_TO_STAFF,
                advisor.email,
            )
        _outbox(
            copier, ids, consultation=consultation, kind=kind, key=key, to=to, at=at
        )
    for index in range(rnd.randint(0, 2)):
        at = assigned_at + timedelta(seconds=span * (index + 1) / 5)
        copier.add(
            InternalNote,
            id=ids.next("note"),
            consultation_id=pk,
            author_id=advisor.pk,
            body=NOTE,
            created_at=at,
            updated_at=at,
        )
    if Status.IN_PROGRESS in path:
        for index in range(rnd.randint(0, 2)):
            created = assigned_at + timedelta(seconds=span * (index + 1) / 4)
            # Open requests have meetings ahead as well as behind.
            starts = created + timedelta(days=rnd.uniform(2, 14))
            uid = _uuid(rnd)
            copier.add(
                Meeting,
                id=ids.next("meeting"),
                consultation_id=pk,
                advisor_id=advisor.pk,
                starts_at=starts.replace(minute=0, second=0, microsecond=0),
                duration=timedelta(hours=1),
                mode=rnd.choice(Meeting.Mode.values),
                location_or_link="https://meet.example.org/shatil",
                summary="",
                status=Meeting.Status.SCHEDULED,
                sequence=0,
                uid=uid,
                created_at=created,
                updated_at=created,
            )
            _outbox(
                copier,
                ids,
                consultation=consultation,
                kind=Kind.MEETING_INVITATION,
                key=f"meeting:{uid}:0",
                to=contact,
                at=created,
                language=language,
            )


def seed(*, requests: int = REQUESTS) -> dict:
    """Seed an empty, migrated database (inside one transaction); the
    accounts and figures the load run needs."""
    rnd = random.Random(SEED)
    now = timezone.now()
    tracks = list(Track.objects.order_by("order"))
    if len(tracks) != 7:
        sys.exit("Expected the seven tracks of the data migration.")

    with transaction.atomic():
        staff, staff_users, advisors, profiles, coverage = seed_users(rnd, tracks, now)
        organizations = seed_organizations(
            rnd, max(1, requests // REQUESTS_PER_ORGANIZATION)
        )
        print(f"  {len(advisors)} advisors, {len(organizations)} organizations")
        counts, known = seed_requests(
            rnd,
            now=now,
            tracks=tracks,
            organizations=organizations,
            staff_users=staff_users,
            coverage=coverage,
            requests=requests,
        )
        models_with_ids = [
            Consultation,
            StatusChange,
            Message,
            InternalNote,
            Meeting,
            OutboundEmail,
            CoalitionMember,
        ]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(
                no_style(), models_with_ids
            ):
                cursor.execute(statement)

    local_track = next(track for track in tracks if track.slug == "local-government")
    return {
        "password": PASSWORD,
        "staff_username": STAFF_USERNAME,
        "advisor_username": ADVISOR_USERNAME,
        "advisor_id": next(
            user.pk for user in advisors if user.username == ADVISOR_USERNAME
        ),
        "status_token": known["status_token"],
        "status_reference": known["reference"],
        "track_slug": local_track.slug,
        "track_id": local_track.pk,
        "counts": counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="where to write the accounts")
    parser.add_argument(
        "--requests", type=int, default=REQUESTS, help="how many requests to seed"
    )
    args = parser.parse_args()

    if connection.vendor != "postgresql":
        sys.exit("The benchmark seeds PostgreSQL only.")
    if Consultation.objects.exists():
        sys.exit(f"{connection.settings_dict['NAME']} already holds requests.")

    started = time.monotonic()
    result = seed(requests=args.requests)
    seeded = time.monotonic() - started

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    total = time.monotonic() - started

    result["seconds"] = {"insert": round(seeded, 1), "with_vacuum": round(total, 1)}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    for label, count in sorted(result["counts"].items()):
        print(f"  {label}: {count:,}")
    print(f"  seeded in {seeded:.0f} s, {total:.0f} s with VACUUM ANALYZE")


if __name__ == "__main__":
    main()
