"""Reads about received email."""

from django.conf import settings

from consultations.inbound import parse_message
from consultations.models import InboundMail


def inbound_mail_file_names(*, inbound: InboundMail) -> list[str]:
    """The names of the files an email came with (from the original
    message, as the sender named them, cleaned), for staff to judge it."""
    if not inbound.raw:
        return []
    try:
        with inbound.raw.open("rb") as handle:
            raw = handle.read(settings.INBOUND_MAX_BYTES)
    except OSError:
        return []
    return [item.filename for item in parse_message(raw).attachments]
