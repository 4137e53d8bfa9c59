"""Numbered migrations of ``usage.sqlite`` (kiosk/usage.py). Each module ``mNNNN_*.py`` has ``VERSION`` and ``up(db)``.

``db`` is the usage log's own ``sqlite3`` connection. Add a migration as a new module; never edit one
that has shipped.
"""
