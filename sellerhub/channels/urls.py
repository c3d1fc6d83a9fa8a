from django.urls import path

from sellerhub.channels import views

app_name = "channels"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
]
