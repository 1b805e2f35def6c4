"""Ingest: feeds and article pages fetched over HTTP, read, and matched into inbox candidates."""
