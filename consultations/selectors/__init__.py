"""Read paths: each fetches what a page, an email or a job needs in a
constant number of queries; a staff page's reads are scoped by the user who
asks. Selectors never write and never import a service (pyproject.toml's
import-linter contract).

- requester.py: the public pages (the request form's catalog, the
  confirmation, the private status page found by its token).
- staff.py: the workspace and the admin's request pages, for staff and
  advisors.
- followups.py: the response policy and the first-response deadline it
  sets, the coordinators, the weekly digest's figures, feedback by token.
- dashboard.py: the staff dashboard's figures, in the database.
- organizations.py: one organization's history, and what a merge would
  move.
"""
