"""Test helpers as a package, loaded through ``pytest_plugins`` in tests/conftest.py (as qutebrowser's tests/helpers/).

- ``records``: small valid records to build on (``make``, ``VILLAGE`` …);
- ``clock``: the fixed instant every test runs at (``TEST_NOW``, ``TEST_ENV`` for ``kiosk`` processes);
- ``paths``: ``ROOT``, the repository;
- ``fixtures``: the ``terminal`` and ``demo_terminal`` fixtures (a plugin);
- ``qt``: a shown kiosk window (the ``kiosk_window`` fixture, ``open_window``) and what a finger does
  (``tap``, ``press``, ``button``, ``current``, ``visible``, ``tap_row``) — a plugin that imports Qt only when used.

Import names from these modules, not from tests.conftest (which re-exports them for older tests).
"""
