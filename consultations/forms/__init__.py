"""Forms, one module per audience: the organization's request and status-page
forms (request.py), its feedback (feedback.py), the advisors' workspace
(workspace.py) and the staff dashboard's filters (dashboard.py).

Forms validate and present; the views hand `cleaned_data` to the services.
What the views, the admin and the tests import is re-exported here.
"""

from .dashboard import DashboardFilterForm
from .feedback import FeedbackForm
from .request import (
    HONEYPOT_FIELD,
    ConsultationRequestForm,
    ContactCorrectionForm,
    DeletionRequestForm,
    IsraeliPhoneNumberField,
    LostLinkForm,
    StatusMessageForm,
    WithdrawForm,
)
from .workspace import (
    AdvisorProfileAdminForm,
    DeclineForm,
    InternalNoteForm,
    MeetingForm,
    MeetingRescheduleForm,
    MessageForm,
    WaitForm,
)

__all__ = [
    "HONEYPOT_FIELD",
    "AdvisorProfileAdminForm",
    "ConsultationRequestForm",
    "ContactCorrectionForm",
    "DashboardFilterForm",
    "DeclineForm",
    "DeletionRequestForm",
    "FeedbackForm",
    "InternalNoteForm",
    "IsraeliPhoneNumberField",
    "LostLinkForm",
    "MeetingForm",
    "MeetingRescheduleForm",
    "MessageForm",
    "StatusMessageForm",
    "WaitForm",
    "WithdrawForm",
]
