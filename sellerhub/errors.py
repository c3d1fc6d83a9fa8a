"""Error pages: JSON under /api/, the site's templates elsewhere."""

from django.http import JsonResponse
from django.views import defaults


def _is_api(request):
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"error": "Not found.", "status": 404}, status=404)
    return defaults.page_not_found(request, exception)


def permission_denied(request, exception=None):
    if _is_api(request):
        return JsonResponse({"error": "Your role does not allow this.", "status": 403}, status=403)
    return defaults.permission_denied(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"error": "Server error.", "status": 500}, status=500)
    return defaults.server_error(request)
