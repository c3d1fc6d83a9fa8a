"""The Owner's shipping rules page (/fulfilment/shipping-rules/): the ordered list with move
up/down and on/off, the create and edit form, and the dry run (an order number: which rule would
apply and its action). Only calls the services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from fulfilment.shipping_rules import selectors, services
from fulfilment.shipping_rules.forms import FIELDS, DryRunForm, RuleForm
from fulfilment.shipping_rules.models import ShippingRule
from sellerhub.access import RoleRequiredMixin
from sellerhub.roles import perm

MANAGE = perm("manage_shipping_rules")


class RulesView(RoleRequiredMixin, TemplateView):
    template_name = "fulfilment/shipping_rules.html"
    permission_required = MANAGE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        editing = None
        if self.request.GET.get("edit", "").isdigit():
            editing = ShippingRule.objects.filter(pk=int(self.request.GET["edit"]), builtin="").first()
        form = kwargs.get("form") or RuleForm(instance=editing)
        dry = DryRunForm(self.request.GET if "order" in self.request.GET else None)
        runs, asked = [], False
        if dry.is_bound and dry.is_valid():
            asked = True
            runs = [selectors.dry_run(order) for order in selectors.orders_by_number(dry.cleaned_data["order"])]
        rules = list(selectors.rules())
        context.update(title="Shipping rules", rules=rules, last=len(rules) - 1, form=form,
                       editing=kwargs.get("editing", editing), dry_form=dry, runs=runs, asked=asked)
        return context

    def post(self, request):
        rule = None
        if request.POST.get("rule", "").isdigit():
            rule = get_object_or_404(ShippingRule, pk=int(request.POST["rule"]), builtin="")
        form = RuleForm(request.POST, instance=rule)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, editing=rule), status=400)
        data = {name: form.cleaned_data.get(name) for name in FIELDS}
        try:
            saved = services.save_rule(rule=rule, user=request.user, **data)
        except services.ShippingRuleError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            return self.render_to_response(self.get_context_data(form=form, editing=rule), status=400)
        messages.success(request, f"Rule “{saved.name}” saved.")
        return HttpResponseRedirect(reverse("fulfilment:shipping_rules"))


class RuleActionView(RoleRequiredMixin, View):
    """POST up, down, enable, disable or delete on one rule."""

    permission_required = MANAGE
    ACTIONS = ("up", "down", "enable", "disable", "delete")

    def post(self, request, pk, action):
        if action not in self.ACTIONS:
            raise Http404("Unknown action.")
        rule = get_object_or_404(ShippingRule, pk=pk)
        try:
            if action in ("up", "down"):
                services.move_rule(rule=rule, direction=action, user=request.user)
                messages.success(request, f"Rule “{rule.name}” moved {action}.")
            elif action == "delete":
                services.delete_rule(rule=rule, user=request.user)
                messages.success(request, f"Rule “{rule.name}” deleted.")
            else:
                services.set_enabled(rule=rule, enabled=action == "enable", user=request.user)
                messages.success(request, f"Rule “{rule.name}” {'on' if action == 'enable' else 'off'}.")
        except services.ShippingRuleError as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("fulfilment:shipping_rules") + f"#rule-{pk}")
