"""``python -m directus_orm``: the ``directus-orm`` command line."""

from directus_orm.cli.main import main

raise SystemExit(main())
