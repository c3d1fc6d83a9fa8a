from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
]
