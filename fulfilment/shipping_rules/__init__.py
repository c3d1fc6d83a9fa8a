"""Shipping rules: the Owner's ordered rules (first match wins) deciding carrier, service, box, label
source, hold and tag for an order, applied when it is confirmed and again before a label is bought."""
