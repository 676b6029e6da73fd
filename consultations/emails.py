"""Renders an outbox row into an email message, in the recipient's language.

Each kind has three templates in templates/consultations/email/:
`<kind>_subject.txt` (one line), `<kind>.txt` and `<kind>.html`.
"""

from contextlib import nullcontext
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from consultations.models import OutboundEmail

RTL_LANGUAGES = {"he", "ar"}


def portal_url(viewname: str, *, language: str | None = None, **kwargs) -> str:
    """The absolute link to a portal page, for an email: PORTAL_BASE_URL and
    the page's path in `language` (the active language when None)."""
    with translation.override(language) if language else nullcontext():
        path = reverse(viewname, kwargs=kwargs or None)
    return f"{settings.PORTAL_BASE_URL}{path}"


def message_id_domain() -> str:
    """EMAIL_MESSAGE_ID_DOMAIN, or else PORTAL_BASE_URL's host name (never
    the machine's own name, which is "localhost" in a container)."""
    return (
        settings.EMAIL_MESSAGE_ID_DOMAIN
        or urlsplit(settings.PORTAL_BASE_URL).hostname
        or "localhost"
    )


def thread_headers(email: OutboundEmail) -> dict[str, str]:
    """Message-ID of the portal's domain, stable per outbox row (a row sent
    again is the same message), and, for an email about a request,
    In-Reply-To and References naming the request's own root id, so that
    mail clients show a request's emails as one conversation."""
    domain = message_id_domain()
    headers = {
        "Message-ID": f"<outbox-{email.pk}.{email.created_at:%Y%m%d%H%M%S}@{domain}>"
    }
    if email.consultation_id:
        root = request_thread_id(consultation_id=email.consultation_id)
        headers["In-Reply-To"] = root
        headers["References"] = root
    return headers


def request_thread_id(*, consultation_id: int) -> str:
    return f"<request-{consultation_id}@{message_id_domain()}>"


def build_message(email: OutboundEmail) -> EmailMultiAlternatives:
    context = {
        **email.context,
        "language": email.language,
        "direction": "rtl" if email.language in RTL_LANGUAGES else "ltr",
        "portal_base_url": settings.PORTAL_BASE_URL,
    }
    template_base = f"consultations/email/{email.kind}"
    with translation.override(email.language):
        subject = render_to_string(f"{template_base}_subject.txt", context)
        text_body = render_to_string(f"{template_base}.txt", context)
        html_body = render_to_string(f"{template_base}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_address],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers={"X-Shatil-Outbox-Id": str(email.pk), **thread_headers(email)},
    )
    message.attach_alternative(html_body, "text/html")
    if email.context.get("ics"):
        message.attach(
            "invitation.ics",
            email.context["ics"],
            f"text/calendar; method={email.context.get('ics_method', 'REQUEST')}",
        )
    return message
