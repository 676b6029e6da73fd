"""The password reset form: Django's, with the email sent through the
outbox."""

import uuid

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.utils import translation

from consultations.emails import portal_url
from consultations.models import Language, OutboundEmail
from consultations.services.outbox import outbox_enqueue


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the email queued in the outbox like every
    other email (DECISIONS.md, "Email"). The raw link lives in a `secret_`
    context key, erased once the email is sent and never shown in the admin.
    """

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language not in Language.values:
            language = Language.HEBREW
        reset_url = portal_url(
            "accounts:password_reset_confirm",
            language=language,
            uidb64=context["uid"],
            token=context["token"],
        )
        with transaction.atomic():
            outbox_enqueue(
                kind=OutboundEmail.Kind.PASSWORD_RESET,
                to_address=to_email,
                # Unique per request for a link, without the token in it.
                dedup_key=f"password_reset:{user.pk}:{uuid.uuid4().hex}",
                language=language,
                context={
                    "first_name": user.first_name,
                    "username": user.get_username(),
                    "secret_reset_url": reset_url,
                },
            )
