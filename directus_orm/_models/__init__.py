"""Models: metadata, state, hydration, writes, relations, the QuerySet and its manager."""
