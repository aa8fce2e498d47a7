"""Create and migrate a server's schema from models: ``migrate(session, models) -> Plan``."""

from __future__ import annotations

from collections.abc import Sequence

from .. import BaseSession, DirectusORMError
from ._drive import Req, SchemaFlow, arun, run
from .declared import declared_schema, load_models
from .drift import Models
from .introspect import read_schema_flow
from .plan import Plan, Step, make_plan

__all__ = ["MigrationError", "amigrate", "migrate", "plan_flow"]


class MigrationError(DirectusORMError):
    """A step of a migration failed; ``done`` holds the steps applied before it."""

    def __init__(self, message: str, step: Step, done: list[Step]) -> None:
        super().__init__(message)
        self.step = step
        self.done = done


def migrate(
    session: BaseSession | None,
    models: Models,
    *,
    dry_run: bool = False,
    allow_delete: bool = False,
    drop: Sequence[str] = (),
) -> Plan:
    """Create the collections, fields and relations ``models`` need, and return the plan.

    ``dry_run`` only plans. Without ``allow_delete`` nothing is dropped and no
    column changes type (those steps are listed in ``Plan.skipped``); with it,
    fields that no model declares are dropped from modelled collections, and
    the collections named in ``drop`` (which no model may declare) are
    dropped. A second run plans nothing.
    """
    return run(session, migrate_flow(models, dry_run=dry_run, allow_delete=allow_delete,
                                     drop=drop), "migrate")


async def amigrate(
    session: BaseSession | None,
    models: Models,
    *,
    dry_run: bool = False,
    allow_delete: bool = False,
    drop: Sequence[str] = (),
) -> Plan:
    """Async :func:`migrate`."""
    return await arun(
        session,
        migrate_flow(models, dry_run=dry_run, allow_delete=allow_delete, drop=drop),
        "migrate",
    )


def plan_flow(
    models: Models, *, allow_delete: bool = False, drop: Sequence[str] = ()
) -> SchemaFlow[Plan]:
    declared = declared_schema(load_models(models))
    actual = yield from read_schema_flow()
    return make_plan(declared, actual, allow_delete=allow_delete, drop=drop)


def migrate_flow(
    models: Models, *, dry_run: bool = False, allow_delete: bool = False,
    drop: Sequence[str] = (),
) -> SchemaFlow[Plan]:
    plan = yield from plan_flow(models, allow_delete=allow_delete, drop=drop)
    if dry_run or not plan:
        return plan
    done: list[Step] = []
    for step in plan.steps:
        if step.action == "delete_collection":
            # Directus on SQLite can hang dropping a collection with relations
            # right after a schema change; reading its relations first avoids it.
            yield Req("GET", f"/relations/{step.request.path.rsplit('/', 1)[1]}")
        try:
            yield step.request
        except DirectusORMError as exc:
            raise MigrationError(
                f"migration step failed: {step}: {exc} ({len(done)} of {len(plan.steps)} "
                "steps applied before it)",
                step,
                done,
            ) from exc
        done.append(step)
    plan.applied = True
    return plan
