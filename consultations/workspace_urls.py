"""The advisors' workspace (login required)."""

from django.urls import path

from .views import attachments, checklist, dashboard, engagement, players, workspace

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
    path(
        "requests/<int:pk>/meetings/<int:meeting_pk>/calendar.ics",
        workspace.meeting_calendar,
        name="meeting_calendar",
    ),
    path("requests/<int:pk>/status/", workspace.status_change, name="status_change"),
    path("requests/<int:pk>/decline/", workspace.decline, name="decline"),
    path("requests/<int:pk>/wait/", workspace.wait, name="wait"),
    path("requests/<int:pk>/complete/", workspace.complete, name="complete"),
    # The work plan (issue 18)
    path("requests/<int:pk>/plan/", engagement.plan_page, name="plan"),
    path("requests/<int:pk>/plan/start/", engagement.plan_start, name="plan_start"),
    path("requests/<int:pk>/plan/goal/", engagement.plan_goal, name="plan_goal"),
    path(
        "requests/<int:pk>/plan/steps/",
        engagement.plan_step_add,
        name="plan_step_add",
    ),
    path(
        "requests/<int:pk>/plan/steps/<int:step_pk>/",
        engagement.plan_step_edit,
        name="plan_step_edit",
    ),
    path(
        "requests/<int:pk>/plan/steps/<int:step_pk>/status/",
        engagement.plan_step_status,
        name="plan_step_status",
    ),
    path(
        "requests/<int:pk>/plan/steps/<int:step_pk>/move/",
        engagement.plan_step_move,
        name="plan_step_move",
    ),
    path(
        "requests/<int:pk>/plan/milestones/",
        engagement.plan_milestone_add,
        name="plan_milestone_add",
    ),
    path(
        "requests/<int:pk>/plan/turning-points/",
        engagement.plan_turning_point,
        name="plan_turning_point",
    ),
    # The checklist of policy tools (issue 18)
    path("requests/<int:pk>/checklist/", checklist.checklist_page, name="checklist"),
    path(
        "requests/<int:pk>/checklist/tools/<int:tool_pk>/add-step/",
        checklist.checklist_add_step,
        name="checklist_add_step",
    ),
    path(
        "requests/<int:pk>/plan/milestones/<int:milestone_pk>/",
        players.milestone_edit,
        name="milestone_edit",
    ),
    path(
        "requests/<int:pk>/plan/milestones/<int:milestone_pk>/delete/",
        players.milestone_delete,
        name="milestone_delete",
    ),
    path("requests/<int:pk>/plan/print/", players.plan_print, name="plan_print"),
    # The map of the players (issue 18)
    path("requests/<int:pk>/plan/players/", players.players_page, name="players"),
    path(
        "requests/<int:pk>/plan/players/add/",
        players.player_add,
        name="player_add",
    ),
    path(
        "requests/<int:pk>/plan/players/<int:player_pk>/",
        players.player_edit,
        name="player_edit",
    ),
    path(
        "requests/<int:pk>/plan/players/<int:player_pk>/remove/",
        players.player_remove,
        name="player_remove",
    ),
    # Staff insight
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/<slug:slug>.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path(
        "organizations/<int:pk>/",
        dashboard.organization_detail,
        name="organization_detail",
    ),
]
