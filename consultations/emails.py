"""Renders an outbox row into an email message, in the recipient's language.

Each kind has three templates in templates/consultations/email/:
`<kind>_subject.txt` (one line), `<kind>.txt` and `<kind>.html`.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from consultations.models import OutboundEmail

RTL_LANGUAGES = {"he", "ar"}


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
        headers={"X-Shatil-Outbox-Id": str(email.pk)},
    )
    message.attach_alternative(html_body, "text/html")
    if email.context.get("ics"):
        message.attach(
            "invitation.ics",
            email.context["ics"],
            f"text/calendar; method={email.context.get('ics_method', 'REQUEST')}",
        )
    return message
