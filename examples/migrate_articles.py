"""Copy and transform articles into an archive collection: streaming, batched, resumable.

    python examples/migrate_articles.py [--state migrate.state.json] [--batch 200]

Reads ``demo_articles`` with ``iterator()`` (keyset paging: constant memory,
no item skipped or repeated while paging), writes ``demo_archive`` with
``bulk_create`` in batches, shows a progress bar, and records the last copied
primary key in a state file after every batch. Interrupted (Ctrl-C, network
failure, a rejected batch), it starts again where it stopped: nothing is
copied twice and nothing is lost. Needs DIRECTUS_URL/EMAIL/PASSWORD and the
demo data (``make demo``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from connection import server_from_env
from models import Article

from directus_orm import BatchError, Forbidden, Model, ProgressBar, Session


class ArchivedArticle(Model, collection="demo_archive"):
    id: int | None = None
    source_id: int
    headline: str
    words: int
    author: int | None = None


def ensure_archive(s: Session) -> None:
    try:
        s.request("GET", "/collections/demo_archive")
        return
    except Forbidden:
        pass
    s.request("POST", "/collections", json={
        "collection": "demo_archive", "meta": {}, "schema": {},
        "fields": [
            {"field": "source_id", "type": "integer", "meta": {}, "schema": {"is_unique": True}},
            {"field": "headline", "type": "string", "meta": {}, "schema": {}},
            {"field": "words", "type": "integer", "meta": {}, "schema": {}},
            {"field": "author", "type": "integer", "meta": {}, "schema": {}},
        ],
    })


def transform(article: Article) -> ArchivedArticle:
    author = article.author
    return ArchivedArticle(
        source_id=article.id or 0,
        headline=article.title.upper(),
        words=len((article.body or "").split()),
        author=author if author is None or isinstance(author, int) else author.pk,
    )


def migrate(s: Session, state_path: Path, batch: int) -> int:
    state = json.loads(state_path.read_text()) if state_path.exists() else {"last_id": 0}
    source = Article.objects.filter(id__gt=state["last_id"]).fields("id", "title", "body", "author")
    total = source.count()
    progress = ProgressBar("migrate ")
    copied = 0
    pending: list[Article] = []

    def flush() -> None:
        nonlocal copied
        if not pending:
            return
        rows = [transform(a) for a in pending]
        try:
            ArchivedArticle.objects.bulk_create(rows, batch_size=batch)
        except BatchError as error:
            # Keep what was written, then stop: a rerun resumes after it.
            if error.written:
                state["last_id"] = pending[error.written - 1].id
                state_path.write_text(json.dumps(state))
            raise
        state["last_id"] = pending[-1].id
        state_path.write_text(json.dumps(state))  # the resumable position
        copied += len(pending)
        progress(copied, total)
        pending.clear()

    for article in source.iterator(chunk_size=batch):  # ascending primary key
        pending.append(article)
        if len(pending) >= batch:
            flush()
    flush()
    if total == 0:
        print("nothing left to copy")
    return copied


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", type=Path, default=Path("migrate.state.json"))
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    url, email, password = server_from_env()
    with Session(url) as s:
        s.auth.login(email, password)
        ensure_archive(s)
        copied = migrate(s, args.state, args.batch)
        print(f"copied {copied} articles; the archive holds {ArchivedArticle.objects.count()}")


if __name__ == "__main__":
    main()
