from django.urls import path

from inventory import views

app_name = "inventory"

urlpatterns = [
    path("", views.IndexView.as_view(), name="sku_list"),
]
