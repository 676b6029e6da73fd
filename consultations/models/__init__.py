"""Consultation requests, the organizations that make them, and their history.

State changes happen only in services (services/); these models hold data,
constraints and values derived from their own fields. One module per
sub-domain; everything is re-exported here, so `from consultations.models
import X` works for every model.
"""

from .access_log import AccessLogEntry
from .advisors import AdvisorProfile, AdvisorProfileQuerySet, ChoiceListValidator
from .attachments import Attachment
from .choices import Language, Region
from .conversation import InternalNote, Meeting, Message
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
from .organization_merges import OrganizationMerge
from .organizations import Organization
from .outbox import OutboundEmail
from .requests import CoalitionMember, Consultation, ReferenceSequence, StatusChange

__all__ = [
    "AccessLogEntry",
    "AdvisorProfile",
    "AdvisorProfileQuerySet",
    "Attachment",
    "ChoiceListValidator",
    "CoalitionMember",
    "Consultation",
    "Feedback",
    "FollowUp",
    "InboundMail",
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
    "ReferenceSequence",
    "Region",
    "ResponsePolicy",
    "StatusChange",
    "StepOwner",
    "WorkPlan",
]
