"""Model files shipped with the package (see MOVENET.md)."""
