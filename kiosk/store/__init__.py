"""The local content cache: one SQLite file (WAL) holding records and their search index."""

from kiosk.store.store import ApplyResult, ContentStore, StoreError

__all__ = ["ApplyResult", "ContentStore", "StoreError"]
