"""The advisors' workspace (login required)."""

from django.urls import path

from .views import attachments, dashboard, workspace

app_name = "workspace"

urlpatterns = [
    path("", workspace.my_requests, name="my_requests"),
    path("requests/<int:pk>/", workspace.request_detail, name="request_detail"),
    path("requests/<int:pk>/notes/", workspace.note_add, name="note_add"),
    path("requests/<int:pk>/messages/", workspace.message_send, name="message_send"),
    path(
        "requests/<int:pk>/files/<int:file_pk>/",
        attachments.workspace_attachment,
        name="attachment",
    ),
    path("requests/<int:pk>/meetings/", workspace.meeting_add, name="meeting_add"),
    path(
        "requests/<int:pk>/meetings/<int:meeting_pk>/reschedule/",
        workspace.meeting_reschedule_view,
        name="meeting_reschedule",
    ),
    path(
        "requests/<int:pk>/meetings/<int:meeting_pk>/cancel/",
        workspace.meeting_cancel_view,
        name="meeting_cancel",
    ),
    path("requests/<int:pk>/status/", workspace.status_change, name="status_change"),
    path("requests/<int:pk>/decline/", workspace.decline, name="decline"),
    # Staff insight
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/<slug:slug>.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path(
        "organizations/<int:pk>/",
        dashboard.organization_detail,
        name="organization_detail",
    ),
]
