"""The organization's feedback page, reached by the private link in the
feedback email. One answer per request; a second one is politely refused."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from consultations.forms import FeedbackForm
from consultations.selectors.followups import feedback_get_by_token
from consultations.services.feedback import FeedbackAlreadyGiven, feedback_submit
from consultations.throttling import client_rate_limit


@never_cache
@require_http_methods(["GET", "POST"])
@client_rate_limit(group="feedback", rate_setting="RATELIMIT_LOOKUP")
def feedback_form(request, token):
    feedback = feedback_get_by_token(token=token)
    if feedback is None:
        raise Http404
    consultation = feedback.consultation
    if feedback.is_answered:
        if request.method == "POST":
            messages.info(
                request,
                _("We already received your feedback on this request. Thank you!"),
            )
        return render(
            request,
            "consultations/feedback_done.html",
            {"consultation": consultation},
        )
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_submit(feedback=feedback, **form.service_arguments())
        except FeedbackAlreadyGiven as error:
            messages.info(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you! Your feedback was received."))
        return redirect("consultations:feedback", token=token)
    return render(
        request,
        "consultations/feedback_form.html",
        {"consultation": consultation, "form": form},
    )
