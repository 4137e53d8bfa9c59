"""Portal sync: signed feed client, publisher, outbox delivery (see the sync issue). Imports kiosk/ only."""
