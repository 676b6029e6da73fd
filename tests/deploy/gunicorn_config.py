"""Prints the bind addresses and workers gunicorn would use for the command
line it is given in place of `gunicorn` (tests/deploy/test_gunicorn.py)."""

import json
import sys

from gunicorn.app.wsgiapp import WSGIApplication

sys.argv = ["gunicorn", *sys.argv[1:]]
application = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]")
print(json.dumps({"bind": application.cfg.bind, "workers": application.cfg.workers}))
