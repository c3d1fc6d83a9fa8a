"""Background jobs of the metrics app."""

from metrics.services import take_snapshots
from sellerhub.jobs import progress, tracked


def take_snapshots_now():
    """Scheduled hourly by metrics/cron.py: store the figures of every day that has ended."""
    return take_snapshots()


@tracked
def take_snapshots_job(run_id):
    """The same, started from the metrics page, with progress."""
    progress(run_id, 1, "Computing daily figures")
    return take_snapshots(progress=lambda pct, message: progress(run_id, pct, message))
