"""Numbered migrations of ``outbox.sqlite`` (kiosk/outbox.py). Each module ``mNNNN_*.py`` has ``VERSION`` and ``up(db)``.

``db`` is the outbox's own ``sqlite3`` connection. Add a migration as a new module; never edit one that
has shipped. This file must never lose a row: a migration that reshapes a table copies every row.
"""
