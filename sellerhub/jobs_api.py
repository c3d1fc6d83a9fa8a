from rest_framework import serializers, viewsets

from sellerhub.models import JobRun
from sellerhub.roles import perm


class JobRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobRun
        fields = ["id", "kind", "queue", "status", "progress", "message", "error", "result",
                  "created_at", "started_at", "finished_at"]


class JobRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Background job runs with their progress (read-only)."""

    serializer_class = JobRunSerializer
    read_permission = perm("view_operations")
    filterset_fields = ["kind", "status", "queue"]
    ordering_fields = ["created_at"]
    queryset = JobRun.objects.all()


def register(router):
    router.register("jobs", JobRunViewSet, basename="jobrun")
