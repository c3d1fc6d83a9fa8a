"""Response rules for every request (after authentication):

- pages and API answers for a signed-in user carry `Cache-Control: private, no-store`, so no
  shared cache or back button keeps a copy of them (static files are answered earlier, by
  WhiteNoise, and stay cacheable; the login page is for anonymous users and is left alone);
- a job that could not be enqueued (`sellerhub.jobs.JobQueueUnavailable`, Redis down) answers
  with its message: 503 JSON on the API, an error message on the page the user came from.
"""

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme

from sellerhub.jobs import JobQueueUnavailable


class PrivatePagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, JobQueueUnavailable):
            return None
        message = str(exception.detail)
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"error": message, "status": 503}, status=503)
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            back = "/"
        messages.error(request, message)
        if request.headers.get("HX-Request"):  # htmx: a full page load shows the message
            response = HttpResponse(status=200)
            response["HX-Redirect"] = back
            return response
        return redirect(back)
