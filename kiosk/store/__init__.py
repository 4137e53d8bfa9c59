"""The local content cache: one SQLite file (WAL) holding records and their search index."""

from kiosk.store.store import ApplyResult, ChannelCommit, ContentStore, StoreError

__all__ = ["ApplyResult", "ChannelCommit", "ContentStore", "StoreError"]
