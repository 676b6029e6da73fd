"""Public pages: the request form, its confirmation, and the status page."""

from django.urls import path

from .views import attachments, feedback, public

app_name = "consultations"

urlpatterns = [
    path("request/", public.request_new, name="request_new"),
    path("request/received/", public.request_received, name="request_received"),
    path("request/status/<str:token>/", public.request_status, name="request_status"),
    path(
        "request/status/<str:token>/withdraw/",
        public.request_withdraw,
        name="request_withdraw",
    ),
    path(
        "request/status/<str:token>/files/<int:pk>/",
        attachments.organization_attachment,
        name="attachment",
    ),
    path("request/lost-link/", public.lost_link, name="lost_link"),
    path("feedback/<str:token>/", feedback.feedback_form, name="feedback"),
]
