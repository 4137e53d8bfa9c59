"""Demo content authoring: text banks, record builders and the demo county script."""
