"""Speaks to outside APIs: order channels, TikTok, carriers and label providers.

Imports no domain app and writes nothing to the domain; callers map its answers into models.
"""
