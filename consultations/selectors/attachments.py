"""Reads of a request's files: the lists the status page and the workspace
show (one query each), and one file of one request for the serving views."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from consultations.models import Attachment, Consultation


@dataclass(frozen=True)
class AttachmentLink:
    """One file as a page lists it: the row, where to download it, and who
    sent it in the words of the page's reader."""

    attachment: Attachment
    url: str
    sender: str


def attachment_list(*, consultation: Consultation) -> list[Attachment]:
    return list(
        Attachment.objects.filter(consultation=consultation).select_related(
            "sender_user"
        )
    )


def attachment_get(*, consultation: Consultation, pk: int) -> Attachment | None:
    """The file `pk` if it belongs to `consultation`, else None."""
    return Attachment.objects.filter(consultation=consultation, pk=pk).first()


def _team_member(attachment: Attachment) -> str:
    user = attachment.sender_user
    if user is not None and user.first_name:
        return _("%(name)s from the team") % {"name": user.first_name}
    return _("The team")


def attachment_links_for_organization(
    *, consultation: Consultation, token: str
) -> list[AttachmentLink]:
    """The status page's list: links through the status link's token."""
    return [
        AttachmentLink(
            attachment=attachment,
            url=reverse(
                "consultations:attachment",
                kwargs={"token": token, "pk": attachment.pk},
            ),
            sender=_("You")
            if attachment.sender
            in {Attachment.Sender.ORGANIZATION, Attachment.Sender.INBOUND_MAIL}
            else _team_member(attachment),
        )
        for attachment in attachment_list(consultation=consultation)
    ]


def attachment_workspace_url(*, attachment: Attachment) -> str:
    return reverse(
        "workspace:attachment",
        kwargs={"pk": attachment.consultation_id, "file_pk": attachment.pk},
    )


def _sender_for_staff(attachment: Attachment) -> str:
    label = attachment.get_sender_display()
    user = attachment.sender_user
    if user is not None:
        return f"{label} ({user.get_full_name() or user.get_username()})"
    return str(label)


def attachment_links_for_workspace(
    *, consultation: Consultation
) -> list[AttachmentLink]:
    """The workspace's (and the admin's) list: links through the workspace,
    which checks the user's access to the request."""
    return [
        AttachmentLink(
            attachment=attachment,
            url=attachment_workspace_url(attachment=attachment),
            sender=_sender_for_staff(attachment),
        )
        for attachment in attachment_list(consultation=consultation)
    ]
