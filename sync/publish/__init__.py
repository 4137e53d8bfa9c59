"""The publisher: turns a content source folder into a signed, static feed (`kiosk-publish`)."""
