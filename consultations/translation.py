"""Plan templates are translated like the catalog (tracks/translation.py)."""

from modeltranslation.translator import TranslationOptions, register

from .models import PlanTemplateStep


@register(PlanTemplateStep)
class PlanTemplateStepTranslationOptions(TranslationOptions):
    fields = ("title", "description", "milestone_title")
    required_languages = {"he": ("title",), "ar": ("title",), "en": ("title",)}
