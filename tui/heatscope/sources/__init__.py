"""Where files come from: local paths, fsspec URLs, HSDS; opened read-only, never locked."""
