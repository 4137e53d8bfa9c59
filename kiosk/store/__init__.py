"""The local content cache: one SQLite file (WAL) holding records and their search index."""

from kiosk.store.store import DEMO, LOCAL, ApplyResult, ChannelCommit, ContentStore, StoreError, is_channel

__all__ = ["DEMO", "LOCAL", "ApplyResult", "ChannelCommit", "ContentStore", "StoreError", "is_channel"]
