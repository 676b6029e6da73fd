"""Public pages: the request form, its confirmation, and the status page."""

from django.urls import path

from .views import (
    attachments,
    checklist,
    engagement,
    feedback,
    own_data,
    players,
    public,
)

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
        "request/status/<str:token>/contact/",
        own_data.request_correct,
        name="request_correct",
    ),
    path(
        "request/status/<str:token>/download/",
        own_data.request_download,
        name="request_download",
    ),
    path(
        "request/status/<str:token>/delete/",
        own_data.request_delete,
        name="request_delete",
    ),
    path(
        "request/member/<str:token>/",
        own_data.coalition_member_not_us,
        name="coalition_member_remove",
    ),
    path(
        "request/status/<str:token>/files/<int:pk>/",
        attachments.organization_attachment,
        name="attachment",
    ),
    path(
        "request/status/<str:token>/plan/",
        engagement.status_plan,
        name="status_plan",
    ),
    path(
        "request/status/<str:token>/plan/steps/<int:step_pk>/done/",
        engagement.status_plan_done,
        name="status_plan_done",
    ),
    path(
        "request/status/<str:token>/plan/steps/<int:step_pk>/note/",
        engagement.status_plan_note,
        name="status_plan_note",
    ),
    path(
        "request/status/<str:token>/plan/turning-points/",
        engagement.status_plan_turning_point,
        name="status_plan_turning_point",
    ),
    path(
        "request/status/<str:token>/checklist/",
        checklist.status_checklist,
        name="status_checklist",
    ),
    path(
        "request/status/<str:token>/plan/print/",
        players.status_plan_print,
        name="status_plan_print",
    ),
    path(
        "request/status/<str:token>/plan/players/",
        players.status_players,
        name="status_players",
    ),
    path(
        "request/status/<str:token>/plan/players/add/",
        players.status_player_add,
        name="status_player_add",
    ),
    path(
        "request/status/<str:token>/plan/players/<int:player_pk>/",
        players.status_player_edit,
        name="status_player_edit",
    ),
    path(
        "request/status/<str:token>/plan/players/<int:player_pk>/remove/",
        players.status_player_remove,
        name="status_player_remove",
    ),
    path("request/lost-link/", public.lost_link, name="lost_link"),
    path("feedback/<str:token>/", feedback.feedback_form, name="feedback"),
]
