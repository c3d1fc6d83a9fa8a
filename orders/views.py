from django.views.generic import TemplateView

from sellerhub.access import RoleRequiredMixin
from sellerhub.roles import perm


class IndexView(RoleRequiredMixin, TemplateView):
    template_name = "section.html"
    permission_required = perm("view_operations")
    extra_context = {"title": "Orders"}
