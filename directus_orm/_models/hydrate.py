"""The one hydration path: response bytes validated straight into model instances."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from .model import Model

M = TypeVar("M", bound="Model")


def hydrate_one(model: type[M], content: bytes) -> M | None:
    envelope = model._meta.validator("one").validate_json(content)
    obj: M | None = envelope["data"]
    if obj is not None:
        model._meta.strip([obj], content)
    return obj


def hydrate_many(model: type[M], content: bytes) -> list[M]:
    envelope = model._meta.validator("list").validate_json(content)
    objs: list[M] = envelope["data"]
    model._meta.strip(objs, content)
    return objs
