"""The print job on the ``documents`` queue: takes the PrintJob's id, sends it, records the result."""

from __future__ import annotations

from fulfilment.printers import services
from sellerhub.jobs import tracked


@tracked
def print_job(run_id: int, job_id: int) -> dict:
    job = services.run_print_job(job_id=job_id)
    return {"status": job.status, "message": job.detail}
