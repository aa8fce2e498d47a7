"""Directus's system collections as models, and their special QuerySets."""
