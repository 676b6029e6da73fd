"""The advisors' workspace (login required)."""

app_name = "workspace"

urlpatterns: list = []
