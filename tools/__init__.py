"""Repository tools (demo content authoring); a package so that bench/ can import it."""
