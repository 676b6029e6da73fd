"""What several admin pages share: rows about crisis requests only for those
who may see them, and pages nobody may edit."""

from django.contrib import admin

from consultations.permissions import exclude_hidden_crisis


class CrisisScopedAdmin:
    """A ModelAdmin mixin: rows about crisis requests the user may not see
    are left out (consultations/permissions.py). `crisis_via` is the path
    from a row to its request (rows about no request stay)."""

    crisis_via = "consultation__"

    def get_queryset(self, request):
        return exclude_hidden_crisis(
            super().get_queryset(request), user=request.user, via=self.crisis_via
        )


class ViewOnlyAdmin:
    """A ModelAdmin mixin: the rows are records; nobody adds, changes or
    deletes one here, superusers included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown on another object's page, never edited there."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields
