"""Organizations: merging two records that turn out to be one organization.

The public form never edits a stored organization, so duplicates happen
(a typo in the registration number, a group that registered later). Staff
merge them: every request moves to the organization that survives, with its
history, messages and feedback, and the other record is deleted. The merge
is recorded with who did it, when, and the merged record's details.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.models import (
    Consultation,
    InternalNote,
    Organization,
    OrganizationMerge,
)

MERGE_PERMISSION = "consultations.change_organization"


def ensure_may_merge(*, actor) -> None:
    if not (
        actor.is_authenticated
        and actor.is_active
        and actor.is_staff
        and actor.has_perm(MERGE_PERMISSION)
    ):
        raise PermissionDenied


def _lock_both(*, source_pk: int, target_pk: int) -> tuple[Organization, Organization]:
    """Lock the two rows in primary-key order, so two merges of the same pair
    cannot deadlock; a missing row means it was merged (or deleted) already."""
    locked = {
        organization.pk: organization
        for organization in Organization.objects.select_for_update()
        .filter(pk__in=[source_pk, target_pk])
        .order_by("pk")
    }
    for pk in (source_pk, target_pk):
        if pk not in locked:
            raise ValidationError(
                _(
                    "Organization number %(number)s no longer exists; it may "
                    "have been merged already."
                )
                % {"number": pk},
                code="missing",
            )
    return locked[source_pk], locked[target_pk]


@transaction.atomic
def organization_merge(
    *, source: Organization, target: Organization, actor
) -> OrganizationMerge:
    """Move every request of `source` to `target`, record the merge, and
    delete `source`. `target` keeps its own details: staff decide whether
    anything of the merged record should be copied over."""
    ensure_may_merge(actor=actor)
    if source.pk == target.pk:
        raise ValidationError(
            _("An organization cannot be merged into itself."), code="same"
        )
    source, target = _lock_both(source_pk=source.pk, target_pk=target.pk)

    moved_ids = list(
        Consultation.objects.select_for_update()
        .filter(organization=source)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    merge = OrganizationMerge(
        target=target,
        source_pk=source.pk,
        source_name=source.name,
        source_registration_number=source.registration_number,
        source_details=model_to_dict(source),
        actor=actor,
    )
    merge.full_clean()
    merge.save()
    Consultation.objects.filter(pk__in=moved_ids).update(
        organization=target, updated_at=timezone.now()
    )
    merge.consultations.set(moved_ids)
    note = _(
        "The organization “%(source)s” was merged into “%(target)s”; this "
        "request moved with it."
    ) % {"source": source.name, "target": target.name}
    InternalNote.objects.bulk_create(
        InternalNote(consultation_id=pk, author=actor, body=note) for pk in moved_ids
    )
    # Earlier merges into the source now belong to the surviving record.
    OrganizationMerge.objects.filter(target=source).update(target=target)
    source.delete()
    return merge
