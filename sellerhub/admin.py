"""Ops admin of the kernel: the webhook inbox (read-only, with "Process again", ``inbox.replay``)
and the job runs (read-only, filtered by job, state and date)."""

from django.contrib import admin, messages

from sellerhub import inbox
from sellerhub.job_names import job_name
from sellerhub.models import JobRun, WebhookEvent


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("received_at", "source", "account", "topic", "key", "status", "attempts", "processed_at",
                    "message")
    list_filter = ("status", "source", "account")
    list_select_related = ("account",)
    search_fields = ("key", "topic", "message")
    date_hierarchy = "received_at"
    actions = ["process_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Process again")
    def process_again(self, request, queryset):
        counts = inbox.replay(event_ids=queryset.values_list("pk", flat=True))
        text = ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "nothing to do"
        messages.success(request, f"Processed again: {text}.")


class JobKindFilter(admin.SimpleListFilter):
    """Filter by job, named in the user's words."""

    title = "job"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = JobRun.objects.order_by().values_list("kind", flat=True).distinct()
        return sorted(((kind, job_name(kind)) for kind in kinds), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """Job runs, read-only: what ran, for whom, how it ended (the job page shows one to its users)."""

    list_display = ("created_at", "job_name", "status", "progress", "message", "created_by", "queue", "finished_at")
    list_filter = ("status", JobKindFilter, "queue", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("created_by",)
    search_fields = ("kind", "message", "error", "rq_job_id")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in JobRun._meta.fields]

    @admin.display(description="job", ordering="kind")
    def job_name(self, obj):
        return obj.name

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
