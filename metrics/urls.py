"""URLs of the metrics pages (under /metrics/)."""

from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("figures/<slug:key>/<slug:part>/", views.FigureRowsView.as_view(), name="rows"),
    path("at-risk/<slug:kind>/", views.AtRiskView.as_view(), name="at_risk"),
    path("snapshots/refresh", views.RefreshSnapshotsView.as_view(), name="refresh_snapshots"),
]
