from django.urls import path

from fulfilment import views

app_name = "fulfilment"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("pick-pack/", views.PickPackView.as_view(), name="pick_pack"),
]
