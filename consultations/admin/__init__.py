"""Staff work in Django's admin (Hebrew, right to left).

Crisis requests exist here only for users with `view_crisis_consultation`
(and superusers): the request list, search, export, the request page, the
outbox, follow-ups, feedback and the access log all start from a scoped
queryset (scope.CrisisScopedAdmin).

Each module registers its models when imported; Django's autodiscovery
imports this package, and this package imports them all.
"""

from consultations.admin import (  # noqa: F401 (registration on import)
    access_log,
    advisors,
    engagement,
    followups,
    organizations,
    outbox,
    triage,
)
