"""Per-language caching of what changes only when staff edit it: the public
catalog pages (home and track pages) and other small tables (the response
policies). Rendered once per language and kept in the default cache (Redis
in production), at two levels:

- a fragment, which depends on its namespace's data and the language only,
  for every visitor (`cached_fragment`, which any page may use for a
  fragment that depends on nothing else: the request form's track choices,
  say);
- the whole catalog page for a visitor who sends no session and no messages
  cookie (`whole_page_for_new_visitors`): such a visitor is anonymous and
  has no pending message, so the header and footer are the same for all of
  them. Visitors with a session (staff, advisors, a requester who has just
  sent a request) get their own header around the cached body.

Entries live in namespaces (CATALOG, the default; RESPONSE_POLICIES, the
table in consultations/selectors/followups.py), each with a version of its
own: every entry carries the versions it was made from. A namespace's
`invalidator` is a signal receiver that moves only that version on once the
transaction commits: saving a track, a format or an adjacent area
(tracks/signals.py), and every `migrate`, moves the catalog on; saving a
response policy moves only the policies on. An entry may depend on several
namespaces: the catalog pages and the request form, which promise the
policies' response time, depend on both, so a policy edit renders them
afresh while the policies' own table and the other catalog fragments (the
form's track choices) stay. An entry from an older version is never served.
Entries also expire after CACHE_TIMEOUT, for writes that send no signal
(QuerySet.update(), raw SQL).

Keys also name the code that renders the pages (templates, translations,
the static files' manifest, as this process loaded them), so a release never
serves pages that the previous one rendered.

Each process also keeps, for CATALOG_LOCAL_SECONDS (a second by default),
each namespace's version it last read and the entries read or written
under it (pages, HTML and sets of slugs as they are; model instances and
dicts as their pickle, unpickled afresh for each request, so no request can
change what another gets), so that most pages, and a submission's catalog,
cost no round trip to Redis at all. The process that saves a change serves it at
once; the other processes within that time.

Inside a transaction nothing is read from or written to the cache: what the
transaction sees may never be committed. With DEBUG on, nothing is cached, so
that an edited template shows at once. A cache that does not answer is
skipped, and the page is rendered as if there were none.
"""

import hashlib
import logging
import pickle
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache as memoize
from functools import partial, wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CACHE_TIMEOUT = 15 * 60
# Cookies that change what a page shows: a session (the header's links for a
# signed-in user) and flash messages.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")
CACHE_ERRORS = (RedisError, OSError)


@memoize
def _code_version() -> str:
    """A fingerprint of the files that shape the pages, taken once per
    process: each release (or restart after an edit) gets keys of its own."""
    digest = hashlib.sha1()
    base = Path(settings.BASE_DIR)
    files = [
        *(base / "templates").rglob("*"),
        *(base / "locale").rglob("*.mo"),
        Path(settings.STATIC_ROOT) / "staticfiles.json",
    ]
    for path in sorted(files):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size};".encode())
    return digest.hexdigest()[:12]


def _prefix() -> str:
    # The database's name keeps the caches of two databases (a test
    # database, the benchmark's) apart in a shared cache.
    return f"tracks:{connection.settings_dict['NAME']}:{_code_version()}"


def _version_key(namespace: str) -> str:
    return f"{_prefix()}:{namespace}-version"


def _joined(namespace: str | tuple[str, ...]) -> str:
    """One name for an entry's namespaces: "catalog+response-policies"."""
    return namespace if isinstance(namespace, str) else "+".join(namespace)


def _version_keys(namespace: str) -> list[str]:
    return [_version_key(name) for name in namespace.split("+")]


def _new_version() -> str:
    # A clock reading rather than a counter: a version lost with the cache
    # never comes back, so entries from before it can never match again. The
    # random part keeps two versions apart even under a clock that stands
    # still or steps back.
    return f"{time.time_ns()}-{secrets.token_hex(4)}"


@dataclass
class _LocalCopy:
    """What this process last read of one namespace: its version, when it
    was read, and the entries of that version."""

    version_key: str
    version: str
    read_at: float
    entries: dict = field(default_factory=dict)


# One copy per namespace, each replaced whole, never edited but for adding
# entries, so that a thread always sees a version together with its own
# entries.
_locals: dict[str, _LocalCopy] = {}

# Shared by every request of the process, so only values no request can
# change.
_LOCAL_TYPES = (str, bytes, frozenset)


class _Pickled(bytes):
    """A mutable entry (model instances, a dict) kept by this process as its
    pickle, and unpickled afresh for each request: no request can change
    what another gets, and none waits for Redis."""


def _local_copy(namespace: str, version_key: str) -> _LocalCopy | None:
    """This process's copy of `namespace`, if it is of this cache and recent
    enough."""
    local = _locals.get(namespace)
    seconds = settings.CATALOG_LOCAL_SECONDS
    if (
        local is None
        or local.version_key != version_key
        or time.monotonic() - local.read_at >= seconds
    ):
        return None
    return local


def _remember(namespace: str, version_key: str, version: str, key: str, value):
    """Note a version just read from the cache, and `key`'s entry in it."""
    local = _locals.get(namespace)
    if local is None or (local.version_key, local.version) != (version_key, version):
        local = _locals[namespace] = _LocalCopy(version_key, version, time.monotonic())
    else:
        local.read_at = time.monotonic()
    _remember_entry(local, version, key, value)


def _remember_entry(local: _LocalCopy | None, version: str, key: str, value) -> None:
    if local is not None and local.version == version and value is not None:
        if isinstance(value, _LOCAL_TYPES):
            local.entries[key] = value
        else:
            local.entries[key] = _Pickled(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def _local_value(value):
    return pickle.loads(value) if isinstance(value, _Pickled) else value


def _bump_version(namespace: str) -> bool:
    version = _new_version()
    try:
        cache.set(_version_key(namespace), version, timeout=None)
    except CACHE_ERRORS as error:
        logger.warning(
            "%s version not moved on: %s",
            namespace.capitalize(),
            type(error).__name__,
        )
        _forget(namespace)
        return False
    _forget(namespace)
    _locals[namespace] = _LocalCopy(_version_key(namespace), version, time.monotonic())
    return True


def _forget(namespace: str) -> None:
    """Drop this process's copies of `namespace` and of every combination
    that includes it."""
    for name in list(_locals):
        if namespace in name.split("+"):
            _locals.pop(name, None)


@memoize
def invalidator(namespace: str) -> Callable[..., None]:
    """A signal receiver that moves `namespace`'s version on once the current
    transaction commits (at once outside a transaction), so that none of its
    entries is served again. One per namespace, kept for the process's life
    (signals hold their receivers weakly)."""

    def changed(**kwargs) -> None:
        transaction.on_commit(partial(_bump_version, namespace))

    changed.__name__ = changed.__qualname__ = f"{namespace}_changed"
    return changed


# The public catalog: tracks, formats and adjacent areas (tracks/signals.py).
CATALOG = "catalog"
catalog_changed = invalidator(CATALOG)

# The response policies (consultations/apps.py connects their invalidator):
# the catalog pages and the request form promise their response time.
RESPONSE_POLICIES = "response-policies"

# The staff dashboard's figures (consultations/insight/figures.py): kept for
# a few minutes, but moved on at once when a request is completed with its
# outcome (consultations/apps.py), so the outcomes shown are never stale.
DASHBOARD = "dashboard"

NAMESPACES = (CATALOG, RESPONSE_POLICIES, DASHBOARD)


def cache_versions_move_on() -> bool:
    """Move every namespace's version on at once, so that nothing cached
    before is served again: after a database is restored (`make restore`,
    `manage.py cache_move_on`), when no signal told the cache what changed.
    False when the cache did not answer (its entries then expire after
    CACHE_TIMEOUT)."""
    return all([_bump_version(namespace) for namespace in NAMESPACES])


def namespace_version(namespace: str) -> str:
    """The current version of `namespace`, for a cache that keys its own
    entries by it (the dashboard's); "" when the cache does not answer."""
    key = _version_key(namespace)
    local = _local_copy(namespace, key)
    if local is not None:
        return local.version
    try:
        version = cache.get(key)
        if version is None:
            cache.add(key, _new_version(), timeout=None)
            version = cache.get(key)
    except CACHE_ERRORS as error:
        logger.warning("Dashboard version not read: %s", type(error).__name__)
        return ""
    _remember(namespace, key, str(version), "", None)
    return str(version)


def cache_usable() -> bool:
    return not (settings.DEBUG or connection.in_atomic_block)


def _get_entry(namespace: str, key: str) -> tuple[str, object | None]:
    """The version of the namespace (of each, joined, for "a+b"), and what
    `key` holds if it was made from it; one round trip."""
    version_keys = _version_keys(namespace)
    version_key = "|".join(version_keys)
    local = _local_copy(namespace, version_key)
    if local is not None and key in local.entries:
        return local.version, _local_value(local.entries[key])
    found = cache.get_many([*version_keys, key])
    if any(found.get(each) is None for each in version_keys):
        for each in version_keys:
            if found.get(each) is None:
                cache.add(each, _new_version(), timeout=None)
        found = cache.get_many(version_keys)
        return "|".join(str(found.get(each)) for each in version_keys), None
    version = "|".join(found[each] for each in version_keys)
    entry = found.get(key)
    value = entry[1] if entry is not None and entry[0] == version else None
    _remember(namespace, version_key, version, key, value)
    return version, value


def _set_entry(namespace: str, key: str, version: str, value) -> None:
    """Store what was made from `version` under `key`."""
    cache.set(key, (version, value), CACHE_TIMEOUT)
    version_key = "|".join(_version_keys(namespace))
    _remember_entry(_local_copy(namespace, version_key), version, key, value)


def cached_fragment(
    name: str,
    render: Callable[[], object],
    *,
    namespace: str | tuple[str, ...] = CATALOG,
):
    """What `render()` returns for `name` in the active language, from the
    cache when `namespace` (the catalog by default; or each of several) has
    not changed since. `render` must depend on nothing but that data and
    the language (no user, no request)."""
    if not cache_usable():
        return render()
    namespace = _joined(namespace)
    key = f"{_prefix()}:{namespace}:fragment:{get_language()}:{name}"
    label = namespace.split("+")[0].capitalize()
    try:
        version, value = _get_entry(namespace, key)
    except CACHE_ERRORS as error:
        logger.warning("%s cache skipped: %s", label, type(error).__name__)
        return render()
    if value is None:
        value = render()
        try:
            _set_entry(namespace, key, version, value)
        except CACHE_ERRORS as error:
            logger.warning("%s cache not written: %s", label, type(error).__name__)
    return value


def _is_new_visitor(request) -> bool:
    return request.method == "GET" and not any(
        name in request.COOKIES for name in PERSONAL_COOKIES
    )


def _no_query(request) -> str | None:
    return None if request.GET else ""


def _is_shareable(request, response) -> bool:
    """A response the next new visitor may get as it is: no CSRF token or
    CSP nonce of this request's in it, no cookie set."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(request, "_csp_nonce", None)
    )


def whole_page_for_new_visitors(
    view=None,
    *,
    variant: Callable[[object], str | None] = _no_query,
    personalize: Callable[[object, bytes], bytes] | None = None,
    namespace: str | tuple[str, ...] = CATALOG,
):
    """Serve a visitor without a session or messages cookie the page that the
    previous such visitor got, in the same language and version of
    `namespace` (the catalog by default; or of each of several).

    `variant(request)` names the version of the page a request gets (a
    normalized query string, say), or None when the request is not to be
    served from the cache; by default only a request without a query string
    is. It must name only versions the catalog knows of, so that requests
    cannot fill the cache.

    With `personalize(request, html)`, the view is called with
    `request.shared_page` set to True and must then render placeholders for
    what differs per request (a CSRF token); `personalize` fills them in on
    every response, the first included.

    The response is made afresh around the cached HTML, so every middleware
    (security headers, CSP, language) still applies.
    """
    if view is None:
        return lambda view: whole_page_for_new_visitors(
            view, variant=variant, personalize=personalize, namespace=namespace
        )
    namespace = _joined(namespace)

    def render(request, *args, **kwargs):
        request.shared_page = personalize is not None
        try:
            response = view(request, *args, **kwargs)
        finally:
            request.shared_page = False
        if hasattr(response, "render"):
            response = response.render()
        return response

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (_is_new_visitor(request) and cache_usable()):
            return view(request, *args, **kwargs)
        name = variant(request)
        if name is None:
            return view(request, *args, **kwargs)
        key = f"{_prefix()}:{namespace}:page:{get_language()}:{request.path}:{name}"
        try:
            version, html = _get_entry(namespace, key)
        except CACHE_ERRORS as error:
            logger.warning("Catalog cache skipped: %s", type(error).__name__)
            return view(request, *args, **kwargs)
        if html is not None:
            response = HttpResponse(html)
        else:
            response = render(request, *args, **kwargs)
            if _is_shareable(request, response):
                try:
                    _set_entry(namespace, key, version, response.content)
                except CACHE_ERRORS as error:
                    logger.warning(
                        "Catalog cache not written: %s", type(error).__name__
                    )
            elif personalize is not None:
                # Not to be kept, so not to be rendered with placeholders
                # either: the page as the view renders it for this request.
                return view(request, *args, **kwargs)
        if personalize is not None:
            response.content = personalize(request, response.content)
        # The HTML is right only for requests without those cookies.
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapped
