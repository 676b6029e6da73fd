"""Staff work in Django's admin (Hebrew, right to left).

Crisis requests exist here only for those who may see them
(consultations/permissions.py): the request list, search, export, the request page, the
outbox, follow-ups, feedback and the access log all start from a scoped
queryset (scope.CrisisScopedAdmin).

- triage.py: the request list and the request page (filters.py, inlines.py,
  export.py and bulk.py's actions serve it).
- organizations.py: organizations and their merge; advisors.py: advisor
  profiles; outbox.py: outgoing emails (stuck rows resolved by staff).
- followups.py: response policies, follow-ups, feedback and anonymization
  on demand; access_log.py: who viewed or exported personal data.
- checklist.py: the policy tools and each request's checklist takings.
- data_requests.py: the organizations' deletion requests (approve,
  refuse).
- scope.py: the crisis scope and the read-only bases every admin uses.

Each module registers its models when imported; Django's autodiscovery
imports this package, and this package imports them all.
"""

from consultations.admin import (  # noqa: F401 (registration on import)
    access_log,
    advisors,
    checklist,
    data_requests,
    engagement,
    followups,
    inbound,
    organizations,
    outbox,
    triage,
)
