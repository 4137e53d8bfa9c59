"""The reference portal: terminal enrolment, the upload inbox, the static feed and QR item pages.

A county runs it with `kiosk-portal serve`; see docs/PROTOCOL.md ("Terminal ↔ portal API").
Entry points: `sync.portal.app.create_app`, `sync.portal.models.issue_enrolment_code`. Nothing is
imported here so the staff commands start without loading Flask.
"""
