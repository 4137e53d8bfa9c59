"""Demo content authoring: ``make_demo.py`` (the command) and the attachments drawn with Qt.

The generator, its text banks and record builders live in ``kiosk/demo/``, because the terminal
generates the demo county for its own day at run time.
"""
