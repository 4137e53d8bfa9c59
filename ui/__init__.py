"""PySide6 screens. The only package that imports QtWidgets; it talks to kiosk/ services."""
