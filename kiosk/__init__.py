"""Core of the offline disclosure kiosk: records, store, search, settings. No Qt widgets here."""

__version__ = "0.1.0"
