"""Metrics: the four figures TikTok judges a shop by, their trend and what is at risk."""
