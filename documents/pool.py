"""Rendering SellerHub's own labels and packing slips on every core: a batch's documents are cut
into chunks (``LABEL_RENDER_CHUNK`` each, 50 by default), the chunks are rendered side by side by
a small process pool (``LABEL_RENDER_PROCESSES``, by default one per core, at most 4) and the
caller stitches the pages together with pypdf, in the batch's order.

    chunks = render_chunked([("labels", labels, "4x6"), ("slips", slips, "4x6")])
    chunks[0]  # [(pdf bytes, [page range of each label of the chunk]), ...] in the labels' order

WeasyPrint is the limit (one core renders about 30 labels a second) and its memory grows with
the document: a chunk of 50 keeps each process small whatever the batch's size.

One process is used (no pool at all) where a pool would not help or cannot start: the setting
at 1 (or 0), a one-core machine, a batch of a single chunk, or a pool that fails to start (a
sandbox without fork, a daemon process that may not have children). The pages are the same
either way; only the time differs. ``LABEL_RENDER_PROCESSES`` unset (or negative) means one per
core, at most 4; ``0`` or ``1`` turns the pool off.

On Linux the pool forks the current process when it runs a single thread (an RQ work horse, a
management command): the children start at once with Django, the templates and WeasyPrint
already loaded, and only render (they never touch the database). Elsewhere, and in a process
running threads (a threaded web server), the children are spawned and set Django up first.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from django.conf import settings

from documents.builders import render_labels_pages, render_packing_slips_pages

logger = logging.getLogger(__name__)

DEFAULT_CHUNK = 50
MAX_DEFAULT_PROCESSES = 4

__all__ = ["pool_size", "render_chunked"]


def _setting(name, default):
    value = getattr(settings, name, None)
    try:
        return int(value) if value is not None and value != "" else default
    except (TypeError, ValueError):
        return default


def pool_size() -> int:
    """How many processes render a batch: the setting, else one per core (at most 4)."""
    configured = _setting("LABEL_RENDER_PROCESSES", -1)
    if configured >= 0:  # 0 and 1: one process, no pool
        return max(1, configured)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_DEFAULT_PROCESSES))


def chunk_size() -> int:
    return max(1, _setting("LABEL_RENDER_CHUNK", DEFAULT_CHUNK))


def _render(kind: str, values: Sequence, page_size: str) -> tuple[bytes, list[range]]:
    if kind == "labels":
        return render_labels_pages(values)
    return render_packing_slips_pages(values, page_size=page_size)


def _render_in_child(kind, values, page_size):
    """A pool task: one chunk, plus this process's id and peak memory so far (bytes)."""
    pdf, ranges = _render(kind, values, page_size)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return pdf, ranges, (os.getpid(), _peak_rss(), usage.ru_utime + usage.ru_stime)


def _peak_rss() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _spawned_setup(settings_module):  # pragma: no cover - runs in a spawned child
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django  # noqa: PLC0415 -- a spawned child starts without Django

    django.setup()


def _executor(workers: int) -> ProcessPoolExecutor:
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        import documents.fetcher  # noqa: F401, PLC0415 -- WeasyPrint loads once, before the fork, not in each child
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    module = os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings")
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_spawned_setup, initargs=(module,))


# The peak memory (bytes) and CPU seconds of each pool process in the last pooled rendering of
# this process, largest first; the label bench prints them.
last_peaks: list[int] = []
last_cpu: list[float] = []


def render_chunked(jobs: Sequence[tuple[str, Sequence, str]], *, processes: int | None = None,
                   chunk: int | None = None, progress=None) -> list[list[tuple[bytes, list[range]]]]:
    """Render each job (``kind`` "labels" or "slips", its dataclasses, the page size) in chunks.

    Returns, per job, its chunks in order: ``(pdf, ranges)`` with the page range of each
    document of the chunk. ``progress(done, total)`` is called as chunks finish.
    """
    chunk = chunk or chunk_size()
    processes = processes or pool_size()
    tasks = [(j, kind, list(values[start:start + chunk]), page_size)
             for j, (kind, values, page_size) in enumerate(jobs) for start in range(0, len(values), chunk)]
    results: list[list] = [[] for _ in jobs]
    last_peaks.clear()
    last_cpu.clear()
    if processes > 1 and len(tasks) > 1:
        pooled = _pooled(tasks, min(processes, len(tasks)), progress)
        if pooled is not None:
            for (j, *_rest), result in zip(tasks, pooled, strict=True):
                results[j].append(result)
            return results
    for done, (j, kind, values, page_size) in enumerate(tasks, start=1):
        results[j].append(_render(kind, values, page_size))
        if progress:
            progress(done, len(tasks))
    return results


def _pooled(tasks, workers, progress):
    """The chunks rendered by a pool, in the tasks' order; None when no pool could start."""
    try:
        executor = _executor(workers)
    except (OSError, ValueError, NotImplementedError, AssertionError) as exc:  # daemonic or sandboxed
        logger.warning("Rendering in one process: no process pool (%s)", exc)
        return None
    with executor:
        try:
            futures = [executor.submit(_render_in_child, kind, values, page_size)
                       for _j, kind, values, page_size in tasks]
        except (OSError, BrokenProcessPool, RuntimeError) as exc:
            logger.warning("Rendering in one process: the process pool did not start (%s)", exc)
            return None
        out = []
        peaks: dict[int, tuple[int, float]] = {}
        try:
            for done, future in enumerate(futures, start=1):
                pdf, ranges, (pid, peak, cpu) = future.result()
                out.append((pdf, ranges))
                peaks[pid] = max(peaks.get(pid, (0, 0.0)), (peak, cpu))
                if progress:
                    progress(done, len(futures))
        except BrokenProcessPool as exc:
            logger.warning("Rendering in one process: a pool process died (%s)", exc)
            return None
    last_peaks.extend(sorted((peak for peak, _cpu in peaks.values()), reverse=True))
    last_cpu.extend(sorted((cpu for _peak, cpu in peaks.values()), reverse=True))
    return out
