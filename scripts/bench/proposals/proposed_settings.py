"""A place for settings changes to measure against the production settings
on the same data before adopting them:

    make bench BENCH_ARGS="--settings proposed_settings"

Not used by the portal itself. The Redis client reuse measured here first is
now shatil_portal/cache.py.
"""

from shatil_portal.settings import *  # noqa: F403
