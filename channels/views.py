"""Channel pages for the owner (ops may read): the accounts and their connection state, connecting
an account (per-channel form, write-only credentials; "Save and test connection" saves only when
the test passes, or "Save as paused"), Disconnect (asks to confirm) and Reconnect, Sync now with
live progress, the sync log with Retry, and listing mapping. Account settings (calendar, stock
rules) keep their own form. The state itself is ``channels.health``'s.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from channels import health, selectors, services
from channels.connection_forms import (
    CREDENTIAL_FIELDS,
    ChannelChoiceForm,
    ConnectionForm,
    authorize_url,
    secret_keys,
)
from channels.forms import ChannelAccountForm
from channels.health_words import describe
from channels.job_requests import request_stock_push
from channels.models import SyncRun
from integrations.channels.connectors import CONNECTORS, ChannelError, connector_for
from inventory.models import SKU, ChannelListing
from inventory.stock_rules import rule_for
from sellerhub.access import RoleRequiredMixin
from sellerhub.models import ChannelAccount, JobRun
from sellerhub.roles import perm

VIEW = perm("view_channels")
MANAGE = perm("manage_channels")
WEBHOOK_HINTS = {
    "tiktok": "Register it in Partner Center (or PUT /event/202309/webhooks) for ORDER_STATUS_CHANGE and "
              "CANCELLATION_STATUS_CHANGE; it is checked with the app key and secret.",
    "woocommerce": "Add two webhooks in WooCommerce > Settings > Advanced > Webhooks (Order created, Order updated; "
                   "API v3) with this delivery URL and the webhook secret stored here.",
    "etsy": "Register it in the Etsy developer portal (commercial apps) for order events, and store the signing "
            "secret (whsec_...) here.",
    "square": "Subscribe it in the Square Developer Console to order.created, order.updated and "
              "order.fulfillment.updated, and store the subscription's signature key here. Square signs this URL: "
              "if SellerHub is reached through another address, enter the registered one as the notification URL.",
}
RETRYABLE_KINDS = services.RETRYABLE_KINDS


def _account(pk) -> ChannelAccount:
    return get_object_or_404(ChannelAccount.objects.exclude(channel="manual"), pk=pk)


def _job_run(request):
    pk = request.GET.get("job")
    return JobRun.objects.filter(pk=pk).first() if pk and pk.isdigit() else None


class IndexView(RoleRequiredMixin, TemplateView):
    template_name = "channels/index.html"
    permission_required = VIEW

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        accounts = list(selectors.accounts_overview())
        for account in accounts:
            account.connected = account.channel in CONNECTORS and bool(account.credentials) and bool(
                account.api_base_url or CONNECTORS[account.channel].default_base_url)
            account.health = selectors.health_of(account)
        problems = selectors.runs(status="problems").filter(started_at__gte=_days_ago(1)).count()
        context.update(title="Channels", accounts=accounts, can_manage=self.request.user.has_perm(MANAGE),
                       problems=problems)
        return context


def _days_ago(days):
    return timezone.now() - dt.timedelta(days=days)


class AccountSyncView(RoleRequiredMixin, TemplateView):
    """One account: connection (no secrets), webhook address, cursor, Sync now, recent runs."""

    template_name = "channels/account.html"
    permission_required = VIEW

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = _account(kwargs["pk"])
        shown = [(spec.label, _shown(spec, account.credentials.get(spec.key)))
                 for spec in CREDENTIAL_FIELDS.get(account.channel, ())
                 if not spec.secret and account.credentials.get(spec.key) not in (None, "")]
        secrets = [(spec.label, bool(account.credentials.get(spec.key)))
                   for spec in CREDENTIAL_FIELDS.get(account.channel, ()) if spec.secret]
        context.update(title=account.name, account=account, shown=shown, secrets=secrets,
                       health=selectors.health_of(account),
                       webhook_hint=WEBHOOK_HINTS.get(account.channel, ""),
                       webhook_url=self.request.build_absolute_uri(selectors.webhook_url_path(account)),
                       can_manage=self.request.user.has_perm(MANAGE), job_run=_job_run(self.request),
                       **selectors.account_detail(account))
        return context


def _shown(spec, value):
    """A non-secret credential as a person reads it (expiry times as dates)."""
    if spec.kind == "int" and "expire" in spec.key:
        try:
            when = timezone.localtime(dt.datetime.fromtimestamp(int(value), tz=dt.UTC))
        except (TypeError, ValueError, OverflowError, OSError):
            return value
        return f"{when:%Y-%m-%d %H:%M} ({'expired' if when < timezone.now() else 'valid'})"
    return value


class ConnectView(RoleRequiredMixin, View):
    """Connect a new account (pick the channel, then its credentials) or change an account's
    connection. Secrets are write-only."""

    permission_required = MANAGE
    template_name = "channels/connect.html"

    def _render(self, request, *, form=None, choice=None, account=None, status=200, offer_pause=False):
        return render(request, self.template_name, {
            "title": f"Connection of {account.name}" if account else "Connect a channel account",
            "form": form, "choice": choice, "account": account, "offer_pause": offer_pause,
            "authorize_url": authorize_url(account.credentials) if account and account.channel == "tiktok" else "",
            "channel_label": dict(ChannelChoiceForm.base_fields["channel"].choices).get(
                form.channel if form else "", ""),
        }, status=status)

    def get(self, request, pk=None):
        account = _account(pk) if pk else None
        if account is not None:
            return self._render(request, form=ConnectionForm(channel=account.channel, account=account),
                                account=account)
        choice = ChannelChoiceForm(request.GET or None)
        if choice.is_valid():
            return self._render(request, form=ConnectionForm(channel=choice.cleaned_data["channel"]))
        return self._render(request, choice=ChannelChoiceForm())

    def post(self, request, pk=None):
        account = _account(pk) if pk else None
        channel = account.channel if account else request.POST.get("channel", "")
        if channel not in CREDENTIAL_FIELDS:
            return self._render(request, choice=ChannelChoiceForm(request.POST), status=400)
        form = ConnectionForm(request.POST, channel=channel, account=account)
        if not form.is_valid():
            return self._render(request, form=form, account=account, status=400)
        credentials = form.credentials()
        if "test" in request.POST:  # Save and test connection: saved only if the test passes
            ok, message, found = _test(form.candidate())
            if not ok:
                form.add_error(None, f"Not saved: {message}")
                return self._render(request, form=form, account=account, status=400, offer_pause=True)
            exchanged = bool(form.cleaned_data.get("auth_code"))  # the tokens come from the exchange
            credentials = {**credentials, **{k: v for k, v in found.items() if exchanged or k not in credentials
                                             or credentials[k] in (None, "")}}
        try:
            saved = services.save_connection(
                account=account, channel=channel, name=form.cleaned_data["name"],
                api_base_url=form.cleaned_data["api_base_url"], shop_id=form.cleaned_data["shop_id"].strip(),
                credentials=credentials, keep_blank=secret_keys(channel), user=request.user)
        except services.ChannelSetupError as exc:
            form.add_error(None, str(exc))
            return self._render(request, form=form, account=account, status=400)
        if (form.new_tokens() or form.cleaned_data.get("auth_code")) and saved.authorization_expires_at:
            health.note_authorization_expiry(account=saved, expires_at=None)  # authorised again
        if "test" in request.POST:
            health.mark_connected(account=saved)
            messages.success(request, f"Test connection: {message} {saved.name} is connected; its credentials are "
                                      f"stored encrypted.")
        else:
            health.pause(account=saved, reason="Saved without a connection test: paused until a test passes.")
            messages.warning(request, f"{saved.name} saved as paused: nothing syncs until a connection test passes "
                                      f"(Reconnect on its page). Its credentials are stored encrypted.")
        return HttpResponseRedirect(reverse("channels:account", args=[saved.pk]))


def _test(account) -> tuple[bool, str, dict]:
    """Test ``account``'s connection (saved or not): (passed, what to tell the seller, the
    credentials the test found, e.g. TikTok's shop cipher)."""
    connector = None
    try:
        connector = connector_for(account)
        connector.max_attempts = 2
        connector.read_timeout = min(connector.read_timeout, 15.0)
        code = connector.credentials.pop("auth_code", None)
        if code:  # TikTok: the seller's authorisation code, exchanged once for the tokens
            connector.use_credentials(connector.exchange_auth_code(code))
            connector.credentials_changed = True
        message = connector.test_connection()
    except ChannelError as exc:
        return False, describe(exc, account=account), {}
    except LookupError as exc:
        return False, str(exc), {}
    finally:
        if connector is not None:
            connector.close()
    found = dict(connector.credentials) if connector.credentials_changed else {}
    found.pop("auth_code", None)
    return True, message, found


def _test_and_report(request, account) -> tuple[bool, str]:
    ok, message, found = _test(account)
    if not ok:
        messages.error(request, f"Test connection failed: {message}")
        return False, message
    if found:
        services.store_credentials(account_id=account.pk, credentials=found)
    if account.state == ChannelAccount.State.FAILING:
        health.record_success(account=account)
    messages.success(request, f"Test connection: {message}")
    return True, message


class DisconnectView(RoleRequiredMixin, View):
    """Disconnect (after a confirmation page): no job calls the channel any more; the account's
    orders, listings and sync log stay."""

    permission_required = MANAGE

    def get(self, request, pk):
        account = _account(pk)
        return render(request, "channels/disconnect.html", {"title": f"Disconnect {account.name}?",
                                                             "account": account})

    def post(self, request, pk):
        account = _account(pk)
        if request.POST.get("confirm") != "yes":
            return render(request, "channels/disconnect.html", {"title": f"Disconnect {account.name}?",
                                                                 "account": account, "unconfirmed": True}, status=400)
        health.disconnect(account=account, user=request.user)
        messages.success(request, f"{account.name} is disconnected: SellerHub no longer pulls its orders or pushes "
                                  f"stock or tracking to it. Its orders and history stay. Reconnect it at any time.")
        return HttpResponseRedirect(reverse("channels:account", args=[account.pk]))


class ReconnectView(RoleRequiredMixin, View):
    """Reconnect: test the stored connection; if it passes the account syncs again (a pull and a
    stock push are requested at once), otherwise nothing changes and the error says why."""

    permission_required = MANAGE

    def post(self, request, pk):
        account = _account(pk)
        ok, message, found = _test(account)
        if not ok:
            messages.error(request, f"{account.name} is still {account.get_state_display().lower()}: {message}")
            return HttpResponseRedirect(reverse("channels:account", args=[account.pk]))
        if found:
            services.store_credentials(account_id=account.pk, credentials=found)
        health.mark_connected(account=account, catch_up=True)
        messages.success(request, f"{account.name} is connected again: {message} Orders and stock catch up now.")
        return HttpResponseRedirect(reverse("channels:account", args=[account.pk]))


class TestConnectionView(RoleRequiredMixin, View):
    permission_required = MANAGE

    def post(self, request, pk):
        account = _account(pk)
        ok, message = _test_and_report(request, account)
        if request.headers.get("HX-Request"):
            return render(request, "channels/_test_result.html", {"ok": ok, "message": message})
        return HttpResponseRedirect(reverse("channels:account", args=[account.pk]))


class SyncNowView(RoleRequiredMixin, View):
    permission_required = MANAGE

    def post(self, request, pk):
        account = _account(pk)
        run = services.queue_sync_now(account=account, user=request.user)
        messages.info(request, f"Sync of {account.name} queued.")
        return HttpResponseRedirect(reverse("channels:account", args=[account.pk]) + f"?job={run.pk}")


class SyncLogView(RoleRequiredMixin, TemplateView):
    template_name = "channels/log.html"
    permission_required = VIEW

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account_id = self.request.GET.get("account", "")
        status = self.request.GET.get("status", "")
        kind = self.request.GET.get("kind", "")
        runs = selectors.runs(account_id=int(account_id) if account_id.isdigit() else None, status=status, kind=kind)
        page = Paginator(runs, 50).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(title="Sync log", page=page, runs=page.object_list, account_id=account_id, status=status,
                       kind=kind, accounts=ChannelAccount.objects.exclude(channel="manual").order_by("name"),
                       kinds=SyncRun.Kind.choices, statuses=SyncRun.Status.choices, query=query.urlencode(),
                       can_manage=self.request.user.has_perm(MANAGE), retryable_kinds=RETRYABLE_KINDS,
                       job_run=_job_run(self.request))
        return context


class RetryView(RoleRequiredMixin, View):
    permission_required = MANAGE

    def post(self, request, pk):
        run = get_object_or_404(SyncRun.objects.select_related("account"), pk=pk)
        job = services.queue_retry(run=run, user=request.user)
        if job is None:
            messages.error(request, f"{run.get_kind_display()} #{run.pk} cannot be retried.")
            return HttpResponseRedirect(reverse("channels:log"))
        messages.info(request, f"Retry of {run.get_kind_display().lower()} #{run.pk} queued.")
        return HttpResponseRedirect(reverse("channels:log") + f"?job={job.pk}")


class ListingsView(RoleRequiredMixin, TemplateView):
    """The account's listings and the SKU each sells; unmatched ones first, with a form to map."""

    template_name = "channels/listings.html"
    permission_required = VIEW

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = _account(kwargs["pk"])
        show = self.request.GET.get("show", "")
        page = Paginator(selectors.listings(account, show=show), 100).get_page(self.request.GET.get("page"))
        counts = ChannelListing.objects.filter(account=account, active=True)
        context.update(title=f"Listings of {account.name}", account=account, page=page, listings=page.object_list,
                       show=show, total=counts.count(), unmatched=counts.filter(sku__isnull=True).count(),
                       can_manage=self.request.user.has_perm(MANAGE), job_run=_job_run(self.request))
        return context


class ImportListingsView(RoleRequiredMixin, View):
    permission_required = MANAGE

    def post(self, request, pk):
        account = _account(pk)
        run = services.queue_import_listings(account=account, user=request.user)
        return HttpResponseRedirect(reverse("channels:listings", args=[account.pk]) + f"?job={run.pk}")


class AutoMatchView(RoleRequiredMixin, View):
    permission_required = MANAGE

    def post(self, request, pk):
        account = _account(pk)
        matched = services.auto_match_listings(account=account)
        request_stock_push(account.pk, SyncRun.Trigger.MANUAL)
        messages.success(request, f"{matched} listing(s) matched by seller SKU." if matched else
                         "No unmatched listing has a channel SKU equal to one of your seller SKUs.")
        return HttpResponseRedirect(reverse("channels:listings", args=[account.pk]) + "?show=unmatched")


class MapListingView(RoleRequiredMixin, View):
    permission_required = MANAGE

    def post(self, request, pk):
        listing = get_object_or_404(ChannelListing.objects.select_related("account"), pk=pk)
        back = reverse("channels:listings", args=[listing.account_id]) + (
            f"?show={request.POST['show']}" if request.POST.get("show") in ("unmatched", "matched") else "")
        seller_sku = (request.POST.get("seller_sku") or "").strip()
        if request.POST.get("unmap"):
            sku = None
        else:
            sku = SKU.objects.filter(seller_sku=seller_sku).first() if seller_sku else None
            if sku is None:
                messages.error(request, f"No SKU {seller_sku!r}: type one of your seller SKUs exactly."
                               if seller_sku else "Type the seller SKU this listing sells.")
                return HttpResponseRedirect(back)
        try:
            services.map_listing(listing=listing, sku=sku, user=request.user)
        except services.ChannelSetupError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(back)
        request_stock_push(listing.account_id, SyncRun.Trigger.MANUAL)
        label = listing.channel_sku or listing.external_variant_id or listing.external_product_id
        messages.success(request, f"Listing {label} now sells {sku.seller_sku}; its stock is pushed." if sku
                         else f"Listing {label} is no longer mapped; its stock is no longer pushed.")
        return HttpResponseRedirect(back)


class AccountEditView(RoleRequiredMixin, View):
    """Create (no pk) or edit a channel account's settings (calendar, stock rules); owner only."""

    permission_required = perm("manage_channels")
    template_name = "channels/account_form.html"

    def _account(self, pk):
        return get_object_or_404(ChannelAccount, pk=pk) if pk else None

    def _render(self, request, form, account, status=200):
        return render(request, self.template_name, {
            "form": form, "account": account, "has_credentials": bool(account and account.credentials),
            "title": f"Channel account {account.name}" if account else "New channel account",
        }, status=status)

    def get(self, request, pk=None):
        account = self._account(pk)
        return self._render(request, ChannelAccountForm(instance=account), account)

    def post(self, request, pk=None):
        account = self._account(pk)
        rule_before = rule_for(account) if account else None
        form = ChannelAccountForm(request.POST, instance=account)
        if not form.is_valid():
            return self._render(request, form, account, status=400)
        with transaction.atomic():
            saved = form.save()
        if rule_before is not None and rule_for(saved) != rule_before:
            services.request_full_push(account=saved)  # the new stock rule reaches every listing
        if account is None and saved.channel in CONNECTORS:  # no credentials yet: nothing to sync
            health.pause(account=saved, reason="No connection yet: enter its credentials and test the connection.")
        messages.success(request, f"{saved.name} saved. New orders use its calendar; stored deadlines stay.")
        return HttpResponseRedirect(reverse("channels:index"))
