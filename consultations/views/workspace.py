"""The advisors' workspace (login required).

An advisor reaches only the requests assigned to them; staff reach every
request, crisis requests only with the permission. Any other request answers
404 on every URL, GET or POST, because each view starts from the scoped
selector.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consultations.forms import (
    DeclineForm,
    InternalNoteForm,
    MeetingForm,
    MeetingRescheduleForm,
    MessageForm,
    WaitForm,
)
from consultations.forms.outcomes import CompleteForm
from consultations.models import AccessLogEntry, Consultation
from consultations.selectors.attachments import attachment_links_for_workspace
from consultations.selectors.staff import (
    consultation_get_for_workspace,
    consultation_list_for_advisor,
    consultation_timeline,
    meeting_get_for_workspace,
    next_step_for,
)
from consultations.services.access_log import access_log_request_viewed
from consultations.services.attachments import message_to_organization_with_files
from consultations.services.transitions import (
    consultation_change_status,
    consultation_complete,
    consultation_decline,
    consultation_wait_for_organization,
    status_actions_for,
)
from consultations.services.workspace import (
    internal_note_add,
    meeting_cancel,
    meeting_ics,
    meeting_reschedule,
    meeting_schedule,
)

Status = Consultation.Status
# Statuses set from their own form, with the note the organization reads.
NOTE_FORM_STATUSES = frozenset(
    {Status.WAITING_FOR_ORGANIZATION, Status.DECLINED, Status.COMPLETED}
)
PAGE_SIZE = 50


def _get_consultation(request, pk: int) -> Consultation:
    consultation = consultation_get_for_workspace(user=request.user, pk=pk)
    if consultation is None:
        raise Http404
    return consultation


def _detail_url(consultation: Consultation) -> str:
    return reverse("workspace:request_detail", kwargs={"pk": consultation.pk})


def _run_service(request, call, success_message) -> bool:
    """Run one service for the page: a success message when it worked, its
    refusal as error messages when it did not. True when it worked."""
    try:
        call()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    messages.success(request, success_message)
    return True


@login_required
@require_GET
def my_requests(request):
    closed = request.GET.get("show") == "closed"
    page = Paginator(
        consultation_list_for_advisor(user=request.user, closed=closed), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = [(item, next_step_for(consultation=item)) for item in page]
    return render(
        request,
        "workspace/my_requests.html",
        {"page": page, "rows": rows, "closed": closed},
    )


def _render_detail(request, consultation: Consultation, *, status=200, **bound):
    """The request page; a failed POST passes its bound form in `bound`."""

    def action(name: str) -> str:
        return reverse(f"workspace:{name}", kwargs={"pk": consultation.pk})

    forms = {
        "note_form": InternalNoteForm(action=action("note_add")),
        "message_form": MessageForm(action=action("message_send")),
        "meeting_form": MeetingForm(action=action("meeting_add")),
        "decline_form": DeclineForm(
            action=action("decline"), initial={"version": consultation.version}
        ),
        "wait_form": WaitForm(
            action=action("wait"), initial={"version": consultation.version}
        ),
        "complete_form": CompleteForm(
            action=action("complete"), initial={"version": consultation.version}
        ),
        **bound,
    }
    actions = status_actions_for(user=request.user, consultation=consultation)
    context = {
        "consultation": consultation,
        "timeline": consultation_timeline(consultation=consultation),
        "status_actions": [
            (value, Status(value).label)
            for value in actions
            if value not in NOTE_FORM_STATUSES
        ],
        "can_decline": Status.DECLINED in actions,
        "can_wait": Status.WAITING_FOR_ORGANIZATION in actions,
        "can_complete": Status.COMPLETED in actions,
        "can_meet": consultation.status in Consultation.ACTIVE_STATUSES,
        "attachments": attachment_links_for_workspace(consultation=consultation),
        **forms,
    }
    return render(request, "workspace/request_detail.html", context, status=status)


@login_required
@require_GET
def request_detail(request, pk: int):
    consultation = _get_consultation(request, pk)
    access_log_request_viewed(
        user=request.user,
        consultation=consultation,
        action=AccessLogEntry.Action.VIEWED_IN_WORKSPACE,
    )
    return _render_detail(request, consultation)


@login_required
@require_POST
def note_add(request, pk: int):
    consultation = _get_consultation(request, pk)
    form = InternalNoteForm(request.POST, action=request.path)
    if not form.is_valid():
        return _render_detail(request, consultation, status=400, note_form=form)
    _run_service(
        request,
        lambda: internal_note_add(
            consultation=consultation,
            author=request.user,
            body=form.cleaned_data["body"],
        ),
        _("The note was added."),
    )
    return redirect(_detail_url(consultation))


@login_required
@require_POST
def message_send(request, pk: int):
    consultation = _get_consultation(request, pk)
    form = MessageForm(request.POST, request.FILES, action=request.path)
    if not form.is_valid():
        return _render_detail(request, consultation, status=400, message_form=form)
    _run_service(
        request,
        lambda: message_to_organization_with_files(
            consultation=consultation,
            author=request.user,
            body=form.cleaned_data["body"],
            files=form.cleaned_data["attachments"],
        ),
        _("The message was sent to the organization."),
    )
    return redirect(_detail_url(consultation))


@login_required
@require_POST
def meeting_add(request, pk: int):
    consultation = _get_consultation(request, pk)
    form = MeetingForm(request.POST, action=request.path)
    if not form.is_valid():
        return _render_detail(request, consultation, status=400, meeting_form=form)
    data = form.cleaned_data
    # A meeting in the past is only logged; a future one is also an invitation.
    _run_service(
        request,
        lambda: meeting_schedule(
            consultation=consultation,
            advisor=request.user,
            starts_at=data["starts_at"],
            duration=data["duration"],
            mode=data["mode"],
            location_or_link=data["location_or_link"],
            summary=data["summary"],
        ),
        _("The meeting was logged and the invitation sent.")
        if data["starts_at"] > timezone.now()
        else _("The meeting was logged."),
    )
    return redirect(_detail_url(consultation))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_reschedule_view(request, pk: int, meeting_pk: int):
    meeting = meeting_get_for_workspace(
        user=request.user, consultation_pk=pk, pk=meeting_pk
    )
    if meeting is None:
        raise Http404
    form = MeetingRescheduleForm(
        request.POST or None, action=request.path, meeting=meeting
    )
    if request.method == "POST" and form.is_valid():
        _run_service(
            request,
            lambda: meeting_reschedule(
                meeting=meeting,
                actor=request.user,
                starts_at=form.cleaned_data["starts_at"],
                duration=form.cleaned_data["duration"],
                location_or_link=form.cleaned_data["location_or_link"],
            ),
            _("The meeting was moved and the invitation updated."),
        )
        return redirect(_detail_url(meeting.consultation))
    return render(
        request,
        "workspace/meeting_reschedule.html",
        {"meeting": meeting, "consultation": meeting.consultation, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def meeting_calendar(request, pk: int, meeting_pk: int):
    """The meeting's calendar file, as the advisor's invitation carries it,
    for whoever may open the request (the assigned advisor; staff, crisis
    requests only with the permission)."""
    meeting = meeting_get_for_workspace(
        user=request.user, consultation_pk=pk, pk=meeting_pk
    )
    if meeting is None:
        raise Http404
    consultation = meeting.consultation
    ics = meeting_ics(
        meeting=meeting,
        consultation=consultation,
        cancel=meeting.status == meeting.Status.CANCELLED,
        for_advisor=True,
    )
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="meeting-{consultation.reference}.ics"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel_view(request, pk: int, meeting_pk: int):
    """GET asks for confirmation (the organization is emailed a cancellation
    that removes the meeting from its calendar); POST cancels."""
    meeting = meeting_get_for_workspace(
        user=request.user, consultation_pk=pk, pk=meeting_pk
    )
    if meeting is None:
        raise Http404
    if request.method == "GET":
        return render(
            request,
            "workspace/meeting_cancel.html",
            {"meeting": meeting, "consultation": meeting.consultation},
        )
    _run_service(
        request,
        lambda: meeting_cancel(meeting=meeting, actor=request.user),
        _("The meeting was cancelled."),
    )
    return redirect(_detail_url(meeting.consultation))


@login_required
@require_POST
def status_change(request, pk: int):
    consultation = _get_consultation(request, pk)
    to_status = request.POST.get("to_status", "")
    if (
        to_status
        not in status_actions_for(user=request.user, consultation=consultation)
        or to_status in NOTE_FORM_STATUSES
    ):
        messages.error(request, _("This status change is not available."))
        return redirect(_detail_url(consultation))
    _run_service(
        request,
        lambda: consultation_change_status(
            consultation=consultation,
            to_status=to_status,
            actor=request.user,
            expected_version=request.POST.get("version"),
        ),
        _("The request is now “%(status)s”.") % {"status": Status(to_status).label},
    )
    return redirect(_detail_url(consultation))


@login_required
@require_POST
def decline(request, pk: int):
    consultation = _get_consultation(request, pk)
    form = DeclineForm(request.POST, action=request.path)
    if not form.is_valid():
        return _render_detail(request, consultation, status=400, decline_form=form)
    _run_service(
        request,
        lambda: consultation_decline(
            consultation=consultation,
            actor=request.user,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"] or None,
        ),
        _("The request was declined."),
    )
    return redirect(_detail_url(consultation))


@login_required
@require_POST
def wait(request, pk: int):
    """Wait for the organization, with the note saying what for; a refused
    form or a refusal of the service shows the page again with what was
    typed."""
    consultation = _get_consultation(request, pk)
    form = WaitForm(request.POST, action=request.path)
    if form.is_valid() and _run_service(
        request,
        lambda: consultation_wait_for_organization(
            consultation=consultation,
            actor=request.user,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"] or None,
        ),
        _("The request is now “%(status)s”; the organization is told.")
        % {"status": Status.WAITING_FOR_ORGANIZATION.label},
    ):
        return redirect(_detail_url(consultation))
    return _render_detail(request, consultation, status=400, wait_form=form)


@login_required
@require_POST
def complete(request, pk: int):
    """Complete the request with its outcome; a refusal shows the page again
    with the choice and the note as typed."""
    consultation = _get_consultation(request, pk)
    form = CompleteForm(request.POST, action=request.path)
    if form.is_valid():
        try:
            consultation_complete(
                consultation=consultation,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                outcome_note=form.cleaned_data["outcome_note"],
                expected_version=form.cleaned_data["version"] or None,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("The request is now “%(status)s”; the organization is told.")
                % {"status": Status.COMPLETED.label},
            )
            return redirect(_detail_url(consultation))
    return _render_detail(request, consultation, status=400, complete_form=form)
