"""django-rq's job dashboard (``/ops/jobs/``) made to answer 404, not 500, for an unknown queue
index or job id: its views index the queue list and fetch jobs without checking that they exist."""

import functools

from django.http import Http404
from rq.exceptions import NoSuchJobError


def not_found_on_unknown_ids(view):
    """Wrap a django-rq view: an unknown queue (IndexError) or job (NoSuchJobError) is a 404."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (IndexError, NoSuchJobError) as exc:
            raise Http404("No such queue or job.") from exc

    return wrapped
