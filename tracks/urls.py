from django.urls import path

from . import views

app_name = "tracks"

urlpatterns = [
    path("", views.home, name="home"),
    path("tracks/<slug:slug>/", views.track_detail, name="track_detail"),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("privacy/", views.privacy_policy, name="privacy"),
]
