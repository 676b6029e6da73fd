"""The organization's pages: the request form and its confirmation, the
private status page (message, withdraw) and the lost-link form.

None of them is behind a login. The status pages are reached only by the
token in the emailed link; every lookup by token or by email and reference
is rate-limited per client address.
"""

import logging
import uuid

from crispy_forms.utils import render_crispy_form
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from consultations.forms import (
    ConsultationRequestForm,
    LostLinkForm,
    StatusMessageForm,
    WithdrawForm,
)
from consultations.forms.attachments import note_files_not_kept
from consultations.models import ResponsePolicy
from consultations.selectors.attachments import attachment_links_for_organization
from consultations.selectors.followups import (
    response_policy_for_consultation,
    response_promise_business_days,
)
from consultations.selectors.requester import (
    active_track_slugs,
    consultation_get_for_confirmation,
    current_status_label,
    status_page_version,
    status_timeline,
    submitted_data_sections,
)
from consultations.services.attachments import (
    consultation_submit_with_files,
    message_from_organization_with_files,
)
from consultations.services.requester import (
    consultation_resend_status_link,
    consultation_withdraw,
)
from consultations.throttling import (
    client_rate_count,
    client_rate_limit,
    client_rate_used_up,
)
from consultations.views.status_link import status_link, status_link_limit
from shatil_portal.caching import (
    CATALOG,
    RESPONSE_POLICIES,
    cached_fragment,
    whole_page_for_new_visitors,
)

logger = logging.getLogger(__name__)

# The request just submitted in this browser, for the confirmation page: a
# signed cookie rather than a session, so that a submission writes no session
# row and the requester's next pages are still the shared cached ones.
RECEIVED_COOKIE = "request_received"
RECEIVED_COOKIE_SALT = "consultations.request-received"
RECEIVED_COOKIE_MAX_AGE = 60 * 60

# What a form page shared by new visitors carries in place of the values that
# are each visitor's own; filled in on every response.
CSRF_TOKEN_PLACEHOLDER = "shared-page-csrf-token"
SUBMISSION_KEY_PLACEHOLDER = "shared-page-submission-key"


def _requested_track(request) -> str:
    """The track preselected by ?track=: only a slug of the catalog, so that
    no other value opens the form differently or names a cache entry."""
    track_slug = request.GET.get("track", "")[:80]
    return track_slug if track_slug in active_track_slugs() else ""


def _request_form_variant(request) -> str:
    return f"track={_requested_track(request)}"


def _request_form_personalize(request, html: bytes) -> bytes:
    return html.replace(
        CSRF_TOKEN_PLACEHOLDER.encode(), get_token(request).encode()
    ).replace(SUBMISSION_KEY_PLACEHOLDER.encode(), str(uuid.uuid4()).encode())


# The request form's two limits per address: the requests created
# (RATELIMIT_SUBMIT), and, higher, the posts the form refused
# (RATELIMIT_SUBMIT_INVALID), so that a few mistakes never use up the right
# to send.
SUBMIT_LIMIT = {"group": "request-submit", "rate_setting": "RATELIMIT_SUBMIT"}
INVALID_LIMIT = {
    "group": "request-submit-invalid",
    "rate_setting": "RATELIMIT_SUBMIT_INVALID",
}


# Outermost: the page carries a per-visitor CSRF token and what was typed,
# so no browser or proxy keeps it; the server's own cache of the empty form
# (inside) is unaffected.
@never_cache
@require_http_methods(["GET", "POST"])
# The page promises the policies' response time: a policy edit renders it
# afresh.
@whole_page_for_new_visitors(
    variant=_request_form_variant,
    personalize=_request_form_personalize,
    namespace=(CATALOG, RESPONSE_POLICIES),
)
def request_new(request):
    if request.method != "POST":
        return _request_form_new(request)
    try:
        return _request_form_post(request)
    except (OperationalError, InterfaceError):
        # The database could not be reached: the submission's transaction
        # never committed, and the one-time key makes a second post safe.
        # Say so, rather than the general error page's "it may have been
        # received".
        logger.exception("A request could not be saved: the database failed")
        return _submission_not_saved()


def _request_form_post(request):
    form = ConsultationRequestForm(request.POST, files=request.FILES)
    if form.honeypot_filled():
        if client_rate_count(request, **INVALID_LIMIT):
            return _request_form_page(request, form, rate_limited=True)
        # Bots are told it worked; nothing is saved.
        return redirect("consultations:request_received")
    if form.is_valid():
        if client_rate_used_up(request, **SUBMIT_LIMIT):
            return _request_form_page(request, form, rate_limited=True)
        try:
            consultation, token = consultation_submit_with_files(
                files=form.cleaned_data["attachments"], **form.service_arguments()
            )
        except ValidationError as error:
            # A refusal the form did not foresee: shown at the top of the
            # form, with everything typed kept. (A model check may name its
            # own fields, which the form does not have.)
            form.add_error(None, ValidationError(error.messages))
        else:
            if token:
                # A new request, not the repeat of one (same key).
                client_rate_count(request, **SUBMIT_LIMIT)
            return _redirect_to_confirmation(consultation_id=consultation.pk)
    if client_rate_count(request, **INVALID_LIMIT):
        return _request_form_page(request, form, rate_limited=True)
    return _request_form_page(request, form)


def _request_form_new(request):
    context = {}
    form = ConsultationRequestForm()
    # Only a slug of the catalog preselects a track (and names a cache
    # entry); anything else opens the form with none chosen.
    track_slug = request.GET.get("track", "")[:80]
    if track_slug not in form.tracks:
        track_slug = ""
    form.initial["track"] = track_slug
    if getattr(request, "shared_page", False):
        # Rendered once for every new visitor (whole_page_for_new_visitors
        # fills these in per response).
        form.initial["submission_key"] = SUBMISSION_KEY_PLACEHOLDER
        context["csrf_token"] = CSRF_TOKEN_PLACEHOLDER
    return _request_form_page(request, form, context=context)


def _submission_not_saved() -> HttpResponse:
    """503: the request was not saved, sending it again is safe, and where
    to write meanwhile. Like the 500 page, rendered without the request's
    context and with nothing from the database."""
    template = loader.get_template("consultations/request_not_saved.html")
    return HttpResponse(
        template.render({"staff_inbox_email": settings.STAFF_INBOX_EMAIL}),
        status=503,
    )


def _request_form_page(
    request,
    form: ConsultationRequestForm,
    *,
    context: dict | None = None,
    rate_limited: bool = False,
):
    """The form page; when the address has used up a limit, a 429 that keeps
    everything typed and says when to send it again, and to whom to write in
    the meantime. Chosen files are never kept: a form shown again says so."""
    promise = response_promise_business_days()
    note_files_not_kept(form)
    return render(
        request,
        "consultations/request_form.html",
        {
            **(context or {}),
            "form": form,
            "form_html": _request_form_html(form),
            "retention_months": settings.RETENTION_MONTHS,
            "rate_limited": rate_limited,
            "staff_inbox_email": settings.STAFF_INBOX_EMAIL,
            # The promise for every track, from the policies staff edit.
            "response_business_days": promise[ResponsePolicy.Urgency.NORMAL],
            "crisis_response_business_days": promise[ResponsePolicy.Urgency.CRISIS],
        },
        status=429 if rate_limited else 200,
    )


def _request_form_html(form: ConsultationRequestForm) -> str:
    """The form's fields as crispy renders them, without the <form> tag, the
    CSRF token and the one-time submission key (the page writes those).

    crispy takes ~20 ms for this form, so an unbound form's HTML, which
    depends only on the language, the catalog and the preselected track, is
    cached (invalidated on catalog edits). A bound form, with what was typed
    and its errors, is always rendered afresh.
    """
    months = settings.RETENTION_MONTHS

    def render_form() -> str:
        return str(
            render_crispy_form(form, context={"form": form, "retention_months": months})
        )

    # crispy's own output, escaped by its templates.
    if form.is_bound:
        return mark_safe(render_form())
    name = f"request-form:{months}:{form.initial['track']}"
    return mark_safe(cached_fragment(name, render_form))


def _redirect_to_confirmation(*, consultation_id: int):
    response = redirect("consultations:request_received")
    response.set_signed_cookie(
        RECEIVED_COOKIE,
        str(consultation_id),
        salt=RECEIVED_COOKIE_SALT,
        max_age=RECEIVED_COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _received_consultation_id(request) -> int | None:
    """The request this browser just submitted, from the signed cookie."""
    value = request.get_signed_cookie(
        RECEIVED_COOKIE,
        default="",
        salt=RECEIVED_COOKIE_SALT,
        max_age=RECEIVED_COOKIE_MAX_AGE,
    )
    return int(value) if value.isascii() and value.isdecimal() else None


@never_cache
def request_received(request):
    consultation_id = _received_consultation_id(request)
    consultation = (
        consultation_get_for_confirmation(consultation_id=consultation_id)
        if consultation_id is not None
        else None
    )
    if consultation is None:
        return redirect("consultations:request_new")
    # The promise in words comes from the policy the deadline came from.
    policy = response_policy_for_consultation(consultation=consultation)
    return render(
        request,
        "consultations/request_received.html",
        {
            "consultation": consultation,
            "response_business_days": policy.first_response_business_days,
        },
    )


def _posted(request):
    """The POST data to bind a form to, or None on GET (an empty POST still
    binds, so its errors show)."""
    return request.POST if request.method == "POST" else None


def _status_page_variant(request) -> str | None:
    """The version of the status page a GET gets: the version of what it
    shows (`status_page_version`, one query). None (rendered afresh) for a
    query string or an unknown token."""
    if request.GET:
        return None
    version = status_page_version(token=request.resolver_match.kwargs["token"])
    return None if version is None else f"status:{version}"


def _status_page_personalize(request, html: bytes) -> bytes:
    return html.replace(CSRF_TOKEN_PLACEHOLDER.encode(), get_token(request).encode())


# Outermost: the page is the organization's own, so no browser or proxy
# keeps it (private, no-store). An address that used up the status-link
# limit is refused before anything is looked up; then a visitor without a
# session or messages cookie gets the page rendered for the same version of
# the request (and of the catalog), with its own CSRF token: one query, no
# rendering. Any change to what the page shows moves the version on
# (status_page_version in consultations/selectors/requester.py). Otherwise
# the link is looked up, and an unknown one counts against the limit.
@never_cache
@require_http_methods(["GET", "POST"])
@status_link_limit
@whole_page_for_new_visitors(
    variant=_status_page_variant, personalize=_status_page_personalize
)
@status_link
def request_status(request, token, *, consultation):
    form = StatusMessageForm(
        _posted(request), files=request.FILES if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            message_from_organization_with_files(
                consultation=consultation,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your message was sent to the team."))
            return redirect("consultations:request_status", token=token)
    timeline = status_timeline(consultation=consultation)
    context = {}
    if getattr(request, "shared_page", False):
        context["csrf_token"] = CSRF_TOKEN_PLACEHOLDER
    return render(
        request,
        "consultations/request_status.html",
        {
            **context,
            "consultation": consultation,
            "token": token,
            "timeline": timeline,
            "current_status": current_status_label(timeline),
            "data_sections": submitted_data_sections(consultation=consultation),
            "message_form": form,
            "message_form_html": _status_message_form_html(form),
            "attachments": attachment_links_for_organization(
                consultation=consultation, token=token
            ),
        },
    )


def _status_message_form_html(form: StatusMessageForm) -> str:
    """The status page's message form as crispy draws it (the page writes
    the <form> tag and the CSRF token). Empty, it is the same for every
    request in a language, so it is drawn once (cached with the catalog's
    fragments); with what was typed and its errors, afresh."""

    def render_form() -> str:
        return str(render_crispy_form(form, context={"form": form}))

    # crispy's own output, escaped by its templates.
    if form.is_bound:
        return mark_safe(render_form())
    return mark_safe(cached_fragment("status-message-form", render_form))


@never_cache
@require_http_methods(["GET", "POST"])
@status_link
def request_withdraw(request, token, *, consultation):
    if consultation.is_closed:
        messages.info(request, _("This request is already closed."))
        return redirect("consultations:request_status", token=token)
    form = WithdrawForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            consultation_withdraw(
                consultation=consultation, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The request was withdrawn."))
        return redirect("consultations:request_status", token=token)
    return render(
        request,
        "consultations/request_withdraw.html",
        {"consultation": consultation, "token": token, "form": form},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@client_rate_limit(group="lost-link", rate_setting="RATELIMIT_LOOKUP", method="POST")
def lost_link(request):
    form = LostLinkForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        consultation_resend_status_link(
            email=form.cleaned_data["email"],
            reference=form.cleaned_data["reference"],
        )
        # The same answer whether or not anything matched.
        messages.info(
            request,
            _(
                "If the email address and the reference match a request, a new "
                "link is on its way to that address. The previous link no "
                "longer works."
            ),
        )
        return redirect("consultations:lost_link")
    return render(request, "consultations/lost_link.html", {"form": form})
