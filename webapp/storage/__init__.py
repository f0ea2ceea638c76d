"""Content-addressed files (modules, datasets) through Django's storage API; see ``blobs``."""
