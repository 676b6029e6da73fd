"""Read paths: requester.py for the public pages, staff.py for staff and
advisors. Each fetches what a page needs in a constant number of queries."""
