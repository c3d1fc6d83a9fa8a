"""Upgrade check: an existing database upgrades cleanly to this checkout (PostgreSQL only).

It proves the acceptance line of the restructuring: a database created and filled by
`load_demo_data` at an older commit, then migrated with this checkout's `manage.py migrate`,
keeps every row, `reconcile_stock` reports no drift, and the app serves its pages on it.

    .venv/bin/python bench/upgrade_check.py [--base 15796b2] \\
        [--database-url postgres://postgres@127.0.0.1:5432/sellerhub_upgrade] [--redis-url ...] \\
        [--target COMMIT]   # check a commit (in a second worktree) instead of the working tree

Steps:
1. drop and create the database named in --database-url (through the `postgres` maintenance db);
2. `git worktree add --detach` the base commit into /tmp, and there run `manage.py migrate` and
   `manage.py load_demo_data` (old settings `config.settings`, or `sellerhub.settings` before the
   layout change; DEBUG on, this checkout's venv);
   the worktree is removed at the end;
3. count the rows of every table of schema public ("before");
4. run this checkout's `manage.py migrate` (settings `config.settings`) on the same database;
5. count again ("after") and compare table by table. Tables listed in MERGES may be folded into
   a new table (or into one of them): the group's rows must add up the same before and after.
   Django's bookkeeping tables (BOOKKEEPING) may change; that is reported, not a failure;
6. `manage.py reconcile_stock --json` must report no drift;
7. in a subprocess with Django's test Client, log in as each demo user and GET the main pages
   (and, for ops, every admin changelist it may view); each must answer 200.
It prints a summary and exits 1 on any failure. The database is kept for inspection (the next
run drops it). The check is also run by tests/core/test_upgrade.py (SELLERHUB_UPGRADE_CHECK=1).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable))
TIMEOUT = 1800  # seconds for any one step

# Tables the new migrations may fold together: the rows of `sources` before the upgrade must add
# up to the rows, after it, of those sources still present plus the new `targets` (and any other new
# table whose name contains `target_contains`). While the sources all stay unchanged (merge not
# landed, or rows copied and the old tables kept) the per-table check covers them.
MERGES = {
    "webhook inbox": {
        "sources": ("sellerhub_webhookdelivery", "fulfilment_providerevent", "inventory_tiktoknotification"),
        "targets": ("sellerhub_webhookevent",),  # sellerhub.WebhookEvent
        "target_contains": "inbox",
    },
}
# Django's own bookkeeping: migrate adds rows (applied migrations, content types, permissions).
BOOKKEEPING = ("django_migrations", "django_content_type", "auth_permission", "auth_group_permissions")

# Rows a migration removes on purpose, with the reason; any other loss fails the check.
REVOKED = {
    "authtoken_token": "clear-text API tokens are revoked by sellerhub 0008_access (tokens are now hashed; "
                       "clients log in again, as the README says)",
}

# Demo logins (README "Roles and demo logins"; the demo loader creates them).
DEMO_PASSWORDS = {"owner": "owner-demo", "warehouse": "warehouse-demo", "ops": "ops-demo"}
# (user, path); {order}, {sku}, {pick_list}, {package}, {inbound} are filled from the seeded data.
PAGES = [
    ("owner", "/"), ("owner", "/orders/"), ("owner", "/orders/{order}/"), ("owner", "/orders/attention/"),
    ("owner", "/orders/returns/"), ("owner", "/inventory/"), ("owner", "/inventory/skus/{sku}/"),
    ("owner", "/inventory/low-stock/"), ("owner", "/inventory/fbt/"), ("owner", "/inventory/fbt/stock/"),
    ("owner", "/inventory/fbt/inbound/{inbound}/"), ("owner", "/fulfilment/"), ("owner", "/fulfilment/pick-pack/"),
    ("owner", "/fulfilment/pick-lists/{pick_list}/"), ("owner", "/fulfilment/pack/"),
    ("owner", "/fulfilment/packages/"), ("owner", "/fulfilment/packages/{package}/"),
    ("owner", "/fulfilment/batches/"), ("owner", "/fulfilment/collection/"), ("owner", "/channels/"),
    ("owner", "/channels/log/"), ("owner", "/metrics/"),
    ("warehouse", "/"), ("warehouse", "/orders/"), ("warehouse", "/orders/{order}/"), ("warehouse", "/inventory/"),
    ("warehouse", "/inventory/skus/{sku}/"), ("warehouse", "/fulfilment/"), ("warehouse", "/fulfilment/pick-pack/"),
    ("warehouse", "/fulfilment/pick-lists/{pick_list}/"), ("warehouse", "/fulfilment/pack/"),
    ("ops", "/"), ("ops", "/orders/"), ("ops", "/admin/"), ("ops", "/ops/jobs/"),
]
# Model (app_label, model name) whose first row fills each placeholder.
PLACEHOLDERS = {"order": ("orders", "Order"), "sku": ("inventory", "SKU"), "pick_list": ("fulfilment", "PickList"),
                "package": ("fulfilment", "Package"), "inbound": ("inventory", "InboundShipment")}

# Runs on the old code after load_demo_data, whose demo has no webhook rows: two rows in each
# table MERGES folds together, so that the merge check has rows to carry.
SEED_WEBHOOKS = r"""
import django
django.setup()
from django.apps import apps
account = apps.get_model("sellerhub", "ChannelAccount").objects.order_by("pk").first()
for n, status in enumerate(("processed", "failed")):
    apps.get_model("sellerhub", "WebhookDelivery").objects.create(
        account=account, notification_id=f"upgrade-{n}", topic="order.updated", status=status,
        payload={"order_id": f"U{n}"}, attempts=n + 1, error="" if n == 0 else "sample failure")
    apps.get_model("fulfilment", "ProviderEvent").objects.create(
        provider="easypost", event_id=f"evt_upgrade_{n}", description="tracker.updated", status=status,
        payload={"id": f"evt_upgrade_{n}"})
    apps.get_model("inventory", "TikTokNotification").objects.create(
        account=account, notification_id=f"upgrade-{n}", type=4, status=status, payload={"type": 4})
print("seeded webhook rows")
"""

# Runs in a subprocess on the migrated database (this checkout, settings config.settings).
PAGE_PROBE = r"""
import json, sys
import django
django.setup()
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import NoReverseMatch, reverse

spec = json.loads(sys.argv[1])
ids = {}
for key, (app_label, name) in spec["placeholders"].items():
    try:
        row = apps.get_model(app_label, name).objects.order_by("pk").first()
    except LookupError:
        row = None
    ids[key] = row.pk if row else None
pages = list(spec["pages"])
ops = get_user_model().objects.filter(username="ops").first()
for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
    meta = model._meta
    if ops and ops.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
        try:
            pages.append(["ops", reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")])
        except NoReverseMatch:
            pass
results, clients = [], {}
for user, template in pages:
    missing = [k for k in ids if "{" + k + "}" in template and ids[k] is None]
    if missing:
        results.append([user, template, None, "no seeded " + ", ".join(missing)])
        continue
    path = template.format(**ids)
    if user not in clients:
        clients[user] = Client()
        if not clients[user].login(username=user, password=spec["passwords"][user]):
            results.append([user, "(login)", None, "login failed"])
    try:
        response = clients[user].get(path)
        note = response.get("Location", "") if response.status_code in (301, 302) else ""
        results.append([user, path, response.status_code, note])
    except Exception as exc:  # the page raised: report it as a 500 with the error
        results.append([user, path, 500, f"{type(exc).__name__}: {exc}"[:200]])
print("PAGE-RESULTS " + json.dumps(results))
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="15796b2", help="commit whose code creates and fills the database")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/sellerhub_upgrade")
    parser.add_argument("--target", help="check this commit instead of the working tree (in a second worktree)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11", help="a free Redis db for queued jobs")
    return parser.parse_args()


def banner(text):
    print(f"\n=== {text}", flush=True)


def conninfo(url, dbname=None):
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("bench/upgrade_check.py needs PostgreSQL: --database-url postgres://user@host:5432/name")
    info = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 5432,
            "user": parts.username or "postgres", "dbname": dbname or parts.path.lstrip("/")}
    if parts.password:
        info["password"] = parts.password
    return info


def recreate_database(url):
    name = conninfo(url)["dbname"]
    with psycopg.connect(**conninfo(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"created database {name}")


def count_rows(url):
    with psycopg.connect(**conninfo(url)) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name")]
        return {t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]
                for t in tables}


def step_env(args, settings, code_dir, var_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(DATABASE_URL=args.database_url, REDIS_URL=args.redis_url, DEBUG="true",
               DJANGO_SETTINGS_MODULE=settings, PYTHONPATH=str(code_dir), SELLERHUB_VAR_DIR=str(var_dir),
               ALLOWED_HOSTS="testserver,127.0.0.1,localhost", SECURE_SSL_REDIRECT="false",
               EMULATOR_URL=os.environ.get("UPGRADE_EMULATOR_URL", "http://127.0.0.1:9"))  # no emulator
    return env


def run(argv, *, env, cwd, label, check=True):
    """Run one step; print its tail; return (exit status, stdout)."""
    shown = "python -c <probe>" if argv[1] == "-c" else " ".join(argv[1:])
    print(f"$ {shown}   [{label}]", flush=True)
    try:
        proc = subprocess.run([PYTHON, *argv[1:]], env=env, cwd=cwd, capture_output=True, text=True,
                              timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        print(f"  timed out after {TIMEOUT}s")
        if check:
            raise StepFailed(label) from None
        return 124, ""
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    for line in lines[-12:] if proc.returncode else lines[-3:]:
        print("  | " + line[:300])
    if proc.returncode and check:
        raise StepFailed(f"{label} exited with status {proc.returncode}")
    return proc.returncode, proc.stdout


class StepFailed(Exception):
    pass


def compare(before, after):
    """Per-table comparison; returns (rows for the table, failures, notes)."""
    rows, failures, notes = [], [], []
    grouped = set()
    for name, merge in MERGES.items():
        sources = [t for t in merge["sources"] if t in before]
        if all(t in after and after[t] == before[t] for t in sources):
            continue  # not merged (yet): the per-table check covers them
        targets = sorted({t for t in after if t in merge["sources"]}
                         | {t for t in after if t not in before
                            and (t in merge["targets"] or merge["target_contains"] in t)})
        want, got = sum(before[t] for t in sources), sum(after[t] for t in targets)
        grouped.update(sources, targets)
        line = (f"{name}: {' + '.join(f'{t} ({before[t]})' for t in sources)} = {want} rows before; "
                f"{' + '.join(f'{t} ({after[t]})' for t in targets) or 'no table'} = {got} after"
                + ("" if targets else " (no target table found: see MERGES)"))
        (notes if want == got and targets else failures).append(line)
        for t in sorted(set(sources) | set(targets)):
            rows.append((t, before.get(t), after.get(t), "merged" if want == got and targets else "MERGE MISMATCH"))
    for t in sorted(set(before) | set(after)):
        if t in grouped:
            continue
        b, a = before.get(t), after.get(t)
        if t in BOOKKEEPING:
            status = "bookkeeping" + (f" ({a - b:+d})" if a is not None and b is not None and a != b else "")
            if a != b:
                notes.append(f"{t}: {b} -> {a} rows (Django bookkeeping, allowed)")
        elif a is None:
            status = "MISSING"
            failures.append(f"{t}: table disappeared ({b} rows) and no merge in MERGES accounts for it")
        elif b is None:
            status = "new" if a == 0 else "new (filled)"
            notes.append(f"{t}: new table with {a} rows")
        elif t in REVOKED and a == 0:
            status = "revoked"
            notes.append(f"{t}: {b} -> 0 rows ({REVOKED[t]})")
        elif a != b:
            status = "CHANGED"
            failures.append(f"{t}: {b} rows before, {a} after")
        else:
            status = "ok"
        rows.append((t, b, a, status))
    rows.sort()
    return rows, failures, notes


def print_table(headers, rows):
    cells = [[("-" if c is None else str(c)) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    for r in cells:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))


def check_pages(args, new_dir, var_dir):
    spec = {"pages": PAGES, "passwords": DEMO_PASSWORDS, "placeholders": PLACEHOLDERS}
    env = step_env(args, "config.settings", new_dir, var_dir)
    code, out = run([PYTHON, "-c", PAGE_PROBE, json.dumps(spec)], env=env, cwd=new_dir, label="serve pages",
                    check=False)
    marker = [line for line in out.splitlines() if line.startswith("PAGE-RESULTS ")]
    if code or not marker:
        return [f"page probe exited with status {code} and no results"]
    results = json.loads(marker[-1].split(" ", 1)[1])
    failures = []
    for user, path, status, note in results:
        if status is None and note.startswith("no seeded"):
            continue  # the demo data has no such row: nothing to show
        if status != 200:
            failures.append(f"{user} GET {path}: {status} {note}".rstrip())
    print_table(("user", "page", "status", "note"), results)
    return failures


def add_worktree(path, commit):
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), commit],
                   check=True, capture_output=True, text=True)


def main():
    args = parse_args()
    base, target = (subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", c + "^{commit}"],
                                   capture_output=True, text=True, check=True).stdout.strip() if c else None
                    for c in (args.base, args.target))
    run_id = uuid.uuid4().hex[:8]
    worktree = Path(tempfile.gettempdir()) / f"sellerhub-upgrade-{run_id}"
    new_dir = Path(tempfile.gettempdir()) / f"sellerhub-upgrade-{run_id}-target" if target else ROOT
    print(f"upgrade check: base {base[:10]} -> {target[:10] if target else 'working tree'} ({new_dir}); "
          f"database {conninfo(args.database_url)['dbname']}")
    var_dir = Path(tempfile.mkdtemp(prefix="sellerhub-upgrade-var-"))
    failures, notes, checks = [], [], []
    try:
        banner("1. database")
        recreate_database(args.database_url)
        banner(f"2. old code ({base[:10]}): migrate and load_demo_data")
        add_worktree(worktree, base)
        old_settings = "config.settings" if (worktree / "config" / "settings.py").exists() else "sellerhub.settings"
        old_env = step_env(args, old_settings, worktree, var_dir)
        run([PYTHON, "manage.py", "migrate", "--noinput"], env=old_env, cwd=worktree, label="old migrate")
        run([PYTHON, "manage.py", "load_demo_data"], env=old_env, cwd=worktree, label="old load_demo_data")
        if run([PYTHON, "-c", SEED_WEBHOOKS], env=old_env, cwd=worktree, label="sample webhook rows", check=False)[0]:
            notes.append("could not add the sample webhook rows: the merge check runs on the demo rows only")
        banner("3. row counts before")
        before = count_rows(args.database_url)
        print(f"{len(before)} tables, {sum(before.values())} rows")
        banner("4. new code: migrate")
        if target:
            add_worktree(new_dir, target)
        new_env = step_env(args, "config.settings", new_dir, var_dir)
        run([PYTHON, "manage.py", "migrate", "--noinput"], env=new_env, cwd=new_dir, label="new migrate")
        banner("5. row counts after")
        after = count_rows(args.database_url)
        rows, table_failures, table_notes = compare(before, after)
        notes += table_notes
        print_table(("table", "before", "after", "status"), rows)
        failures += table_failures
        checks.append(("row counts per table", not table_failures))
        banner("6. reconcile_stock")
        code, out = run([PYTHON, "manage.py", "reconcile_stock", "--json"], env=new_env, cwd=new_dir,
                        label="reconcile_stock", check=False)
        try:
            report = json.loads(out[out.index("{"):])
        except ValueError:
            report = {"checked": "?", "drift": ["unreadable output"]}
        print(f"checked {report['checked']} stock levels, {len(report['drift'])} drifted")
        if code or report["drift"]:
            failures.append(f"reconcile_stock: exit {code}, drift {json.dumps(report['drift'])[:500]}")
        checks.append(("reconcile_stock: no drift", not (code or report["drift"])))
        banner("7. pages")
        page_failures = check_pages(args, new_dir, var_dir)
        failures += page_failures
        checks.append(("pages answer 200", not page_failures))
    except (StepFailed, subprocess.CalledProcessError, psycopg.Error) as exc:
        detail = getattr(exc, "stderr", "") or ""
        failures.append(f"step failed: {exc} {detail}".strip())
    finally:
        for path in (worktree, new_dir):
            if path != ROOT and path.exists():
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)],
                               capture_output=True, text=True)
        subprocess.run(["rm", "-rf", str(var_dir)], check=False)
    banner("summary")
    for note in notes:
        print(f"note: {note}")
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    for failure in failures:
        print(f"FAIL  {failure}")
    print("UPGRADE CHECK " + ("FAILED" if failures or len(checks) < 3 else "PASSED"))
    return 1 if failures or len(checks) < 3 else 0


if __name__ == "__main__":
    sys.exit(main())
