"""Kept only because migration 0003 names ``fulfilment.tiktok_models.document_path``; the models
live in ``fulfilment.tiktok.models``. Migrations are never rewritten, so this path stays."""

from fulfilment.tiktok.models import document_path

__all__ = ["document_path"]
