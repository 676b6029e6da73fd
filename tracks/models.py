"""The catalog of consulting tracks, maintained by staff in the admin.

Titles and texts are translated with django-modeltranslation (see
translation.py): each has a Hebrew, Arabic and English column.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shatil_portal.models import TimeStampedModel


class TrackQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Track(TimeStampedModel):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("short summary"), max_length=400)
    description = models.TextField(
        _("full description"), help_text=_("Separate paragraphs with a blank line.")
    )
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    is_time_sensitive = models.BooleanField(
        _("time-sensitive (crisis)"),
        default=False,
        help_text=_("Requests on this track are urgent from the start."),
    )
    involves_several_organizations = models.BooleanField(
        _("involves several organizations (coalition)"),
        default=False,
        help_text=_("The request form asks for the member organizations."),
    )

    objects = TrackQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("consulting track")
        verbose_name_plural = _("consulting tracks")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("tracks:track_detail", kwargs={"slug": self.slug})


class TrackFormat(TimeStampedModel):
    """A way a track is delivered, when it offers more than one."""

    track = models.ForeignKey(
        Track, on_delete=models.CASCADE, related_name="formats", verbose_name=_("track")
    )
    slug = models.SlugField(_("slug"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("track format")
        verbose_name_plural = _("track formats")
        constraints = [
            models.UniqueConstraint(
                fields=["track", "slug"], name="unique_format_slug_per_track"
            )
        ]

    def __str__(self):
        return self.title


class AdjacentArea(TimeStampedModel):
    """An area the center also advises on, which any request can ask for."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = TrackQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("adjacent area")
        verbose_name_plural = _("adjacent areas")

    def __str__(self):
        return self.title
