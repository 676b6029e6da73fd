"""Serving a request's files: the only way to one (the storage has no
public URL). Each view finds the request through the same check as its page
(the status link's token; the workspace's scoped selector: the assigned
advisor, staff, crisis requests only with the permission) and answers 404 for
any file of another request.

The answer is a download, never shown inline, with the type detected at
upload, `nosniff`, and no copy kept by the browser or a proxy.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from consultations.models import Attachment
from consultations.selectors.attachments import attachment_get
from consultations.selectors.staff import consultation_get_for_workspace
from consultations.views.status_link import status_link


def attachment_response(attachment: Attachment) -> FileResponse:
    try:
        stored = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # FileResponse writes filename* (RFC 5987) for a Hebrew or Arabic name.
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
@status_link
def organization_attachment(request, token: str, pk: int, *, consultation):
    """A file of the request whose status link this is."""
    attachment = attachment_get(consultation=consultation, pk=pk)
    if attachment is None:
        raise Http404
    return attachment_response(attachment)


@login_required
@require_GET
def workspace_attachment(request, pk: int, file_pk: int):
    """A file of a request the user may open in the workspace (the admin's
    links lead here too)."""
    consultation = consultation_get_for_workspace(user=request.user, pk=pk)
    if consultation is None:
        raise Http404
    attachment = attachment_get(consultation=consultation, pk=file_pk)
    if attachment is None:
        raise Http404
    return attachment_response(attachment)
