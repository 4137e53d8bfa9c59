"""PDF rendering, QR codes, printer backends (see the printing issue). Imports kiosk/ only."""
