"""Who may see a crisis request: the one place of the rule (DECISIONS.md,
"People and permissions").

Staff who hold the crisis permission (the coordinators' group holds it)
see every crisis request; the advisor assigned to a crisis request sees it
in full; nobody else sees one. Every list, page, export, email, digest and
admin view asks this module, either per user (`user_may_see_crisis`), per
request (`user_may_see_consultation`) or per query
(`Consultation.objects.visible_to(user)`, `exclude_hidden_crisis`).

This module imports nothing of the project, so that models.py can import it
at the top for its QuerySet method without an import cycle.
"""

from django.db.models import Q, QuerySet

# The model's Meta declares the codename; this is its full name.
CRISIS_PERMISSION = "consultations.view_crisis_consultation"


def user_may_see_crisis(user) -> bool:
    """Whether `user` sees every crisis request (the permission; active
    superusers hold every permission)."""
    return user.has_perm(CRISIS_PERMISSION)


def user_may_see_consultation(*, user, consultation) -> bool:
    """The assigned advisor, or staff (crisis requests need the permission)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if consultation.advisor_id == user.pk:
        return True
    if not user.is_staff:
        return False
    return not consultation.is_crisis or user_may_see_crisis(user)


def may_assign_in_bulk(consultation) -> bool:
    """Crisis requests are assigned one at a time, by staff who may see
    them: the assignment is what opens one to its advisor."""
    return not consultation.is_crisis


def exclude_hidden_crisis(queryset: QuerySet, *, user, via: str = "") -> QuerySet:
    """`queryset` without the rows about crisis requests that `user` may not
    see. `via` is the path from a row to its request ("consultation__"), ""
    for requests themselves; rows about no request stay."""
    if user_may_see_crisis(user):
        return queryset
    hidden = Q(**{f"{via}is_crisis": True})
    if user.is_authenticated:
        hidden &= ~Q(**{f"{via}advisor": user})
    return queryset.exclude(hidden)


def visible_consultations(queryset: QuerySet, *, user) -> QuerySet:
    """The requests of `queryset` that `user` may open, in the workspace or
    the admin: an advisor their own, staff the rest (crisis requests as
    above). Called by `ConsultationQuerySet.visible_to`."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if not user.is_staff:
        return queryset.filter(advisor=user)
    return exclude_hidden_crisis(queryset, user=user)
