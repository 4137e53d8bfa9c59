"""The content record format: schema, validation, reading record files, derived text."""
