"""Consultation requests, the organizations that make them, and their history.

State changes happen only in services (services/); these models hold data,
constraints and values derived from their own fields. One module per
sub-domain; everything is re-exported here, so `from consultations.models
import X` works for every model.
"""

from .access_log import AccessLogEntry
from .advisors import AdvisorProfile, AdvisorProfileQuerySet, ChoiceListValidator
from .attachments import Attachment
from .checklist import (
    ChecklistAnswer,
    ChecklistAssessment,
    PolicyTool,
    ToolLevel,
)
from .choices import Language, Region
from .conversation import InternalNote, Meeting, Message
from .dashboard import DailyCountsCoverage, DailyRequestCount, MonthlyResponseFigures
from .data_requests import DeletionRequest
from .engagement import (
    Milestone,
    PlanEvent,
    PlanStep,
    PlanTemplate,
    PlanTemplateStep,
    PlanTurningPoint,
    StepOwner,
    WorkPlan,
)
from .feedback import Feedback
from .followups import FollowUp, ResponsePolicy
from .inbound import InboundMail
from .oauth import OAuthGrant
from .organization_merges import OrganizationMerge
from .organizations import Organization
from .outbox import OutboundEmail
from .outcomes import ConsultationOutcome
from .players import Player
from .requests import CoalitionMember, Consultation, ReferenceSequence, StatusChange

__all__ = [
    "AccessLogEntry",
    "AdvisorProfile",
    "AdvisorProfileQuerySet",
    "Attachment",
    "ChecklistAnswer",
    "ChecklistAssessment",
    "ChoiceListValidator",
    "CoalitionMember",
    "DailyCountsCoverage",
    "DailyRequestCount",
    "MonthlyResponseFigures",
    "Consultation",
    "ConsultationOutcome",
    "DeletionRequest",
    "Feedback",
    "FollowUp",
    "InboundMail",
    "OAuthGrant",
    "InternalNote",
    "Language",
    "Meeting",
    "Message",
    "Milestone",
    "Organization",
    "OrganizationMerge",
    "OutboundEmail",
    "PlanEvent",
    "PlanStep",
    "PlanTemplate",
    "PlanTemplateStep",
    "PlanTurningPoint",
    "PolicyTool",
    "Player",
    "ReferenceSequence",
    "Region",
    "ResponsePolicy",
    "StatusChange",
    "StepOwner",
    "ToolLevel",
    "WorkPlan",
]
