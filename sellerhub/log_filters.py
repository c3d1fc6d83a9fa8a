"""Logging filters that keep the logs to what someone should read (used by ``LOGGING`` in
``config/settings.py``).

- ``ExpectedRefusals`` (on ``django.request``): a 403 (a role refused) or a 404 is an answer the
  application meant to give, not a fault: it is logged as one line, without the traceback
  Django attaches to a ``PermissionDenied`` or ``Http404``.
- ``NotTwice`` (on ``django.server``, the development server's access log): a 403 or 404 that
  ``django.request`` has already logged is not logged a second time.
"""

import logging

EXPECTED = (403, 404)


class ExpectedRefusals(logging.Filter):
    def filter(self, record):
        if getattr(record, "status_code", None) in EXPECTED:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


class NotTwice(logging.Filter):
    def filter(self, record):
        return getattr(record, "status_code", None) not in EXPECTED
