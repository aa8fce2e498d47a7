"""The query language: lookups, Q objects, filters, aggregates and the QuerySet's state."""
