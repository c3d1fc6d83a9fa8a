"""The shipping rules pages, included in the fulfilment namespace by ``fulfilment/urls.py``."""

from django.urls import path

from fulfilment.shipping_rules import views

urlpatterns = [
    path("shipping-rules/", views.RulesView.as_view(), name="shipping_rules"),
    path("shipping-rules/<int:pk>/<str:action>", views.RuleActionView.as_view(), name="shipping_rule_action"),
]
