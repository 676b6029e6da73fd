"""Cache invalidation: any change to the catalog moves its cached pages on
(shatil_portal/caching.py). Connected in apps.py."""

from django.apps import apps
from django.db.models.signals import post_delete, post_migrate, post_save

from shatil_portal.caching import catalog_changed

from .models import AdjacentArea, Track, TrackFormat


def connect() -> None:
    for model in (Track, TrackFormat, AdjacentArea):
        name = model.__name__
        post_save.connect(catalog_changed, sender=model, dispatch_uid=f"{name}-saved")
        post_delete.connect(
            catalog_changed, sender=model, dispatch_uid=f"{name}-deleted"
        )
    # Migrations change the catalog through historical models, which send
    # no save signal, and a release may change the templates: every
    # `migrate` (part of each release) starts a new version.
    post_migrate.connect(
        catalog_changed,
        sender=apps.get_app_config("tracks"),
        dispatch_uid="tracks-migrated",
    )
