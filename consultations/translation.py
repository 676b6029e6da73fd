"""Plan templates are translated like the catalog (tracks/translation.py)."""

from modeltranslation.translator import TranslationOptions, register

from .models import PlanTemplateStep, PolicyTool


@register(PlanTemplateStep)
class PlanTemplateStepTranslationOptions(TranslationOptions):
    fields = ("title", "description", "milestone_title")
    required_languages = {"he": ("title",), "ar": ("title",), "en": ("title",)}


@register(PolicyTool)
class PolicyToolTranslationOptions(TranslationOptions):
    fields = ("title", "description", "suggested_step_title")
    required_languages = {"he": ("title",), "ar": ("title",), "en": ("title",)}
