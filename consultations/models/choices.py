"""Choices shared by several models: languages and regions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    HEBREW = "he", _("Hebrew")
    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")


class Region(models.TextChoices):
    NORTH = "north", _("North District")
    HAIFA = "haifa", _("Haifa District")
    CENTER = "center", _("Center District")
    TEL_AVIV = "tel_aviv", _("Tel Aviv District")
    JERUSALEM = "jerusalem", _("Jerusalem District")
    SOUTH = "south", _("South District")
    NATIONWIDE = "nationwide", _("Nationwide")
    OTHER = "other", _("Other")
