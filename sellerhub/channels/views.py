from django.views.generic import TemplateView

from sellerhub.access import RoleRequiredMixin
from sellerhub.roles import perm


class IndexView(RoleRequiredMixin, TemplateView):
    template_name = "section.html"
    permission_required = perm("view_channels")
    extra_context = {"title": "Channels"}
