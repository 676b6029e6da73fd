"""Two sign-in locks (django-axes).

The per-address lock (AXES_FAILURE_LIMIT failures of one username from one
address) stops a guesser on one connection. A guesser who rotates addresses
never reaches it, so the account also locks after AXES_ACCOUNT_FAILURE_LIMIT
failures from all addresses together, within the same cool-off period. The
account limit is higher, so that a colleague's typos, or a stranger typing
the name on purpose, do not lock the real user out at once; a password reset
clears both locks (the user proved they hold the mailbox).
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.db.models import Sum


class AccountLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler plus the per-account lock.

    Axes locks when `get_failures` reaches AXES_FAILURE_LIMIT; an account
    over its own limit is reported as at that limit, and the request is
    marked so that the lockout page can say which lock applies.
    """

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        username = get_client_username(request, credentials)
        limit = settings.AXES_ACCOUNT_FAILURE_LIMIT
        if username and account_failures(request, username) >= limit:
            request.axes_account_locked = True
            return max(failures, settings.AXES_FAILURE_LIMIT)
        return failures


def account_failures(request, username: str) -> int:
    """Failed sign-ins for the username from every address, within the
    cool-off period."""
    attempts = AccessAttempt.objects.filter(username=username)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class UnlockingSetPasswordForm(SetPasswordForm):
    """The password reset's last step; setting the new password also clears
    the account's failed sign-ins, so a locked-out user has a way back."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        reset(username=user.get_username())
        return user
