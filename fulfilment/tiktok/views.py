"""TikTok Shipping pages under /fulfilment/: TikTok-label packages, collection requests (pickup
with a slot, or drop-off), their progress and the handover manifest. Views read through the
selectors below and write through fulfilment.tiktok.collection / fulfilment.tiktok.shipping."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from fulfilment.models import Package
from fulfilment.selectors import orders_for_batch
from fulfilment.tiktok import collection as collections
from fulfilment.tiktok import jobs as tiktok_jobs
from fulfilment.tiktok.models import CollectionRequest, Handover, PlatformPackage
from integrations.tiktok import shipping as api
from sellerhub import datetimes
from sellerhub.access import RoleRequiredMixin
from sellerhub.downloads import content_disposition
from sellerhub.models import JobRun
from sellerhub.roles import perm

VIEW = perm("view_operations")
WORK = perm("work_warehouse")
C = PlatformPackage.Collection


def _requests(*, open_only: bool):
    rows = CollectionRequest.objects.select_related("account").annotate(
        package_count=Count("packages"),
        scheduled_count=Count("packages", filter=Q(packages__collection_status=C.SCHEDULED)),
        collected_count=Count("packages", filter=Q(packages__collection_status=C.COLLECTED)),
        failed_count=Count("packages", filter=Q(packages__collection_status=C.FAILED)),
    )
    if open_only:
        rows = rows.filter(Q(status__in=CollectionRequest.OPEN_STATUSES) | Q(handover_date__gte=timezone.localdate()))
    return rows.order_by("handover_date", "slot_start", "pk")


class CollectionIndexView(RoleRequiredMixin, TemplateView):
    """Ready to hand over (by shop and designated carrier) and the collection requests."""

    template_name = "fulfilment/collection.html"
    permission_required = VIEW

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        show = self.request.GET.get("show") or "open"
        page_rows = list(_requests(open_only=show == "open")[:200])
        context.update(title="Collection requests", groups=collections.ready_groups(), requests=page_rows, show=show,
                       can_work=self.request.user.has_perm(WORK), methods=Handover)
        return context


class SlotsView(RoleRequiredMixin, View):
    """htmx fragment: TikTok's handover options for a group (read for its first package)."""

    permission_required = WORK

    def get(self, request):
        package = get_object_or_404(Package.objects.select_related("order__account"),
                                    pk=request.GET.get("package") or 0)
        try:
            options = collections.handover_options(package=package)
            error = ""
        except (collections.CollectionError, api.ShippingError) as exc:
            options, error = None, str(exc)
        slots = []
        if options is not None:
            for slot in options.slots:
                label = f"{datetimes.format_when(slot.start_at)}–{datetimes.format_clock(slot.end_at)}"
                slots.append({"value": slot.key, "available": slot.available, "label": label})
        return render(request, "fulfilment/_collection_slots.html",
                      {"options": options, "slots": slots, "error": error, "group": request.GET.get("group", ""),
                       "today": timezone.localdate()})


class RequestView(RoleRequiredMixin, View):
    """Request collection for chosen packages: pickup in a slot, or drop-off."""

    permission_required = WORK

    def get(self, request):
        return HttpResponseRedirect(reverse("fulfilment:collection"))

    def post(self, request):
        method = request.POST.get("method") or ""
        slot = None
        if method == Handover.PICKUP:
            try:
                start, end = (int(v) for v in (request.POST.get("slot") or "").split("-", 1))
                slot = (start, end)
            except ValueError:
                messages.error(request, "Choose a pickup time slot (or drop-off).")
                return HttpResponseRedirect(reverse("fulfilment:collection"))
        try:
            collection = collections.request_collection(packages=request.POST.getlist("package"), method=method,
                                                        slot=slot, user=request.user)
        except collections.CollectionError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("fulfilment:collection"))
        run = tiktok_jobs.enqueue_collection(collection, request.user)
        count = len(request.POST.getlist("package"))
        messages.success(request, f"{count} package(s) requested for {collection.reference}: TikTok is being asked "
                                  f"to ship them.")
        return HttpResponseRedirect(f"{reverse('fulfilment:collection_detail', args=[collection.pk])}?run={run.pk}")


class CollectionDetailView(RoleRequiredMixin, TemplateView):
    template_name = "fulfilment/collection_detail.html"
    permission_required = VIEW

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            collection = (CollectionRequest.objects.select_related("account", "created_by")
                          .prefetch_related(Prefetch("packages", queryset=PlatformPackage.objects.select_related(
                              "package__order").order_by("package__order__external_id", "pk")))
                          .get(pk=self.kwargs["pk"]))
        except CollectionRequest.DoesNotExist:
            raise Http404("No such collection request.") from None
        rows = list(collection.packages.all())
        counts = {state: sum(1 for r in rows if r.collection_status == state) for state in C.values}
        run = None
        if self.request.GET.get("run"):
            run = JobRun.objects.filter(pk=self.request.GET["run"], kind=tiktok_jobs.KIND).first()
        context.update(title=collection.reference, collection=collection, rows=rows, counts=counts, run=run,
                       can_work=self.request.user.has_perm(WORK))
        return context


class CollectionActionView(RoleRequiredMixin, View):
    """POST: "sync" reads the packages back from TikTok now; "retry" asks TikTok again for the
    packages it refused."""

    permission_required = WORK

    def get(self, request, pk, action):
        return HttpResponseRedirect(reverse("fulfilment:collection_detail", args=[pk]))

    def post(self, request, pk, action):
        collection = get_object_or_404(CollectionRequest.objects.select_related("account"), pk=pk)
        url = reverse("fulfilment:collection_detail", args=[pk])
        if action == "sync":
            ids = list(PlatformPackage.objects.filter(collection=collection).exclude(package__external_id="")
                       .values_list("package__external_id", flat=True))
            try:
                counts = collections.read_packages(account=collection.account, package_ids=ids)
            except api.ShippingError as exc:
                messages.error(request, str(exc))
            else:
                collections.refresh_collection(collection=collection)
                messages.success(request, "Read from TikTok: " + (", ".join(f"{n} {s}" for s, n in counts.items())
                                                                  or "nothing"))
            return HttpResponseRedirect(url)
        if action == "retry":
            if not collection.packages.filter(collection_status=C.FAILED).exists():
                messages.info(request, "No refused package to ask for again.")
                return HttpResponseRedirect(url)
            run = tiktok_jobs.enqueue_collection(collection, request.user)
            return HttpResponseRedirect(f"{url}?run={run.pk}")
        raise Http404("Unknown action.")


class ManifestView(RoleRequiredMixin, View):
    """The handover manifest (Letter, or A4 with ?size=a4): proof of handover."""

    permission_required = VIEW

    def get(self, request, pk):
        collection = get_object_or_404(CollectionRequest.objects.select_related("account"), pk=pk)
        size = "a4" if request.GET.get("size") == "a4" else "letter"
        try:
            pdf = collections.manifest_pdf(collection=collection, page_size=size)
        except collections.CollectionError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("fulfilment:collection_detail", args=[pk]))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition(f"{collection.reference}-manifest.pdf", attachment=False)
        return response


class TikTokLabelsView(RoleRequiredMixin, TemplateView):
    """Orders shipping with TikTok's label, to ship: their packages, TikTok package, label and
    handover. Printing them goes through the print batch (fulfilment.jobs), which gets TikTok's
    labels for them."""

    template_name = "fulfilment/tiktok_labels.html"
    permission_required = VIEW

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        orders = list(orders_for_batch().filter(label_source="PLATFORM", account__channel="tiktok").prefetch_related(
            Prefetch("packages", queryset=Package.objects.exclude(status=Package.Status.CANCELLED)
                     .select_related("platform", "platform__collection").order_by("pk"), to_attr="live_packages")
        )[:500])
        context.update(title="TikTok labels", orders=orders, can_work=self.request.user.has_perm(WORK),
                       ready_count=collections.ready_packages().count())
        return context
