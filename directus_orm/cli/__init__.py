"""The ``directus-orm`` command line (``python -m directus_orm``)."""
