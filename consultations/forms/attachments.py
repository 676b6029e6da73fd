"""The file field of the forms that take attachments (the request form, the
status page's and the workspace's message forms). Its checks are the upload
service's own (services/attachments.py), so a refusal shows on the form with
everything else typed kept."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from consultations.services.attachments import attachments_check

# What the browser's file chooser offers first; the content decides.
ACCEPT = ".pdf,.docx,.xlsx,.pptx,.odt,.ods,.png,.jpg,.jpeg,.txt"
FILES_NOT_KEPT = _(
    "The files you chose were not kept: a browser cannot keep them when the "
    "form is shown again. Choose them again before sending."
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to ATTACHMENT_MAX_FILES files, each checked by the upload service;
    cleans to the list of uploaded files."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Files (optional)"))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ACCEPT)

    def clean(self, data, initial=None):
        files = [item for item in (data or []) if item]
        if not files:
            return []
        attachments_check(files)
        return files


def attachments_help_text() -> str:
    return _(
        "Up to %(count)s files, %(size)s each: PDF, Word, Excel, PowerPoint, "
        "OpenDocument, PNG, JPEG or plain text."
    ) % {
        "count": settings.ATTACHMENT_MAX_FILES,
        "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
    }


def note_files_not_kept(form: forms.Form, field_name: str = "attachments") -> None:
    """Called on a form shown again with errors: say that chosen files must be
    chosen again (a browser never refills a file input)."""
    if not form.is_bound:
        return
    if not form.files.getlist(form.add_prefix(field_name)):
        return
    if field_name in form.errors and FILES_NOT_KEPT in form.errors[field_name]:
        return
    form.add_error(field_name, str(FILES_NOT_KEPT))
