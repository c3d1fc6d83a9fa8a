"""Schedules of the orders app (collected by sellerhub/cron.py)."""

from orders.jobs import reconfirm_waiting_orders


def register(cron):
    # Orders short of stock are confirmed as soon as stock comes in (received, counted, returned).
    cron.register(reconfirm_waiting_orders, "default", cron="*/10 * * * *", name="orders_reconfirm_short_stock")
