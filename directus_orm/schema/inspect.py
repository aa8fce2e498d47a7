"""Write a module of ``Model`` classes from a server's schema (``directus-orm inspect``).

The output is deterministic (collections and fields in a stable order, no
timestamp), passes ``mypy --strict`` and is laid out as ``ruff format``
leaves it (line length 88). Everything the annotation cannot say and
``migrate`` needs to rebuild the schema goes into ``FieldOptions``.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import BaseSession, DirectusORMError, Model
from .. import __all__ as _public_names
from ._drive import arun, run
from .introspect import read_schema_flow
from .spec import CollectionSpec, FieldSpec, RelationSpec, SchemaSpec
from .types import row_for

__all__ = ["ainspect", "inspect", "render_models"]

LINE = 88



def inspect(
    session: BaseSession | None = None,
    collections: Sequence[str] | None = None,
    *,
    exclude: Sequence[str] = (),
    system: bool = False,
    literal_choices: bool = False,
) -> str:
    """Python source of one module with a ``Model`` class per collection.

    ``collections`` limits the output to those collections (junctions and
    related collections are not added on their own: a relation to a
    collection left out is typed with its key only); ``exclude`` leaves some
    out; ``system`` adds, for each system collection with fields of your own
    (``directus_users.nickname``), a subclass of its system model declaring
    them (``class AppUser(DirectusUser)``), which relations then use; without
    it relations to system collections use ``DirectusUser``, ``DirectusFile``,
    ...; ``literal_choices`` types dropdown fields as a
    ``Literal`` of their choices instead of noting them in a comment.
    """
    spec = run(session, read_schema_flow(system=system), "inspect")
    return render_models(spec, collections, exclude=exclude, literal_choices=literal_choices)


async def ainspect(
    session: BaseSession | None = None,
    collections: Sequence[str] | None = None,
    *,
    exclude: Sequence[str] = (),
    system: bool = False,
    literal_choices: bool = False,
) -> str:
    """Async :func:`inspect`."""
    spec = await arun(session, read_schema_flow(system=system), "inspect")
    return render_models(spec, collections, exclude=exclude, literal_choices=literal_choices)


# ------------------------------------------------------------------ naming


def _system_models() -> dict[str, str]:
    """System collection → the public model class name (``directus_users`` → ``DirectusUser``)."""
    import directus_orm

    out: dict[str, str] = {}
    for name in _public_names:
        obj = getattr(directus_orm, name)
        if isinstance(obj, type) and issubclass(obj, Model) and obj is not Model:
            out.setdefault(obj._meta.collection, name)
    return out


_RESERVED_CLASSES = frozenset(
    {"Model", "Annotated", "Any", "Decimal", "UUID", "FieldOptions", "M2M", "M2A", "Field",
     "Literal", "datetime"}
)
_MODEL_ATTRS = frozenset(dir(Model)) | {"pk", "objects", "DoesNotExist", "MultipleObjectsReturned"}


def class_name(collection: str) -> str:
    """``blog_posts`` → ``BlogPosts``; ``2fa-codes`` → ``C2faCodes``."""
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", collection) if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "Collection"
    if name[0].isdigit():
        name = "C" + name
    return name


def attribute_name(field_name: str) -> str:
    """A Python attribute for a Directus field (``class`` → ``class_``, ``my-field`` → ``my_field``)."""
    name = re.sub(r"\W", "_", field_name)
    if not name or name[0].isdigit():
        name = "f_" + name
    if name.startswith("_"):
        name = "f" + name
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in _MODEL_ATTRS or (
        name.startswith("model_")
    ):
        name += "_"
    return name


def _custom_fields(coll: CollectionSpec, system: dict[str, str]) -> list[FieldSpec]:
    """The fields added to a system collection that has a public model (none otherwise)."""
    if coll.name not in system:
        return []
    return [f for f in coll.fields.values() if not f.system]


def _assign_class_names(
    collections: Iterable[str], taken: set[str], system: dict[str, str]
) -> dict[str, str]:
    names: dict[str, str] = {}
    used = set(taken) | _RESERVED_CLASSES
    for collection in sorted(collections):
        base = class_name(collection)
        if collection in system:  # DirectusUser -> AppUser
            base = "App" + system[collection].removeprefix("Directus")
        name = base
        n = 2
        while name in used:
            name = f"{base}{n}" if base not in _RESERVED_CLASSES else f"{base}_" * (n - 1)
            n += 1
        used.add(name)
        names[collection] = name
    return names


# ------------------------------------------------------------------ rendering


@dataclass
class _Field:
    name: str
    api_name: str
    annotation: str
    metadata: list[str] = field(default_factory=list)
    default: str | None = None
    comment: str | None = None
    doc: str | None = None


@dataclass
class _Module:
    spec: SchemaSpec
    classes: dict[str, str]
    system: dict[str, str]
    literal_choices: bool
    imports: set[str] = field(default_factory=set)
    orm_names: set[str] = field(default_factory=lambda: {"Model"})
    extra: set[str] = field(default_factory=set)
    """``FieldOptions`` (from directus_orm.schema) and ``Field`` (from pydantic), when used."""

    def ref(self, collection: str | None) -> str | None:
        if collection is None:
            return None
        if collection in self.classes:
            return self.classes[collection]
        if collection in self.system:
            self.orm_names.add(self.system[collection])
            return self.system[collection]
        return None

    def key_type(self, collection: str | None, fallback: FieldSpec | None = None) -> str:
        """The Python type of a collection's primary key."""
        coll = self.spec.collections.get(collection or "")
        if coll is not None and coll.primary_key is not None:
            return self.scalar(coll.fields[coll.primary_key])
        if collection in self.system:
            import directus_orm

            model = getattr(directus_orm, self.system[collection])
            pk = model.model_fields[model._meta.primary_key].annotation
            return "int" if "int" in str(pk) else "str"
        if fallback is not None:
            return self.scalar(fallback)
        return "str"

    def scalar(self, f: FieldSpec) -> str:
        row = row_for(f.type)
        if f.special and "uuid" not in f.special and row.directus == "uuid":
            row = row_for("string")
        for imp in row.imports:
            self.imports.add(imp)
        if self.literal_choices and f.choices and all(isinstance(c, (str, int)) for c in f.choices):
            self.imports.add("from typing import Literal")
            return "Literal[" + ", ".join(_literal(c) for c in f.choices) + "]"
        return row.annotation


def _literal(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    return repr(value)


def _string(value: str) -> str:
    """A double-quoted Python string literal (ruff's preferred quotes)."""
    body = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if '"' in value and "'" not in value:
        return "'" + value.replace("\\", "\\\\").replace("\n", "\\n") + "'"
    return f'"{body}"'


def _doc(text: str) -> str:
    one = " ".join(text.split()).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if one.endswith('"'):
        one = one[:-1] + '\\"'
    return f'"""{one}"""'


def _default(value: Any, annotation: str) -> str | None:
    """A Python default for a schema default, when it is a plain literal of the right type."""
    if value is None:
        return None
    if annotation == "bool" and isinstance(value, (bool, int)):
        return repr(bool(value))
    if annotation == "int" and isinstance(value, int) and not isinstance(value, bool):
        return repr(value)
    if annotation == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(float(value))
    if (annotation == "str" or annotation.startswith("Literal[")) and isinstance(value, str):
        return _string(value)
    if annotation == "Decimal" and isinstance(value, (int, float, str)):
        return f"Decimal({_string(str(value))})"
    return None


def _options(**values: Any) -> str | None:
    items = [f"{k}={_literal(v) if not isinstance(v, tuple) else _tuple(v)}"
             for k, v in values.items() if v not in (None, False)]
    return f"FieldOptions({', '.join(items)})" if items else None


def _tuple(values: tuple[Any, ...]) -> str:
    inner = ", ".join(_literal(v) for v in values)
    return f"({inner},)" if len(values) == 1 else f"({inner})"


def render_models(
    spec: SchemaSpec,
    collections: Sequence[str] | None = None,
    *,
    exclude: Sequence[str] = (),
    literal_choices: bool = False,
) -> str:
    """Python source for the collections of ``spec`` (see :func:`inspect`)."""
    system = _system_models()
    wanted = [
        name for name in sorted(spec.collections)
        if (collections is None or name in collections or name.startswith("directus_"))
        and name not in exclude
        and (not name.startswith("directus_") or _custom_fields(spec.collections[name], system))
    ]
    if collections is not None:
        missing = sorted(set(collections) - set(spec.collections))
        if missing:
            raise DirectusORMError(
                f"no such collection on the server: {', '.join(missing)} "
                "(or the current user may not read its schema)"
            )
    classes = _assign_class_names(wanted, set(system.values()), system)
    mod = _Module(spec, classes, system, literal_choices)
    bodies: list[str] = []
    for name in wanted:
        bodies.append(_render_class(mod, spec.collections[name]))

    header = ['"""Directus models generated by ``directus-orm inspect``."""', "",
              "from __future__ import annotations", ""]
    stdlib: list[str] = []
    for imp in sorted(mod.imports, key=_import_key):
        stdlib.append(imp)
    typing_names = sorted(
        {imp.split(" import ")[1] for imp in stdlib if imp.startswith("from typing import")}
    )
    stdlib = [imp for imp in stdlib if not imp.startswith("from typing import")]
    if typing_names:
        stdlib.append("from typing import " + ", ".join(typing_names))
    stdlib.sort(key=_import_key)
    third = []
    orm = sorted(mod.orm_names, key=_name_key)
    third.append(_wrap_import("directus_orm", orm))
    if "FieldOptions" in mod.extra:
        third.append("from directus_orm.schema import FieldOptions")
    if "Field" in mod.extra:
        third.append("from pydantic import Field")
    lines = header
    if stdlib:
        lines += [*stdlib, ""]
    lines += third
    out = "\n".join(lines) + "\n"
    for body in bodies:
        out += "\n\n" + body
    if wanted:
        out += "\n\n" + "".join(f"{classes[n]}.model_rebuild()\n" for n in wanted)
    return out


def _import_key(line: str) -> tuple[int, str]:
    # ruff's isort: plain `import x` and `from x import y` sorted by module name together.
    module = line.split()[1]
    return (0, module.lower())


def _name_key(name: str) -> tuple[int, str]:
    # isort's order-by-type: CONSTANTS, then Classes, then functions.
    if name.isupper():
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


def _wrap_import(module: str, names: list[str]) -> str:
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= LINE:
        return line
    return f"from {module} import (\n" + "".join(f"    {n},\n" for n in names) + ")"


def _render_class(mod: _Module, coll: CollectionSpec) -> str:
    spec = mod.spec
    cname = mod.classes[coll.name]
    if coll.name in mod.system:  # the fields added to a system collection
        parent = mod.system[coll.name]
        mod.orm_names.add(parent)
        lines = [f"class {cname}({parent}):"]
        fields = sorted(_custom_fields(coll, mod.system), key=lambda f: f.field)
    else:
        keywords = [f"collection={_string(coll.name)}"]
        pk = coll.primary_key
        if pk is not None and pk != "id":
            keywords.append(f"primary_key={_string(pk)}")
        if coll.singleton:
            keywords.append("singleton=True")
        head = f"class {cname}(Model, {', '.join(keywords)}):"
        if len(head) > LINE:
            head = f"class {cname}(\n    Model,\n" + "".join(f"    {k},\n" for k in keywords) + "):"
        lines = [head]
        if coll.note:
            lines.append("    " + _doc(coll.note))
            lines.append("")
        fields = _ordered_fields(coll)
    used: set[str] = set()
    rendered: list[_Field] = []
    for f in fields:
        out = _render_field(mod, spec, coll, f)
        if out is None:
            continue
        while out.name in used:
            out.name += "_"
        used.add(out.name)
        rendered.append(out)
    if not rendered:
        lines.append("    pass")
    for out in rendered:
        if out.name != out.api_name:
            mod.extra.add("Field")
            out.metadata.append(f"Field(alias={_string(out.api_name)})")
        annotation = out.annotation
        if out.metadata:
            annotation = f"Annotated[{annotation}, {', '.join(out.metadata)}]"
            mod.imports.add("from typing import Annotated")
        if out.comment:
            lines.append(f"    # {out.comment}")
        lines.append(_field_line(out.name, annotation, out.default))
        if out.doc:
            lines.append("    " + _doc(out.doc))
    return "\n".join(lines) + "\n"


def _field_line(name: str, annotation: str, default: str | None) -> str:
    tail = "" if default is None else f" = {default}"
    line = f"    {name}: {annotation}{tail}"
    if len(line) <= LINE:
        return line
    if not annotation.startswith("Annotated["):
        # As ruff format does: the annotation in parentheses, split at `|` if still too long.
        if len(annotation) + 8 <= LINE:
            return f"    {name}: (\n        {annotation}\n    ){tail}"
        parts = _split_top(annotation, "|")
        body = "\n".join(("        " if i == 0 else "        | ") + p for i, p in enumerate(parts))
        return f"    {name}: (\n{body}\n    ){tail}"
    inner = _split_top(annotation[len("Annotated["):-1])
    body = "".join(f"        {part},\n" for part in inner)
    return f"    {name}: Annotated[\n{body}    ]{tail}"


def _split_top(text: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` outside brackets and strings."""
    parts: list[str] = []
    depth = 0
    quote: str | None = None
    start = 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def _ordered_fields(coll: CollectionSpec) -> list[FieldSpec]:
    """The primary key first, then the fields in name order."""
    fields = sorted(coll.fields.values(), key=lambda f: f.field)
    return sorted(fields, key=lambda f: not f.primary_key)


def _render_field(
    mod: _Module, spec: SchemaSpec, coll: CollectionSpec, f: FieldSpec
) -> _Field | None:
    name = attribute_name(f.field)
    out = _Field(name=name, api_name=f.field, annotation="", doc=f.note)
    if f.is_alias:
        return _render_alias(mod, spec, coll, f, out)
    rel = spec.relation(coll.name, f.field)
    if rel is not None and rel.related_collection is not None:
        return _render_m2o(mod, coll, f, rel, out)
    scalar = mod.scalar(f)
    row = row_for(f.type)
    options: dict[str, Any] = {}
    if not row.preferred and row.directus != "uuid":
        options["type"] = f.type
    if f.type == "uuid" and "uuid" not in f.special:
        options["type"] = "uuid"
    if f.unique:
        options["unique"] = True
    if f.max_length not in (None, 255) and f.type == "string":
        options["max_length"] = f.max_length
    if f.type == "decimal" and (f.precision, f.scale) not in ((None, None), (10, 5)):
        options["precision"] = f.precision
        options["scale"] = f.scale
    opt = _options(**options)
    if opt:
        out.metadata.append(opt)
        mod.extra.add("FieldOptions")
    if f.choices and not mod.literal_choices:
        out.comment = "choices: " + ", ".join(_literal(c) for c in f.choices)
    generated = f.generated
    server_filled = False
    default = _default(f.default, scalar)
    if scalar == "Any":
        out.annotation = scalar
        out.default = "None"
    elif f.nullable or generated or server_filled or (f.default is not None and default is None):
        out.annotation = f"{scalar} | None"
        out.default = default or "None"
    else:
        out.annotation = scalar
        out.default = default
    return out


def _render_m2o(
    mod: _Module, coll: CollectionSpec, f: FieldSpec, rel: RelationSpec, out: _Field
) -> _Field:
    key = mod.scalar(f)  # what the column holds, which the server returns
    target = mod.ref(rel.related_collection)
    parts = [p for p in (target, key) if p]
    if target is None:
        out.comment = f"many-to-one to {rel.related_collection} (not generated)"
    if f.nullable or f.generated or f.default is not None:
        out.annotation = " | ".join([*parts, "None"])
        out.default = "None"
    else:  # NOT NULL without a default: required, as for any other column
        out.annotation = " | ".join(parts)
    if rel.on_delete not in (None, "SET NULL") and target is not None:
        opt = _options(on_delete=rel.on_delete)
        assert opt is not None
        out.metadata.append(opt)
        mod.extra.add("FieldOptions")
    return out


def _render_alias(
    mod: _Module, spec: SchemaSpec, coll: CollectionSpec, f: FieldSpec, out: _Field
) -> _Field | None:
    rel = next(
        (r for r in spec.relations.values()
         if r.related_collection == coll.name and r.one_field == f.field),
        None,
    )
    if rel is None:
        return None  # a presentation or group field, or a relation we cannot see
    out.default = "None"
    if rel.junction_field is None:  # one-to-many
        child = mod.ref(rel.collection)
        key = mod.key_type(rel.collection)
        if child is None:
            out.annotation = f"list[{key}] | None"
            out.comment = f"one-to-many to {rel.collection} (not generated)"
        else:
            out.annotation = f"list[{child}] | list[{key}] | None"
        # The child's key is named only when the child has several keys to this collection.
        options = _options(
            related_field=rel.field if _several_fks(spec, rel) else None,
            one_deselect_action=rel.one_deselect_action
            if rel.one_deselect_action not in (None, "nullify") else None,
        )
        if options:
            out.metadata.append(options)
            mod.extra.add("FieldOptions")
        return out
    far = spec.relation(rel.collection, rel.junction_field)
    junction = spec.collections.get(rel.collection)
    junction_pk = junction.primary_key if junction else "id"
    if far is not None and far.related_collection is None and far.one_allowed_collections:
        targets = [mod.ref(c) for c in far.one_allowed_collections]
        names = [t for t in targets if t is not None]
        if not names:
            out.comment = "many-to-any to collections not generated"
            out.annotation = "list[Any] | None"
            mod.imports.add("from typing import Any")
            return out
        args = {}
        if far.field != "item":
            args["item_field"] = far.field
        if far.one_collection_field not in (None, "collection"):
            args["collection_field"] = far.one_collection_field
        if junction_pk not in (None, "id"):
            args["junction_pk"] = junction_pk
        out.annotation = f"list[{' | '.join(names)}] | None"
        out.metadata.append("M2A(" + ", ".join(f"{k}={_string(v)}" for k, v in args.items()) + ")")
        mod.orm_names.add("M2A")
        mod.imports.add("from typing import Annotated")
        options = _options(
            junction=rel.collection if rel.collection != f"{coll.name}_{f.field}" else None,
            related_field=rel.field if rel.field != f"{coll.name}_id" else None,
            one_deselect_action=rel.one_deselect_action
            if rel.one_deselect_action not in (None, "delete") else None,
        )
        if options:
            out.metadata.append(options)
            mod.extra.add("FieldOptions")
        return out
    if far is None or far.related_collection is None:
        return None
    target = mod.ref(far.related_collection)
    far_field = junction.fields.get(far.field) if junction else None
    key = mod.scalar(far_field) if far_field else mod.key_type(far.related_collection)
    if target is None:
        out.annotation = f"list[{key}] | None"
        out.comment = f"many-to-many to {far.related_collection} (not generated)"
        return out
    out.annotation = f"list[{target}] | list[{key}] | None"
    m2m_args = {}
    if far.field != f"{far.related_collection}_id":
        m2m_args["junction_field"] = far.field
    if junction_pk not in (None, "id"):
        m2m_args["junction_pk"] = junction_pk
    out.metadata.append("M2M(" + ", ".join(f"{k}={_string(v)}" for k, v in m2m_args.items()) + ")")
    mod.orm_names.add("M2M")
    options = _options(
        junction=rel.collection if rel.collection != f"{coll.name}_{far.related_collection}" else None,
        related_field=rel.field if rel.field != f"{coll.name}_id" else None,
        one_deselect_action=rel.one_deselect_action
        if rel.one_deselect_action not in (None, "delete") else None,
    )
    if options:
        out.metadata.append(options)
        mod.extra.add("FieldOptions")
    return out


def _several_fks(spec: SchemaSpec, rel: RelationSpec) -> bool:
    """Whether the child has more than one many-to-one to the parent (then the key is named)."""
    return sum(
        1 for r in spec.relations.values()
        if r.collection == rel.collection and r.related_collection == rel.related_collection
    ) > 1
