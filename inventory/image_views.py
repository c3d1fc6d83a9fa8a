"""The SKU picture form on the SKU page and the SKU form: upload, replace (for the SKU or its whole
product) and remove. Owner only (manage_catalogue); the work is in inventory.services.images."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from inventory import images
from inventory.models import SKU
from inventory.services import images as image_services
from sellerhub.access import RoleRequiredMixin
from sellerhub.roles import perm

ACCEPT = "image/png,image/jpeg,image/webp,image/gif"


class ImageForm(forms.Form):
    SKU, PRODUCT = "sku", "product"

    file = forms.FileField(label="Picture (PNG, JPEG, WebP or GIF, at most 5 MB)", required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    target = forms.ChoiceField(label="Use it for", initial=SKU, widget=forms.RadioSelect,
                               choices=[(SKU, "this SKU"), (PRODUCT, "every SKU of its product without a picture")])
    action = forms.ChoiceField(choices=[("upload", "upload"), ("remove", "remove")], initial="upload",
                               widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if data.get("action") == "upload":
            if upload is None:
                self.add_error("file", "Choose a picture to upload.")
            elif upload.size > images.MAX_BYTES:
                self.add_error("file", f"The picture is larger than {images.MAX_BYTES // (1024 * 1024)} MB.")
        return data


class SKUImageView(RoleRequiredMixin, View):
    permission_required = perm("manage_catalogue")
    template_name = "inventory/sku_image.html"

    def post(self, request, pk):
        sku = get_object_or_404(SKU.objects.select_related("product"), pk=pk)
        form = ImageForm(request.POST, request.FILES)
        if form.is_valid():
            target, action = form.cleaned_data["target"], form.cleaned_data["action"]
            for_product = target == ImageForm.PRODUCT
            try:
                if for_product and sku.product_id is None:
                    raise image_services.ImageError(f"{sku.seller_sku} belongs to no product; give it a product "
                                                    "first, or use the picture for this SKU.")
                if action == "remove":
                    removed = (image_services.remove_product_image(product=sku.product, user=request.user)
                               if for_product else image_services.remove_sku_image(sku=sku, user=request.user))
                    messages.success(request, "Picture removed." if removed else "There was no picture to remove.")
                else:
                    upload = form.cleaned_data["file"]
                    data = upload.read()
                    if for_product:
                        image_services.set_product_image(product=sku.product, data=data, filename=upload.name,
                                                         user=request.user)
                    else:
                        image_services.set_sku_image(sku=sku, data=data, filename=upload.name, user=request.user)
                    owner = sku.product.name if for_product else sku.seller_sku
                    messages.success(request, f"Picture saved for {owner}.")
                return redirect("inventory:sku_detail", pk=sku.pk)
            except image_services.ImageError as exc:
                form.add_error("file" if action == "upload" else None, str(exc))
        return render(request, self.template_name, {"sku": sku, "image_form": form, "can_edit": True,
                                                    "title": f"Picture of {sku.seller_sku}"}, status=400)
