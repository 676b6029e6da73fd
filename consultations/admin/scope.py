"""What several admin pages share: rows about crisis requests only for those
who may see them, and pages nobody may edit."""

from django.contrib import admin

from consultations.services.access import CRISIS_PERMISSION


def user_sees_crisis_requests(user) -> bool:
    return user.is_superuser or user.has_perm(CRISIS_PERMISSION)


class CrisisScopedAdmin:
    """A ModelAdmin mixin: rows about crisis requests are left out for users
    without the crisis permission. `crisis_lookup` reaches the request's
    flag from a row (rows about no request stay)."""

    crisis_lookup = "consultation__is_crisis"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if user_sees_crisis_requests(request.user):
            return queryset
        return queryset.exclude(**{self.crisis_lookup: True})


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
