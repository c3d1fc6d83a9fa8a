"""Suppliers and purchase orders: selectors (stock on order) and services (drafting, sending,
receiving against an order). The models are in inventory/purchasing_models.py."""
