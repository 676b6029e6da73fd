"""Views, thin: each reads through a selector, validates with a form and
writes through a service.

- public.py: the organization's pages (the request form and its
  confirmation, the private status page, the lost-link form); no login.
- feedback.py: the feedback page behind the emailed private link.
- workspace.py: the advisors' workspace (login required), scoped to the
  requests a user may reach.
- dashboard.py: staff insight (the dashboard, its CSV downloads and each
  organization's history).

Sign-in, two-factor and password reset live in the accounts app.
"""
