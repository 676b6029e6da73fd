"""Views: public.py for organizations (form, confirmation, status page),
workspace.py for advisors and staff."""
