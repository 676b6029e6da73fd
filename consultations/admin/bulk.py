"""Bulk admin actions call the same service as the single-item pages, one
row at a time; this runs that loop and tells the staff member what was done
and what was refused."""

from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

T = TypeVar("T")


def apply_to_each(
    items: Iterable[T],
    action: Callable[[T], object],
    *,
    label: Callable[[T], str] = attrgetter("reference"),
) -> tuple[int, list[str]]:
    """Call `action` on each item (a request, by default); return how many
    succeeded and, for the others, "<label>: <why>" lines for the staff
    member."""
    done, failures = 0, []
    for item in items:
        try:
            action(item)
        except (ValidationError, PermissionDenied) as error:
            reason = (
                " ".join(error.messages)
                if isinstance(error, ValidationError)
                else _("Not allowed.")
            )
            failures.append(f"{label(item)}: {reason}")
        else:
            done += 1
    return done, failures


def report_bulk_outcome(request, *, done_message: str, failures: list[str]) -> None:
    """One summary message per bulk action, with each refusal named."""
    if done_message:
        messages.success(request, done_message)
    for failure in failures:
        messages.warning(request, failure)
