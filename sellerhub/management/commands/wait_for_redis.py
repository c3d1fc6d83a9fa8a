import time

import django_rq
from django.core.management.base import BaseCommand, CommandError
from redis.exceptions import ConnectionError as RedisConnectionError


class Command(BaseCommand):
    help = "Wait until Redis answers (used by `make run` before starting the worker and scheduler)."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30.0)

    def handle(self, *args, **options):
        deadline = time.monotonic() + options["timeout"]
        while True:
            try:
                django_rq.get_connection("default").ping()
                return
            except (RedisConnectionError, FileNotFoundError, OSError):
                if time.monotonic() > deadline:
                    raise CommandError("Redis did not answer in time; is REDIS_URL right?")
                time.sleep(0.2)
