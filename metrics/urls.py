"""URLs of the metrics pages (under /metrics/)."""

from django.urls import path

from metrics import views, views_after_sales

app_name = "metrics"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("figures/<slug:key>/<slug:part>/", views.FigureRowsView.as_view(), name="rows"),
    path("at-risk/<slug:kind>/", views.AtRiskView.as_view(), name="at_risk"),
    path("snapshots/refresh", views.RefreshSnapshotsView.as_view(), name="refresh_snapshots"),
    path("after-sales/due/", views_after_sales.DecisionsDueView.as_view(), name="after_sales_due"),
    path("after-sales/<slug:key>/<slug:part>/", views_after_sales.AfterSalesRowsView.as_view(),
         name="after_sales_rows"),
]
