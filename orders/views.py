"""Order pages: the queue, an order, needs attention, returns and the manual order form. Views read
through orders.selectors and write through orders.services; every write checks its capability."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from inventory.models import SKU
from orders import selectors, services
from orders.forms import (
    BULK_ACTIONS,
    AddressForm,
    BulkActionForm,
    ManualOrderForm,
    MapSKUForm,
    QueueFilterForm,
    ReturnRequestForm,
)
from orders.models import (
    SHIPPED_STATUSES,
    AttentionReason,
    Order,
    OrderStatus,
)
from orders.services.bundle_lines import annotate_unmatched
from sellerhub.access import RoleRequiredMixin
from sellerhub.models import ChannelAccount
from sellerhub.roles import perm

PAGE_SIZE = 50
# Who may do what: bulk and single actions.
ACTION_PERMISSIONS = {
    "confirm": perm("manage_orders"),
    "cancel": perm("manage_orders"),
    "hold": perm("manage_orders"),
    "release": perm("manage_orders"),
    "rerun": perm("manage_orders"),
    "send_to_picking": perm("work_warehouse"),
}


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def _require(request, permission):
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _allowed_actions(user, order: Order | None = None) -> list[str]:
    """The actions this user may take (on this order, if given), in the toolbar's order."""
    actions = [a for a, p in ACTION_PERMISSIONS.items() if user.has_perm(p)]
    if order is None:
        return actions
    possible = services.possible_actions(order)
    return [a for a in actions if a in possible]


# ---------------------------------------------------------------------------------------------
# The queue


class QueueView(RoleRequiredMixin, TemplateView):
    """The warehouse's work list: filters, search, sort by dispatch deadline, bulk actions.
    A constant number of queries per page, whatever the number of orders."""

    template_name = "orders/queue.html"
    permission_required = perm("view_operations")

    def get_template_names(self):
        return ["orders/_queue_results.html"] if _is_htmx(self.request) else [self.template_name]

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        patch_vary_headers(response, ["HX-Request"])  # the same URL answers a page or its fragment
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = QueueFilterForm(self.request.GET or None)
        filters = form.filters()
        page = Paginator(selectors.order_queue(filters), PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        user = self.request.user
        bulk = [(a, label) for a, label in BULK_ACTIONS if user.has_perm(ACTION_PERMISSIONS[a])]
        context.update(
            title="Orders", form=form, filters=filters, page=page, query=query.urlencode(),
            bulk_actions=bulk, full_path=self.request.get_full_path(),
        )
        if not _is_htmx(self.request):
            context["counts"] = selectors.queue_counts()
        return context


class BulkActionView(RoleRequiredMixin, View):
    """POST: confirm / cancel / send to picking for the selected orders, each on its own."""

    permission_required = perm("view_operations")

    def post(self, request):
        form = BulkActionForm(request.POST)
        back = _next_url(request, reverse("orders:queue"))
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error if error != "This field is required." else
                                   "Select at least one order and an action.")
            return HttpResponseRedirect(back)
        action = form.cleaned_data["action"]
        _require(request, ACTION_PERMISSIONS[action])
        outcome = services.bulk_apply(order_ids=form.cleaned_data["ids"], action=action, user=request.user,
                                      reason=form.cleaned_data.get("reason", ""))
        label = dict(BULK_ACTIONS)[action].lower()
        if outcome["done"]:
            ids = ", ".join(o.external_id for o in outcome["done"][:10])
            more = f" and {len(outcome['done']) - 10} more" if len(outcome["done"]) > 10 else ""
            messages.success(request, f"{dict(BULK_ACTIONS)[action]}: {len(outcome['done'])} order(s) ({ids}{more}).")
        if outcome["skipped"]:
            ids = ", ".join(o.external_id for o, _why in outcome["skipped"][:10])
            messages.info(request, f"Already confirmed or further along, left as they were: {ids}"
                                   + (" …" if len(outcome["skipped"]) > 10 else "") + ".")
        for order, why in outcome["failed"][:20]:
            messages.warning(request, f"Could not {label} order {order.external_id}: {why}")
        if len(outcome["failed"]) > 20:
            messages.warning(request, f"… and {len(outcome['failed']) - 20} more could not be changed.")
        return HttpResponseRedirect(back)


# ---------------------------------------------------------------------------------------------
# One order


class OrderDetailView(RoleRequiredMixin, TemplateView):
    template_name = "orders/detail.html"
    permission_required = perm("view_operations")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            order = selectors.order_detail(self.kwargs["pk"])
        except Order.DoesNotExist:
            raise Http404("No such order.")
        user = self.request.user
        can_manage = user.has_perm(perm("manage_orders"))
        editable_address = can_manage and services.address_editable(order)
        lines = selectors.line_views(order)
        context.update(
            title=f"Order {order.external_id}", order=order, lines=lines,
            actions=_allowed_actions(user, order), can_manage=can_manage,
            can_work=user.has_perm(perm("work_warehouse")),
            address_form=AddressForm(initial={f: getattr(order, f) for f in services.EDITABLE_ADDRESS})
            if editable_address else None,
            return_form=ReturnRequestForm() if can_manage and order.status in SHIPPED_STATUSES else None,
            locations=selectors.restock_locations(),
            channel_hold=order.status == OrderStatus.ON_HOLD and order.channel_status == "ON_HOLD",
            sku_options=_sku_options() if can_manage and any(v.line.sku_id is None for v in lines) else None,
            full_path=self.request.get_full_path(),
        )
        return context


def _sku_options():
    return list(SKU.objects.filter(active=True).order_by("seller_sku").values_list("seller_sku", "name")[:2000])


class OrderActionView(RoleRequiredMixin, View):
    """POST one action on one order: confirm, rerun, send_to_picking, hold, release, cancel."""

    permission_required = perm("view_operations")

    def post(self, request, pk):
        order = get_object_or_404(Order.objects.select_related("account"), pk=pk)
        action = request.POST.get("action", "")
        if action not in ACTION_PERMISSIONS:
            messages.error(request, "Unknown action.")
            return HttpResponseRedirect(reverse("orders:detail", args=[pk]))
        _require(request, ACTION_PERMISSIONS[action])
        back = _next_url(request, reverse("orders:detail", args=[pk]))
        reason = (request.POST.get("reason") or "").strip()
        try:
            if action == "confirm":
                result = services.confirm_order(order=order, user=request.user)
                self._report(request, result)
            elif action == "rerun":
                result = services.run_confirmation(order=order, user=request.user)
                self._report(request, result)
            elif action == "send_to_picking":
                services.send_to_picking(order=order, user=request.user)
                messages.success(request, f"Order {order.external_id} sent to picking.")
            elif action == "hold":
                services.hold_order(order=order, reason=reason, user=request.user)
                messages.success(request, f"Order {order.external_id} is on hold.")
            elif action == "release":
                result = services.release_hold(order=order, user=request.user)
                messages.success(request, f"Hold released on order {order.external_id}.")
                self._report(request, result)
            elif action == "cancel":
                services.cancel_order(order=order, reason=reason, user=request.user,
                                      reason_code=(request.POST.get("reason_code") or "").strip())
                messages.success(request, f"Order {order.external_id} cancelled; its stock is free again.")
        except services.OrderError as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(back)

    @staticmethod
    def _report(request, result):
        if result.confirmed and not result.already:
            messages.success(request, f"Order {result.order.external_id} confirmed; its stock is reserved.")
        elif result.already:
            messages.info(request, result.message or f"Order {result.order.external_id} is already confirmed.")
        else:
            messages.warning(request, f"Order {result.order.external_id} not confirmed. {result.message}")


class AddressView(RoleRequiredMixin, View):
    permission_required = perm("manage_orders")

    def post(self, request, pk):
        order = get_object_or_404(Order.objects.select_related("account"), pk=pk)
        form = AddressForm(request.POST)
        back = _next_url(request, reverse("orders:detail", args=[pk]))
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else field
                messages.error(request, f"{label}: {' '.join(errors)}")
            return HttpResponseRedirect(back)
        values = {k: v for k, v in form.cleaned_data.items() if k in request.POST}
        try:
            result = services.update_address(order=order, values=values, user=request.user)
        except services.OrderError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(back)
        messages.success(request, f"Address of order {order.external_id} saved.")
        if result is not None:
            OrderActionView._report(request, result)
        return HttpResponseRedirect(back)


class MapSKUView(RoleRequiredMixin, View):
    """Map an unmatched channel SKU to one of ours (records the channel listing), then re-run
    confirmation for the orders that waited for it."""

    permission_required = perm("manage_orders")

    def post(self, request):
        form = MapSKUForm(request.POST)
        back = _next_url(request, reverse("orders:attention"))
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        account = get_object_or_404(ChannelAccount, pk=data["account"])
        try:
            result = services.map_channel_sku(account=account, sku=data["seller_sku"], channel_sku=data["channel_sku"],
                                              product_id=data["product_id"], variant_id=data["variant_id"],
                                              user=request.user)
        except services.OrderError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(back)
        confirmed = sum(1 for c in result.confirmations if c.confirmed)
        waiting = [c for c in result.confirmations if not c.confirmed]
        label = data["channel_sku"] or data["variant_id"]
        messages.success(request, f"{label} is now {result.sku.seller_sku} on {account.name}: {result.lines} line(s) "
                                  f"in {len(result.order_ids)} order(s) matched, {confirmed} confirmed.")
        for c in waiting[:10]:
            messages.warning(request, f"Order {c.order.external_id} still waits: {c.message}")
        return HttpResponseRedirect(back)


# ---------------------------------------------------------------------------------------------
# Needs attention


class AttentionView(RoleRequiredMixin, TemplateView):
    """Orders that wait for a person, by reason, each with its fix."""

    template_name = "orders/attention.html"
    permission_required = perm("view_operations")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        can_manage = user.has_perm(perm("manage_orders"))
        orders = list(selectors.attention_orders()[:500])
        by_reason = {reason: [o for o in orders if o.attention_reason == reason]
                     for reason in (AttentionReason.UNMATCHED_SKU, AttentionReason.SHORT_STOCK,
                                    AttentionReason.ON_HOLD, AttentionReason.ADDRESS_PROBLEM)}
        unmatched = annotate_unmatched(selectors.unmatched_channel_skus())  # combined listings: their SKUs
        for row in unmatched:
            row["form"] = MapSKUForm(initial={"account": row["account_id"], "channel_sku": row["channel_sku"],
                                              "product_id": row["product_id"], "variant_id": row["variant_id"],
                                              "next": self.request.get_full_path()})
        context.update(
            title="Needs attention", counts=selectors.attention_counts(), unmatched=unmatched,
            short=by_reason[AttentionReason.SHORT_STOCK], on_hold=by_reason[AttentionReason.ON_HOLD],
            address=[(o, AddressForm(initial={f: getattr(o, f) for f in services.EDITABLE_ADDRESS},
                                     prefix_id=f"o{o.pk}")) for o in by_reason[AttentionReason.ADDRESS_PROBLEM]],
            unmatched_orders=by_reason[AttentionReason.UNMATCHED_SKU], can_manage=can_manage,
            short_after_count=sorted((o for o in orders if o.attention_reason == AttentionReason.SHORT_AFTER_COUNT),
                                     key=lambda o: (o.created_at, o.pk), reverse=True),  # newest first
            sku_options=_sku_options() if can_manage and unmatched else [],
            full_path=self.request.get_full_path(),
        )
        return context


# Returns: see orders/views_returns.py


# ---------------------------------------------------------------------------------------------
# A manual order


class ManualOrderView(RoleRequiredMixin, View):
    permission_required = perm("manage_orders")
    template_name = "orders/manual.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ManualOrderForm(), "title": "New manual order",
                                                    "sku_options": _sku_options()})

    def post(self, request):
        form = ManualOrderForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            address = {k.removeprefix("ship_"): v for k, v in data.items() if k.startswith("ship_") and v}
            if address and data.get("buyer_name"):
                address.setdefault("name", data["buyer_name"])
            try:
                result = services.create_manual_order(
                    lines=data["lines"], address=address,
                    buyer={"name": data.get("buyer_name", ""), "email": data.get("buyer_email", "")},
                    note=data.get("note", ""), user=request.user)
            except services.ManualOrderError as exc:
                for problems in exc.errors.values():
                    for problem in problems:
                        form.add_error(None, problem)
            else:
                order = result.order
                messages.success(request, f"Manual order {order.external_id} created; confirm it to reserve its stock.")
                return HttpResponseRedirect(reverse("orders:detail", args=[order.pk]))
        return render(request, self.template_name, {"form": form, "title": "New manual order",
                                                    "sku_options": _sku_options()}, status=400)

