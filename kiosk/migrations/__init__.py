"""Numbered schema migrations. Each module ``mNNNN_*.py`` has ``VERSION`` and ``up(db)``.

Add a migration as a new module; never edit one that has shipped.
"""
