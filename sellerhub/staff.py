"""The Owner's Staff pages (``/settings/staff/``): the list of staff with role, state and last
login; adding a member (with a password, or a one-time set-password link shown once); a member's
page to change the role, deactivate or reactivate, and reset the password; and the public page
where a new member sets their password from the link. Writes go through
``sellerhub.staff_services``; only the Owner (``manage_access``) reaches the staff pages."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse, reverse_lazy
from django.views.decorators.http import require_POST

from sellerhub import staff_services
from sellerhub.access import role_required
from sellerhub.roles import OPS, OWNER, ROLES, WAREHOUSE, perm, role_of

PERMISSION = perm("manage_access")
LINK_SESSION_KEY = "staff_set_password_link"  # the one-time link, shown once then dropped
ROLE_HELP = {
    WAREHOUSE: "picks, packs, ships, counts and receives stock",
    OWNER: "everything, including channels, staff and access",
    OPS: "reads orders, metrics and channels; the admin and the job pages",
}
ROLE_CHOICES = [(role, f"{role}: {ROLE_HELP[role]}") for role in ROLES]
PASSWORD_HELP = "Leave empty to get a one-time link the person opens to choose their own password."

User = get_user_model()


# --- reads ------------------------------------------------------------------------------------


def staff_members():
    """Every account with its role, in two queries whatever the count."""
    users = list(User.objects.prefetch_related("groups").order_by("-is_active", "username"))
    return [{"user": u, "role": role_of(u) or "no role"} for u in users]


# --- forms ------------------------------------------------------------------------------------


class StaffForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="What they type to log in.")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=ROLE_CHOICES, widget=forms.RadioSelect, initial=WAREHOUSE)
    password = forms.CharField(widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                               required=False, label="Initial password", help_text=PASSWORD_HELP, strip=False)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES, widget=forms.RadioSelect)


class PasswordForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), required=False,
                               label="New password", help_text=PASSWORD_HELP, strip=False)


# --- pages ------------------------------------------------------------------------------------


def _remember_link(request, user, link):
    if link is None:
        return
    url = request.build_absolute_uri(reverse("staff_set_password", args=[link.uidb64, link.token]))
    request.session[LINK_SESSION_KEY] = {"user": user.pk, "url": url}


@role_required(PERMISSION)
def staff_list(request):
    return render(request, "sellerhub/staff/list.html", {"title": "Staff", "members": staff_members()})


@role_required(PERMISSION)
def staff_new(request):
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, link = staff_services.create_staff(**form.cleaned_data)
        except staff_services.StaffError as exc:
            form.add_error(None, str(exc))
        else:
            _remember_link(request, user, link)
            messages.success(request, f"{user.get_username()} can now log in as {form.cleaned_data['role']}."
                             if link is None else f"{user.get_username()} was added as {form.cleaned_data['role']}.")
            return redirect("staff_detail", user.pk)
    return render(request, "sellerhub/staff/new.html", {"title": "Add staff", "form": form},
                  status=400 if form.errors else 200)


@role_required(PERMISSION)
def staff_detail(request, pk, *, role_form=None, password_form=None, status=200):
    member = get_object_or_404(User.objects.prefetch_related("groups"), pk=pk)
    shown = request.session.get(LINK_SESSION_KEY)
    link = None
    if shown and shown.get("user") == member.pk:
        link = shown["url"]
        del request.session[LINK_SESSION_KEY]  # shown once
    role = role_of(member)
    return render(request, "sellerhub/staff/detail.html", {
        "title": member.get_username(), "member": member, "role": role or "no role", "link": link,
        "is_self": member.pk == request.user.pk,
        "role_form": role_form or RoleForm(initial={"role": role}),
        "password_form": password_form or PasswordForm(),
    }, status=status)


@role_required(PERMISSION)
@require_POST
def staff_role(request, pk):
    form = RoleForm(request.POST)
    if not form.is_valid():
        return staff_detail(request, pk, role_form=form, status=400)
    try:
        user = staff_services.change_role(actor=request.user, user_id=pk, role=form.cleaned_data["role"])
    except staff_services.StaffError as exc:
        form.add_error(None, str(exc))
        return staff_detail(request, pk, role_form=form, status=400)
    messages.success(request, f"{user.get_username()} is now {form.cleaned_data['role']}.")
    return redirect("staff_detail", pk)


@role_required(PERMISSION)
@require_POST
def staff_active(request, pk):
    active = request.POST.get("active") == "true"
    try:
        user = staff_services.set_active(actor=request.user, user_id=pk, active=active)
    except staff_services.StaffError as exc:
        messages.error(request, str(exc))
        return redirect("staff_detail", pk)
    messages.success(request, f"{user.get_username()} can log in again." if active else
                     f"{user.get_username()} is deactivated: their login is refused and their API tokens revoked.")
    return redirect("staff_detail", pk)


@role_required(PERMISSION)
@require_POST
def staff_password(request, pk):
    form = PasswordForm(request.POST)
    if form.is_valid():
        try:
            link = staff_services.reset_password(actor=request.user, user_id=pk,
                                                 password=form.cleaned_data["password"])
        except staff_services.StaffError as exc:
            form.add_error("password", str(exc))
        else:
            member = get_object_or_404(User, pk=pk)
            _remember_link(request, member, link)
            messages.success(request, "Password changed: the old one no longer works." if link is None else
                             "Old password ended: hand over the one-time link below.")
            return redirect("staff_detail", pk)
    return staff_detail(request, pk, password_form=form, status=400)


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """Where a new (or reset) member chooses their password from the one-time link; anybody
    holding the link may open it, so it is public and the link stops working once used."""

    template_name = "sellerhub/staff/set_password.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form):
        messages.success(self.request, "Password set: log in with it now.")
        return super().form_valid(form)


urlpatterns = [
    path("", staff_list, name="staff_list"),
    path("new", staff_new, name="staff_new"),
    path("<int:pk>/", staff_detail, name="staff_detail"),
    path("<int:pk>/role", staff_role, name="staff_role"),
    path("<int:pk>/active", staff_active, name="staff_active"),
    path("<int:pk>/password", staff_password, name="staff_password"),
]
public_urlpatterns = [
    path("<uidb64>/<token>/", SetPasswordView.as_view(), name="staff_set_password"),
]
