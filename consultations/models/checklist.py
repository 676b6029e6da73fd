"""The checklist of policy-advocacy tools (issue 18, צ׳ק ליסט).

Staff keep the list of `PolicyTool`s in the admin, in three languages. An
organization rates itself on each tool (a four-point scale, or "don't
know") and says whether it relies on partners for it; each taking is a
`ChecklistAssessment` with its sequence number, so the first and the latest
can be compared (as Bolder Advocacy's ACT! compares them).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shatil_portal.models import TimeStampedModel

from .advisors import AdvisorProfile
from .engagement import TITLE_LENGTH, StepOwner
from .requests import Consultation

# The track whose request form offers the checklist as an optional step
# (professional development: "find where learning is needed against a
# checklist of policy-advocacy tools", the seed page).
CHECKLIST_TRACK_SLUG = "professional-development"

# An organization may retake the checklist at any time; the bound keeps a
# script from filling the table.
MAX_ASSESSMENTS_PER_REQUEST = 20


class ToolLevel(models.IntegerChoices):
    """The four points of the scale; "don't know" is stored as no level."""

    NOT_YET = 1, _("Not yet")
    BEGINNING = 2, _("Beginning")
    GROWING = 3, _("Growing")
    STRONG = 4, _("Strong and routine")


# Levels that make a tool a need, and a strength, in the profile.
NEED_LEVELS = (ToolLevel.NOT_YET, ToolLevel.BEGINNING)
STRENGTH_LEVELS = (ToolLevel.STRONG,)


class PolicyTool(TimeStampedModel):
    """One tool of policy advocacy ("working with the Knesset and its
    committees"), with the plan step it suggests to an organization that
    needs it."""

    slug = models.SlugField(_("identifier"), max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=TITLE_LENGTH)
    description = models.TextField(_("description"), blank=True)
    suggested_step_title = models.CharField(
        _("suggested plan step"),
        max_length=TITLE_LENGTH,
        blank=True,
        help_text=_("Offered to the advisor when the organization needs this tool."),
    )
    suggested_step_owner = models.CharField(
        _("owner of the suggested step"),
        max_length=20,
        choices=StepOwner.choices,
        default=StepOwner.ORGANIZATION,
    )
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    advisors = models.ManyToManyField(
        AdvisorProfile,
        blank=True,
        related_name="policy_tools",
        verbose_name=_("advisors experienced with this tool"),
        help_text=_(
            "The advisor suggestion prefers them for organizations that need this tool."
        ),
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("policy tool")
        verbose_name_plural = _("policy tools (checklist)")

    def __str__(self):
        return self.title


class ChecklistAssessment(models.Model):
    """One taking of the checklist by an organization: also the history
    row of that taking (when, from where, which time)."""

    class Source(models.TextChoices):
        REQUEST_FORM = "request_form", _("The request form")
        STATUS_PAGE = "status_page", _("The request's status page")

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="checklist_assessments",
        verbose_name=_("request"),
    )
    sequence = models.PositiveSmallIntegerField(_("taking"))
    source = models.CharField(_("filled in on"), max_length=20, choices=Source.choices)
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["consultation", "sequence"]
        verbose_name = _("checklist taking")
        verbose_name_plural = _("checklist takings")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "sequence"],
                name="checklist_sequence_unique_per_request",
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1), name="checklist_sequence_positive"
            ),
            models.CheckConstraint(
                condition=Q(source__in=["request_form", "status_page"]),
                name="checklist_source_valid",
            ),
        ]

    def __str__(self):
        return f"{self.consultation} #{self.sequence}"


class ChecklistAnswer(models.Model):
    assessment = models.ForeignKey(
        ChecklistAssessment,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("checklist taking"),
    )
    # Protected: a tool that was answered is retired (not active), not
    # deleted, so that earlier takings keep their meaning.
    tool = models.ForeignKey(
        PolicyTool,
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name=_("policy tool"),
    )
    level = models.PositiveSmallIntegerField(
        _("level"),
        choices=ToolLevel.choices,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("Empty: the organization does not know."),
    )
    relies_on_partners = models.BooleanField(_("relies on partners"), default=False)

    class Meta:
        ordering = ["assessment", "tool__order", "tool_id"]
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "tool"], name="checklist_answer_unique_per_tool"
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=4),
                name="checklist_answer_level_in_scale",
            ),
        ]

    def __str__(self):
        return f"{self.tool_id}: {self.level}"
