"""Where the examples find their Directus: DIRECTUS_URL, DIRECTUS_EMAIL, DIRECTUS_PASSWORD.

When they are missing, say how to get a server instead of failing with a KeyError.
"""

from __future__ import annotations

import os
import sys

NEEDED = ("DIRECTUS_URL", "DIRECTUS_EMAIL", "DIRECTUS_PASSWORD")

HELP = """\
{script} needs a Directus server: set {missing}.

After `make demo`, its server and demo data come back with

    directus-orm serve --data .cache/demo

(or `python -m directus_orm.cli serve --data .cache/demo`), which prints the URL and the admin
login. Then, in another shell:

    export DIRECTUS_URL=<the URL> DIRECTUS_EMAIL=<email> DIRECTUS_PASSWORD=<password>
    python examples/{script}
"""


def server_from_env() -> tuple[str, str, str]:
    """(url, email, password) from the environment, or exit with what to do."""
    missing = [name for name in NEEDED if not os.environ.get(name)]
    if missing:
        script = os.path.basename(sys.argv[0]) or "this example"
        sys.exit(HELP.format(script=script, missing=", ".join(missing)))
    return os.environ["DIRECTUS_URL"], os.environ["DIRECTUS_EMAIL"], os.environ["DIRECTUS_PASSWORD"]
