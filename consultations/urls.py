"""Public pages: the request form, its confirmation, and the status page."""

from django.urls import path

from .views import public

app_name = "consultations"

urlpatterns = [
    path("request/", public.request_new, name="request_new"),
]
