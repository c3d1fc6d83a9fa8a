"""Project configuration: settings, URL routes, WSGI/ASGI entry points and the cron schedule."""
