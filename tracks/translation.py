from modeltranslation.translator import TranslationOptions, register

from .models import AdjacentArea, Track, TrackFormat


@register(Track)
class TrackTranslationOptions(TranslationOptions):
    fields = ("title", "summary", "description")
    required_languages = ("he", "ar", "en")


@register(TrackFormat)
class TrackFormatTranslationOptions(TranslationOptions):
    fields = ("title", "description")
    required_languages = {"he": ("title",), "ar": ("title",), "en": ("title",)}


@register(AdjacentArea)
class AdjacentAreaTranslationOptions(TranslationOptions):
    fields = ("title", "description")
    required_languages = {"he": ("title",), "ar": ("title",), "en": ("title",)}
