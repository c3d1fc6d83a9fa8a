"""Background jobs of the inventory (RQ, recorded as JobRuns)."""

from django.db import transaction
from django.utils import timezone

from inventory import import_preview, imports, services
from inventory.models import ImportFile
from sellerhub.jobs import enqueue_job, progress, tracked


def start_import(*, kind: str, filename: str, content: str, user=None) -> ImportFile:
    """Record an uploaded CSV and queue the job that validates and applies it."""
    upload = ImportFile.objects.create(kind=kind, filename=filename[:200], content=content,
                                       created_by=user if user and user.is_authenticated else None)
    run = enqueue_job(kind=f"inventory.import_{kind}", func=import_file_job, args=[upload.pk], user=user,
                      message=f"Waiting for a worker to import {upload.filename}")
    ImportFile.objects.filter(pk=upload.pk).update(run=run)
    upload.run = run
    return upload


class ImportNotAwaitingConfirmation(ValueError):
    """The import was confirmed already, or has no preview to confirm."""


def confirm_import(*, import_id: int, user=None) -> ImportFile:
    """The second step of an import that changes existing SKUs or stock: apply it now, as its
    preview showed (a new job, which checks every row again)."""
    with transaction.atomic():
        if not ImportFile.objects.filter(pk=import_id, status=ImportFile.Status.PREVIEW).update(
                status=ImportFile.Status.PENDING):
            raise ImportNotAwaitingConfirmation("This import is not waiting for a confirmation (confirmed already?).")
        upload = ImportFile.objects.defer("content").get(pk=import_id)
        run = enqueue_job(kind=f"inventory.import_{upload.kind}", func=import_file_job, args=[upload.pk, True],
                          user=user, message=f"Waiting for a worker to import {upload.filename}")
        ImportFile.objects.filter(pk=upload.pk).update(run=run)
    upload.run = run
    return upload


def _preview_message(preview, total):
    parts = []
    if preview["changed_skus"]:
        parts.append(f"{preview['changed_skus']:,} existing SKU{'s' if preview['changed_skus'] != 1 else ''} change")
    if preview["stock_changes_total"]:
        n = preview["stock_changes_total"]
        parts.append(f"{n:,} stock figure{'s' if n != 1 else ''} change")
    return f"Checked {total:,} rows: {' and '.join(parts)}. Nothing is imported until you confirm the preview."


@tracked
def import_file_job(run_id, import_id, confirmed=False):
    """Validate every row; apply all of them in one transaction, or none when any row is bad.
    A file that would change existing SKUs or stock stops at a preview (``inventory.import_preview``)
    until it is confirmed (``confirm_import``, which runs this job again with ``confirmed``).
    Running it again for an applied file does nothing."""
    upload = ImportFile.objects.get(pk=import_id)
    if upload.status == ImportFile.Status.APPLIED:
        return {"message": f"{upload.filename} was already imported", **upload.summary}
    ImportFile.objects.filter(pk=upload.pk).update(status=ImportFile.Status.VALIDATING, errors=[])
    progress(run_id, 1, f"Reading {upload.filename}")

    def validated(done, total):
        progress(run_id, done * 80 // max(total, 1), f"Checked {done:,} of {total:,} rows")

    validate = imports.validate_skus if upload.kind == ImportFile.Kind.SKUS else imports.validate_counts
    try:
        rows, errors, total = validate(upload.content, progress=validated)
        if not errors and not rows:
            errors = [{"row": 1, "sku": "", "error": "the file has no rows to import"}]
        if errors:
            return _reject(upload, errors, total)
        if not confirmed:
            preview = (import_preview.sku_import(rows) if upload.kind == ImportFile.Kind.SKUS
                       else import_preview.count_import(rows))
            if preview["needs_confirmation"]:
                ImportFile.objects.filter(pk=upload.pk).update(status=ImportFile.Status.PREVIEW, row_count=total,
                                                               summary={"preview": preview})
                return {"message": _preview_message(preview, total), "rows": total, "waiting_for_confirmation": 1}
        progress(run_id, 85, f"All {total:,} rows are valid; importing them")
        note = f"Import {upload.filename}"
        try:
            if upload.kind == ImportFile.Kind.SKUS:
                summary = services.import_skus(rows=rows, user=upload.created_by, note=note)
                message = (f"Imported {total:,} rows: {summary['created']:,} new SKUs, {summary['updated']:,} updated, "
                           f"{summary['counted']:,} stock counts")
            else:
                movements = services.apply_counts(counts=rows, user=upload.created_by, note=note,
                                                  reference=f"import:{upload.pk}")
                summary = {"counted": len(movements), "changed": sum(1 for m in movements if m.on_hand_change)}
                message = f"Imported {total:,} stock counts ({summary['changed']:,} changed on hand)"
        except services.StockError as exc:  # stock moved between validation and applying
            return _reject(upload, [{"row": 0, "sku": "", "error": str(exc)}], total)
    except Exception:
        ImportFile.objects.filter(pk=upload.pk).update(status=ImportFile.Status.FAILED)
        raise
    ImportFile.objects.filter(pk=upload.pk).update(status=ImportFile.Status.APPLIED, row_count=total,
                                                   summary=summary, applied_at=timezone.now())
    return {"message": message, "rows": total, **summary}


def _reject(upload, errors, total):
    ImportFile.objects.filter(pk=upload.pk).update(status=ImportFile.Status.REJECTED, errors=errors, row_count=total)
    bad = len(errors)
    return {"message": f"{bad:,} bad row{'s' if bad != 1 else ''}: nothing was imported", "bad_rows": bad,
            "rows": total}
