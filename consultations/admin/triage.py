"""The requests in the admin: the triage list and the request page.

Everything the organization typed is read-only; statuses, assignments,
notes and messages change only through the services, from buttons on the
request page and from list actions.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst, smart_split, unescape_string_literal
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from consultations.admin.access_log import AccessLogInline
from consultations.admin.attachments import AttachmentInline
from consultations.admin.bulk import apply_to_each, report_bulk_outcome
from consultations.admin.export import consultation_csv_response
from consultations.admin.filters import (
    AdvisorFilter,
    NeedsReassignmentFilter,
    OpenClosedFilter,
)
from consultations.admin.followups import FeedbackInline, FollowUpInline
from consultations.admin.inbound import InboundMailInline
from consultations.admin.inlines import (
    CoalitionMemberInline,
    InternalNoteAddInline,
    InternalNoteInline,
    MeetingInline,
    MessageAddInline,
    MessageInline,
    OutboundEmailInline,
    OutcomeInline,
    StatusChangeInline,
)
from consultations.admin.retention import anonymize_selected
from consultations.admin.scope import CrisisScopedAdmin
from consultations.forms.outcomes import CompleteForm
from consultations.models import (
    AccessLogEntry,
    Consultation,
    InternalNote,
    Message,
    Organization,
)
from consultations.permissions import may_assign_in_bulk
from consultations.services.access_log import (
    access_log_request_viewed,
    access_log_requests_exported,
)
from consultations.services.retention import (
    consultation_delete,
    consultations_delete,
)
from consultations.services.transitions import (
    check_transition,
    clean_outcome,
    consultation_assign_advisor,
    consultation_change_status,
    consultation_complete,
    consultation_decline,
    consultation_reassign,
    consultation_wait_for_organization,
    status_actions_for,
)
from consultations.services.workspace import (
    MAX_BODY_LENGTH,
    consultation_message_organization,
    internal_note_add,
)
from consultations.suggestions import suggest_advisors, top_suggestion
from shatil_portal.people import display_name

Status = Consultation.Status


# The requests


def _report_refusal(request, error: ValidationError) -> None:
    """A service's refusal, shown as the admin's error messages."""
    for message in error.messages:
        messages.error(request, message)


class ConsultationAdminForm(forms.ModelForm):
    """No editable field: the organization's words stay as they were sent."""

    class Meta:
        model = Consultation
        fields = []


@admin.register(Consultation)
class ConsultationAdmin(CrisisScopedAdmin, admin.ModelAdmin):
    form = ConsultationAdminForm
    list_display = [
        "reference",
        "organization_name",
        "track",
        "urgency",
        "status",
        "advisor_name",
        "age_in_days",
        "is_overdue",
        "is_crisis",
    ]
    list_select_related = ["organization", "track", "advisor"]
    list_filter = [
        OpenClosedFilter,
        "status",
        "track",
        "urgency",
        "is_crisis",
        AdvisorFilter,
        NeedsReassignmentFilter,
        ("organization__region", admin.ChoicesFieldListFilter),
        ("submitted_at", admin.DateFieldListFilter),
    ]
    search_fields = ["reference", "organization__name", "contact_email"]
    search_help_text = gettext_lazy(
        "Search by reference, organization name or contact email."
    )
    # Crisis first, then the closest response deadline (overdue ones first);
    # the partial index consultation_open_triage serves the default view.
    ordering = ["-is_crisis", "first_response_due_at"]
    show_full_result_count = False
    # 25 rows keep the page's rendering within the list's time budget
    # (docs/BENCHMARKS.md).
    list_per_page = 25
    actions = [
        "assign_suggested_advisor",
        "start_triage",
        "start_progress",
        "wait_for_organization",
        "complete",
        "decline_selected",
        "export_selected",
        anonymize_selected,
    ]
    inlines = [
        CoalitionMemberInline,
        StatusChangeInline,
        OutcomeInline,
        InternalNoteInline,
        InternalNoteAddInline,
        MessageInline,
        MessageAddInline,
        MeetingInline,
        AttachmentInline,
        InboundMailInline,
        OutboundEmailInline,
        FeedbackInline,
        FollowUpInline,
        AccessLogInline,
    ]
    fieldsets = [
        (
            gettext_lazy("Request"),
            {
                "fields": [
                    "reference",
                    "status",
                    "advisor_name",
                    "track",
                    "track_format",
                    "adjacent_area_titles",
                    "urgency",
                    "is_crisis",
                    "goal",
                    "background",
                    "timing",
                ]
            },
        ),
        (
            gettext_lazy("Organization"),
            {"fields": ["organization", "organization_details_as_submitted"]},
        ),
        (
            gettext_lazy("Contact person"),
            {
                "fields": [
                    "contact_name",
                    "contact_role",
                    "contact_email",
                    "contact_phone",
                    "preferred_language",
                    "preferred_contact_method",
                    "preferred_contact_times",
                ]
            },
        ),
        (
            gettext_lazy("Dates"),
            {
                "fields": [
                    "submitted_at",
                    "first_response_due_at",
                    "first_responded_at",
                    "closed_at",
                    "consent_given_at",
                    "privacy_policy_version",
                ]
            },
        ),
    ]
    readonly_fields = [
        "reference",
        "status",
        "advisor_name",
        "track",
        "track_format",
        "adjacent_area_titles",
        "urgency",
        "is_crisis",
        "goal",
        "background",
        "timing",
        "organization",
        "organization_details_as_submitted",
        "contact_name",
        "contact_role",
        "contact_email",
        "contact_phone",
        "preferred_language",
        "preferred_contact_method",
        "preferred_contact_times",
        "submitted_at",
        "first_response_due_at",
        "first_responded_at",
        "closed_at",
        "consent_given_at",
        "privacy_policy_version",
    ]

    class Media:
        css = {"all": ["css/admin_triage.css"]}

    # Scope

    crisis_via = ""

    def has_add_permission(self, request):
        # Requests come from the public form only.
        return False

    def has_delete_permission(self, request, obj=None):
        # Spam aside, requests are kept and later anonymized, not deleted.
        return request.user.is_superuser

    def delete_model(self, request, obj):
        # Through the service, so that the stored files go too.
        consultation_delete(consultation=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        consultations_delete(consultations=queryset, actor=request.user)

    def save_model(self, request, obj, form, change):
        # Every field is read-only; saving the stale object here could undo
        # a status change made meanwhile. Notes and messages are saved by
        # save_formset, through their services.
        pass

    def save_formset(self, request, form, formset, change):
        services = {
            InternalNote: (internal_note_add, _("The note was added.")),
            Message: (
                consultation_message_organization,
                _("The message was sent to the organization."),
            ),
        }
        # Nothing is saved by the formset itself; the change message reads
        # these lists.
        formset.new_objects = []
        formset.changed_objects = []
        formset.deleted_objects = []
        if formset.model not in services:
            return
        service, done = services[formset.model]
        for inline_form in formset.forms:
            if not inline_form.has_changed() or inline_form.instance.pk:
                continue
            try:
                service(
                    consultation=form.instance,
                    author=request.user,
                    body=inline_form.cleaned_data.get("body", ""),
                )
            except ValidationError as error:
                _report_refusal(request, error)
            else:
                messages.success(request, done)

    # Search: the organization's name is looked up first, so that the
    # request table is searched by reference, email and organization id
    # (each served by an index) instead of through a join.

    SEARCH_ORGANIZATIONS_MAX = 500

    def get_search_results(self, request, queryset, search_term):
        # `queryset` is already scoped by get_queryset (crisis requests).
        terms = [
            unescape_string_literal(term)
            if term.startswith(('"', "'")) and term[0] == term[-1]
            else term
            for term in smart_split(search_term)
        ]
        terms = [term for term in terms if term]
        if not terms:
            return queryset, False
        for term in terms:
            organization_ids = list(
                Organization.objects.filter(name__icontains=term)
                .order_by()
                .values_list("pk", flat=True)[: self.SEARCH_ORGANIZATIONS_MAX]
            )
            condition = Q(reference__icontains=term) | Q(contact_email__icontains=term)
            if organization_ids:
                condition |= Q(organization_id__in=organization_ids)
            queryset = queryset.filter(condition)
        return queryset, False

    # Columns

    def action_checkbox(self, obj):
        """Django's row checkbox, written out instead of rendered through the
        widget templates on every row (same markup as ModelAdmin's)."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(_("Select this object for an action - {}"), str(obj)),
        )

    @admin.display(
        description=gettext_lazy("organization"), ordering="organization__name"
    )
    def organization_name(self, obj):
        return obj.organization.name

    @admin.display(description=gettext_lazy("advisor"), ordering="advisor__first_name")
    def advisor_name(self, obj):
        if obj.advisor is None:
            return "—"
        return display_name(obj.advisor)

    @admin.display(description=gettext_lazy("age (days)"), ordering="submitted_at")
    def age_in_days(self, obj):
        return (timezone.now() - obj.submitted_at).days

    @admin.display(
        description=gettext_lazy("first response overdue"),
        ordering="first_response_due_at",
        empty_value="",
    )
    def is_overdue(self, obj):
        # A mark for the overdue ones only: Django's boolean icons put a red
        # cross on every request that is on time.
        overdue = (
            obj.first_responded_at is None
            and not obj.is_closed
            and obj.first_response_due_at < timezone.now()
        )
        if not overdue:
            return ""
        return format_html(
            '<span class="triage-overdue"><span aria-hidden="true">⚠</span> {}</span>',
            _("Overdue"),
        )

    @admin.display(description=gettext_lazy("adjacent areas"))
    def adjacent_area_titles(self, obj):
        return ", ".join(str(area) for area in obj.adjacent_areas.all()) or "—"

    @admin.display(description=gettext_lazy("organization details as submitted"))
    def organization_details_as_submitted(self, obj):
        """What the form said, which may differ from the stored organization
        (DECISIONS.md: staff decide whether to update it)."""
        lines = []
        for key, value in (obj.organization_as_submitted or {}).items():
            if not value:
                continue
            try:
                field = Organization._meta.get_field(key)
            except FieldDoesNotExist:
                lines.append(f"{key}: {value}")
                continue
            shown = dict(field.choices).get(value, value) if field.choices else value
            lines.append(f"{capfirst(field.verbose_name)}: {shown}")
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))

    # The request page: suggestions and status buttons

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        own = [
            path(
                "<path:object_id>/assign/",
                self.admin_site.admin_view(self.assign_view),
                name=f"{prefix}_assign",
            ),
            path(
                "<path:object_id>/status/",
                self.admin_site.admin_view(self.status_view),
                name=f"{prefix}_status",
            ),
            path(
                "<path:object_id>/decline/",
                self.admin_site.admin_view(self.decline_view),
                name=f"{prefix}_decline",
            ),
            path(
                "<path:object_id>/wait/",
                self.admin_site.admin_view(self.wait_view),
                name=f"{prefix}_wait",
            ),
            path(
                "<path:object_id>/complete/",
                self.admin_site.admin_view(self.complete_view),
                name=f"{prefix}_complete",
            ),
            path(
                "export/",
                self.admin_site.admin_view(self.export_filtered_view),
                name=f"{prefix}_export",
            ),
        ]
        return own + super().get_urls()

    def _url(self, name: str, obj=None) -> str:
        args = [obj.pk] if obj is not None else []
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}", args=args
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context.update(self._triage_context(request, obj))
            if request.method == "GET":
                access_log_request_viewed(
                    user=request.user,
                    consultation=obj,
                    action=AccessLogEntry.Action.VIEWED_IN_ADMIN,
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def _triage_context(self, request, obj) -> dict:
        can_change = self.has_change_permission(request, obj)
        assignable = obj.status in (Status.NEW, Status.IN_TRIAGE)
        reassignable = obj.status in Consultation.ACTIVE_STATUSES
        suggestions = []
        if can_change and (assignable or reassignable):
            suggestions = [
                suggestion
                for suggestion in suggest_advisors(consultation=obj)
                if suggestion.advisor.pk != obj.advisor_id
            ]
        actions = (
            status_actions_for(user=request.user, consultation=obj)
            if can_change
            else []
        )
        return {
            "triage_suggestions": suggestions,
            "triage_reassign": reassignable,
            "triage_status_actions": [
                (value, Status(value).label)
                for value in actions
                if value not in (Status.DECLINED, Status.WAITING_FOR_ORGANIZATION)
            ],
            "triage_can_decline": Status.DECLINED in actions,
            "triage_can_wait": Status.WAITING_FOR_ORGANIZATION in actions,
            "triage_wait_url": self._url("wait", obj),
            "triage_assign_url": self._url("assign", obj),
            "triage_status_url": self._url("status", obj),
            "triage_decline_url": self._url("decline", obj),
        }

    def _get_for_change(self, request, object_id):
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _back_to(self, obj) -> HttpResponseRedirect:
        return HttpResponseRedirect(
            reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[obj.pk],
            )
        )

    def assign_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseRedirect(self._url("changelist"))
        obj = self._get_for_change(request, object_id)
        advisor_id = request.POST.get("advisor", "")
        if not (advisor_id.isascii() and advisor_id.isdecimal()):
            raise Http404
        advisor = get_object_or_404(get_user_model(), pk=int(advisor_id))
        # What the page offered, not the status now: reassigning is an explicit
        # action, and the version refuses a page older than the request.
        service = (
            consultation_reassign
            if request.POST.get("intent") == "reassign"
            else consultation_assign_advisor
        )
        try:
            service(
                consultation=obj,
                advisor=advisor,
                actor=request.user,
                expected_version=request.POST.get("version"),
            )
        except ValidationError as error:
            _report_refusal(request, error)
        else:
            messages.success(
                request,
                _("%(reference)s is assigned to %(advisor)s.")
                % {
                    "reference": obj.reference,
                    "advisor": display_name(advisor),
                },
            )
        return self._back_to(obj)

    def status_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseRedirect(self._url("changelist"))
        obj = self._get_for_change(request, object_id)
        to_status = request.POST.get("to_status", "")
        if to_status == Status.DECLINED:
            # The note is written on the next page, which shows the version
            # it posts back.
            return HttpResponseRedirect(self._url("decline", obj))
        if to_status == Status.WAITING_FOR_ORGANIZATION:
            # So is the note saying what the advisor waits for.
            return HttpResponseRedirect(self._url("wait", obj))
        if to_status == Status.COMPLETED:
            # And the outcome of a completed request.
            return HttpResponseRedirect(self._url("complete", obj))
        try:
            consultation_change_status(
                consultation=obj,
                to_status=to_status,
                actor=request.user,
                expected_version=request.POST.get("version"),
            )
        except ValidationError as error:
            _report_refusal(request, error)
        else:
            messages.success(
                request,
                _("%(reference)s is now “%(status)s”.")
                % {"reference": obj.reference, "status": Status(to_status).label},
            )
        return self._back_to(obj)

    def decline_view(self, request, object_id):
        obj = self._get_for_change(request, object_id)
        form = DeclineNoteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                consultation_decline(
                    consultation=obj,
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    expected_version=request.POST.get("version"),
                )
            except ValidationError as error:
                _report_refusal(request, error)
            else:
                messages.success(
                    request,
                    _("%(reference)s was declined; the organization is told.")
                    % {"reference": obj.reference},
                )
            return self._back_to(obj)
        return self._note_page(
            request,
            obj,
            form=form,
            action="decline",
            title=_("Decline %(reference)s") % {"reference": obj.reference},
            version=obj.version,
        )

    def wait_view(self, request, object_id):
        """Wait for the organization, with the note it reads; a refusal shows
        the page again with what was typed."""
        obj = self._get_for_change(request, object_id)
        form = WaitNoteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                consultation_wait_for_organization(
                    consultation=obj,
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    expected_version=request.POST.get("version"),
                )
            except ValidationError as error:
                _report_refusal(request, error)
            else:
                messages.success(
                    request,
                    _("%(reference)s is now “%(status)s”; the organization is told.")
                    % {
                        "reference": obj.reference,
                        "status": Status.WAITING_FOR_ORGANIZATION.label,
                    },
                )
                return self._back_to(obj)
        obj.refresh_from_db()
        return self._note_page(
            request,
            obj,
            form=form,
            action="wait",
            title=_("Wait for the organization: %(reference)s")
            % {"reference": obj.reference},
            version=request.POST.get("version") or obj.version,
            **WAIT_PAGE_TEXTS,
        )

    def complete_view(self, request, object_id):
        """Complete with the outcome; a refusal shows the page again with
        the choice and the note as typed."""
        obj = self._get_for_change(request, object_id)
        try:
            check_transition(consultation=obj, to_status=Status.COMPLETED)
        except ValidationError as error:
            _report_refusal(request, error)
            return self._back_to(obj)
        form = CompleteForm(
            request.POST if request.method == "POST" else None,
            initial={"version": obj.version},
        )
        if request.method == "POST" and form.is_valid():
            try:
                consultation_complete(
                    consultation=obj,
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
                    _("%(reference)s is now “%(status)s”; the organization is told.")
                    % {"reference": obj.reference, "status": Status.COMPLETED.label},
                )
                return self._back_to(obj)
        return self._complete_page(
            request,
            form=form,
            consultations=[obj],
            title=_("Complete %(reference)s") % {"reference": obj.reference},
            form_action=self._url("complete", obj),
            status=400 if form.is_bound else 200,
        )

    def _complete_page(self, request, *, form, consultations, status=200, **extra):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "consultations": consultations,
            "form": form,
            **extra,
        }
        return TemplateResponse(
            request,
            "admin/consultations/consultation/complete.html",
            context,
            status=status,
        )

    def _note_page(self, request, obj, *, form, action, title, version, **texts):
        """The page that asks for the note of a status move (decline, wait)."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "original": obj,
            "consultations": [obj],
            "form": form,
            "form_action": self._url(action, obj),
            "version": version,
            **texts,
        }
        return TemplateResponse(
            request, "admin/consultations/consultation/decline.html", context
        )

    def export_filtered_view(self, request):
        """The list as filtered and searched on screen, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            # As the list itself answers a filter it cannot apply.
            return HttpResponseRedirect(f"{self._url('changelist')}?{ERROR_FLAG}=1")
        return self._logged_csv_response(request, changelist.get_queryset(request))

    def _logged_csv_response(self, request, queryset) -> StreamingHttpResponse:
        """The export of exactly the requests written to the access log."""
        ids = list(queryset.values_list("pk", flat=True))
        access_log_requests_exported(user=request.user, consultation_ids=ids)
        return consultation_csv_response(
            queryset=Consultation.objects.filter(pk__in=ids), filename="requests.csv"
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        query = request.GET.urlencode()
        extra_context["export_url"] = self._url("export") + (
            f"?{query}" if query else ""
        )
        return super().changelist_view(request, extra_context)

    # Actions

    def _ordered(self, queryset):
        return queryset.select_related("organization", "advisor").order_by(
            "-is_crisis", "first_response_due_at", "pk"
        )

    @admin.action(
        description=gettext_lazy("Assign each to its suggested advisor"),
        permissions=["change"],
    )
    def assign_suggested_advisor(self, request, queryset):
        """Each request goes to its own top suggestion; the ranking is
        recomputed after every assignment, so loads are always current.

        Crisis requests are left out: each is assigned on its own page by
        staff who hold the crisis permission (DECISIONS.md, "People and
        permissions"), since its advisor will see all of it.
        """
        done, failures, crisis_skipped = 0, [], 0
        for consultation in self._ordered(queryset):
            if not may_assign_in_bulk(consultation):
                crisis_skipped += 1
                continue
            if consultation.status not in (Status.NEW, Status.IN_TRIAGE):
                failures.append(
                    _("%(reference)s already has an advisor.")
                    % {"reference": consultation.reference}
                )
                continue
            suggestion = top_suggestion(consultation=consultation)
            if suggestion is None:
                failures.append(
                    _("%(reference)s: no active advisor with room covers its track.")
                    % {"reference": consultation.reference}
                )
                continue
            try:
                consultation_assign_advisor(
                    consultation=consultation,
                    advisor=suggestion.advisor,
                    actor=request.user,
                )
            except ValidationError as error:
                failures.append(f"{consultation.reference}: {' '.join(error.messages)}")
            else:
                done += 1
        report_bulk_outcome(
            request,
            done_message=done
            and ngettext(
                "%(count)s request was assigned.",
                "%(count)s requests were assigned.",
                done,
            )
            % {"count": done},
            failures=failures,
        )
        if crisis_skipped:
            messages.warning(
                request,
                ngettext(
                    "%(count)s crisis request was left out: crisis requests are "
                    "assigned one at a time, from the request's own page.",
                    "%(count)s crisis requests were left out: crisis requests are "
                    "assigned one at a time, from the request's own page.",
                    crisis_skipped,
                )
                % {"count": crisis_skipped},
            )

    def _change_each(self, request, queryset, to_status: str) -> None:
        done, failures = apply_to_each(
            self._ordered(queryset),
            lambda consultation: consultation_change_status(
                consultation=consultation, to_status=to_status, actor=request.user
            ),
        )
        report_bulk_outcome(
            request,
            done_message=done
            and ngettext(
                "%(count)s request is now “%(status)s”.",
                "%(count)s requests are now “%(status)s”.",
                done,
            )
            % {"count": done, "status": Status(to_status).label},
            failures=failures,
        )

    @admin.action(description=gettext_lazy("Take into triage"), permissions=["change"])
    def start_triage(self, request, queryset):
        self._change_each(request, queryset, Status.IN_TRIAGE)

    @admin.action(description=gettext_lazy("Set in progress"), permissions=["change"])
    def start_progress(self, request, queryset):
        self._change_each(request, queryset, Status.IN_PROGRESS)

    @admin.action(
        description=gettext_lazy(
            "Set waiting for the organization, with a note to each organization…"
        ),
        permissions=["change"],
    )
    def wait_for_organization(self, request, queryset):
        form = WaitNoteForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done, failures = apply_to_each(
                self._ordered(queryset),
                lambda consultation: consultation_wait_for_organization(
                    consultation=consultation,
                    actor=request.user,
                    note=form.cleaned_data["note"],
                ),
            )
            report_bulk_outcome(
                request,
                done_message=done
                and ngettext(
                    "%(count)s request is now “%(status)s”.",
                    "%(count)s requests are now “%(status)s”.",
                    done,
                )
                % {"count": done, "status": Status.WAITING_FOR_ORGANIZATION.label},
                failures=failures,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Wait for the organization on the selected requests"),
            "consultations": list(queryset),
            "form": form,
            "action_name": "wait_for_organization",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "form_action": "",
            **WAIT_PAGE_TEXTS,
        }
        return TemplateResponse(
            request, "admin/consultations/consultation/decline.html", context
        )

    @admin.action(
        description=gettext_lazy("Set completed, with the outcome…"),
        permissions=["change"],
    )
    def complete(self, request, queryset):
        """One outcome for every selected request; each is completed by the
        same service as one at a time, and one refused stops no other."""
        form = CompleteForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            try:
                clean_outcome(
                    outcome=form.cleaned_data["outcome"],
                    outcome_note=form.cleaned_data["outcome_note"],
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                done, failures = apply_to_each(
                    self._ordered(queryset),
                    lambda consultation: consultation_complete(
                        consultation=consultation,
                        actor=request.user,
                        outcome=form.cleaned_data["outcome"],
                        outcome_note=form.cleaned_data["outcome_note"],
                    ),
                )
                report_bulk_outcome(
                    request,
                    done_message=done
                    and ngettext(
                        "%(count)s request is now “%(status)s”.",
                        "%(count)s requests are now “%(status)s”.",
                        done,
                    )
                    % {"count": done, "status": Status.COMPLETED.label},
                    failures=failures,
                )
                return None
        return self._complete_page(
            request,
            form=form,
            consultations=list(queryset),
            title=_("Complete the selected requests"),
            action_name="complete",
            action_checkbox_name=ACTION_CHECKBOX_NAME,
            form_action="",
        )

    @admin.action(
        description=gettext_lazy("Decline, with a note to each organization…"),
        permissions=["change"],
    )
    def decline_selected(self, request, queryset):
        form = DeclineNoteForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done, failures = apply_to_each(
                self._ordered(queryset),
                lambda consultation: consultation_decline(
                    consultation=consultation,
                    actor=request.user,
                    note=form.cleaned_data["note"],
                ),
            )
            report_bulk_outcome(
                request,
                done_message=done
                and ngettext(
                    "%(count)s request was declined.",
                    "%(count)s requests were declined.",
                    done,
                )
                % {"count": done},
                failures=failures,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Decline the selected requests"),
            "consultations": list(queryset),
            "form": form,
            "action_name": "decline_selected",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "form_action": "",
        }
        return TemplateResponse(
            request, "admin/consultations/consultation/decline.html", context
        )

    @admin.action(
        description=gettext_lazy("Export the selected requests as CSV"),
        permissions=["view"],
    )
    def export_selected(self, request, queryset):
        return self._logged_csv_response(request, queryset)


class DeclineNoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note to the organization"),
        max_length=MAX_BODY_LENGTH,
        help_text=gettext_lazy(
            "The organization receives it by email, in its language; write why "
            "the request is declined and where else they might turn."
        ),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
    )


class WaitNoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What the advisor is waiting for"),
        max_length=MAX_BODY_LENGTH,
        help_text=gettext_lazy(
            "The organization receives it by email, in its language, and sees "
            "it on its status page; write what it should send or answer."
        ),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
    )


# The note page (decline.html) as it asks what a request waits for.
WAIT_PAGE_TEXTS = {
    "intro": gettext_lazy(
        "Each organization receives the note below by email, in its language, "
        "and the reminders follow if it does not answer."
    ),
    "submit_label": gettext_lazy("Set waiting and tell the organization"),
}
