"""The admin's read-only mixin: records ops may read but not add, change or delete there (history
as it happened, rows the app's own services write)."""


class ReadOnlyAdminMixin:
    """Put before ``admin.ModelAdmin`` (or an inline): no add, change or delete in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
