from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("request/", views.request_new, name="request_new"),
]
