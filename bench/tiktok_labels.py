"""TikTok Shipping label figures (acceptance 2 of the FBT / TikTok Shipping issue).

    .venv/bin/python bench/tiktok_labels.py                 # 50 packages
    .venv/bin/python bench/tiktok_labels.py --count 200 --expired 20

A scratch SQLite database (migrated in a temporary folder) and the loopback emulator in this
process; nothing else is needed. It makes --count TikTok orders shipping with TikTok's label,
imports and packs them, asks TikTok for the document URL of --expired of them, lets 25 hours
pass on the emulator's clock (those URLs expire), then runs the print batch job (the real
path: fulfilment.jobs.print_batch_job -> tiktok_shipping.ensure_label per package -> one merged
4x6 PDF) and prints: seconds in all and per package, HTTP calls to TikTok, the PDF's pages, the
document URLs asked for again, and the job's progress steps.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH = tempfile.mkdtemp(prefix="sellerhub-bench-tiktok-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + os.urandom(8).hex())
os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH}/bench.sqlite3"
os.environ.setdefault("MEDIA_ROOT", f"{SCRATCH}/media")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=50, help="packages with TikTok's label")
    parser.add_argument("--expired", type=int, default=5, help="of them, with a document URL that has expired")
    args = parser.parse_args()

    import io
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from pypdf import PdfReader

    from devtools.emulators import start_emulator
    from fulfilment import jobs
    from fulfilment.models import PrintBatch
    from fulfilment.tiktok import shipping as tiktok_shipping
    from fulfilment.tiktok.models import PlatformPackage
    from sellerhub.models import JobRun
    from tests.fulfilment.tiktok_support import connect, platform_orders, ship_from_address

    emu = start_emulator()
    try:
        ship_from_address()
        account = connect(emu)
        started = time.perf_counter()
        packages = platform_orders(emu, account, args.count)
        made = time.perf_counter() - started
        for package in packages[:args.expired]:
            tiktok_shipping.prepare_package(package=package)
        emu.state.clock.advance(25 * 3600)
        calls_before = len(emu.state.requests("tiktok"))

        steps = []
        real = jobs.progress

        def spy(run_id, percent, message=""):
            steps.append(percent)
            real(run_id, percent, message)

        jobs.progress = spy
        batch = PrintBatch.objects.create(fmt="pdf", label_policy="existing")
        batch.requested_packages.set([p.pk for p in packages])
        run = JobRun.objects.create(kind="fulfilment.print_batch", queue="documents")
        PrintBatch.objects.filter(pk=batch.pk).update(run=run)
        started = time.perf_counter()
        result = jobs.print_batch_job(run.pk, batch.pk)
        seconds = time.perf_counter() - started
        batch.refresh_from_db()
        pages = len(PdfReader(io.BytesIO(batch.file.read())).pages)
        calls = len(emu.state.requests("tiktok")) - calls_before
        refetched = PlatformPackage.objects.filter(doc_urls_fetched__gt=1).count()
    finally:
        emu.stop()
        shutil.rmtree(SCRATCH, ignore_errors=True)
    print(f"orders made, imported and packed: {args.count} in {made:.2f} s")
    print(f"print batch job: {seconds:.2f} s for {args.count} TikTok labels "
          f"({seconds / max(args.count, 1) * 1000:.0f} ms each), status {batch.status}: {result['message']}")
    print(f"  TikTok calls: {calls} (create, read back, document URL, download per package; "
          f"+1 per expired URL)")
    print(f"  merged PDF: {pages} pages; expired document URLs asked for again: {refetched} of {args.expired}")
    print(f"  progress steps: {len(set(steps))} ({', '.join(str(s) for s in sorted(set(steps))[:12])}...)")


if __name__ == "__main__":
    main()
