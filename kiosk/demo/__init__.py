"""The demo county (溪源县): text banks, record builders and the generator that writes it.

Why here, in an installed package, and not in ``tools/``: the terminal itself generates the demo
when ``kiosk run --demo`` loads it, so the generator must be importable wherever the kiosk runs.
Everything in this package is plain Python with no Qt; the one part that draws with Qt (the
attachments' PDF and PNG pages) stays in ``tools/demo_content/attachments.py`` and its output is
checked in under ``resources/demo/records/blobs/``, which the generator reuses.
"""
