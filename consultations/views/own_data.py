"""The organization's own data, from its private status link: correct the
contact details, download everything it gave, ask for deletion; and the
"this isn't us" page of a coalition member's notice.

No login: each page is found by its token (the status link's, or the
member notice's) and rate-limited per client address like the status page.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from consultations.forms import ContactCorrectionForm, DeletionRequestForm
from consultations.selectors.requester import (
    coalition_member_get_by_notice_token,
    consultation_export_zip,
    deletion_request_pending,
)
from consultations.services.data_requests import (
    coalition_member_remove,
    consultation_contact_correct,
    deletion_request_create,
)
from consultations.throttling import client_rate_limit
from consultations.views.status_link import status_link

LOOKUP_LIMIT = {"group": "status-lookup", "rate_setting": "RATELIMIT_LOOKUP"}


def _posted(request):
    return request.POST if request.method == "POST" else None


@never_cache
@require_http_methods(["GET", "POST"])
@status_link
def request_correct(request, token, *, consultation):
    form = ContactCorrectionForm(_posted(request), consultation=consultation)
    if request.method == "POST" and form.is_valid():
        try:
            changed = consultation_contact_correct(
                consultation=consultation, contact=form.contact()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changed:
                messages.success(
                    request,
                    _("Your contact details were corrected, and the team was told."),
                )
            else:
                messages.info(request, _("Nothing changed in your contact details."))
            return redirect("consultations:request_status", token=token)
    return render(
        request,
        "consultations/request_correct.html",
        {"consultation": consultation, "token": token, "form": form},
    )


@never_cache
@require_GET
@status_link
def request_download(request, token, *, consultation):
    """Everything the organization gave, as a ZIP of data.json and its
    files: a download, kept by no browser or proxy."""
    response = HttpResponse(
        consultation_export_zip(consultation=consultation),
        content_type="application/zip",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{consultation.reference}-data.zip"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@status_link
def request_delete(request, token, *, consultation):
    pending = deletion_request_pending(consultation=consultation)
    form = DeletionRequestForm(_posted(request))
    if request.method == "POST" and pending is None and form.is_valid():
        try:
            deletion_request_create(consultation=consultation)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _(
                    "Your deletion request was sent to the team. We will answer "
                    "by email."
                ),
            )
        return redirect("consultations:request_status", token=token)
    return render(
        request,
        "consultations/request_delete.html",
        {
            "consultation": consultation,
            "token": token,
            "form": form,
            "pending": pending,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@client_rate_limit(**LOOKUP_LIMIT)
def coalition_member_not_us(request, token):
    """GET shows who listed the member and asks to confirm; POST removes it.
    A link that no longer works (used, or the request anonymized) says so."""
    member = coalition_member_get_by_notice_token(token=token)
    context = {"member": member, "token": token, "removed": False}
    if member is not None and request.method == "POST":
        try:
            coalition_member_remove(member=member)
        except ValidationError:
            pass
        context["removed"] = True
    elif member is not None:
        context["listed_by"] = member.consultation.organization_as_submitted.get(
            "name", ""
        )
    status = 404 if member is None else 200
    return render(
        request, "consultations/coalition_member_remove.html", context, status=status
    )
