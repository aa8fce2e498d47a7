"""One module per service area of the Directus API, each a sync and an async facade."""
