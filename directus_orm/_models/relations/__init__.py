"""Relations: many-to-one, one-to-many, many-to-many and many-to-any model fields.

Declaring. The annotation says what a relation holds; a marker in
``Annotated`` says what the annotation cannot::

    author: Author | int | None = None                                  # many-to-one
    articles: list[Article] | list[int] | None = None                   # one-to-many
    tags: Annotated[list[Tag] | list[int] | None, M2M()] = None         # many-to-many
    blocks: Annotated[list[Heading | Text] | None, M2A()] = None        # many-to-any

A many-to-many is, in Directus, a one-to-many to a junction collection whose
rows point at the far model (``tags_id``). The ORM hides the junction: the
attribute is a list of ``Tag`` (or of tag keys when not expanded), paths and
lookups name Tag's fields (``tags__label`` is sent as ``tags.tags_id.label``),
and the junction rows' keys are kept aside for writes. ``M2M(through=Model)``
declares the junction model when it has fields of its own. A many-to-any
holds instances of the allowed models (pk-only ones until expanded).

Loading. Everything comes in the one request of the QuerySet; attribute
access never does I/O. :func:`plan_load` compiles ``fields()``,
``select_related()`` and ``prefetch()`` into Directus ``fields`` and ``deep``:

* every nested list that is fetched gets ``deep[...][_limit] = -1`` unless the
  query limits it: Directus otherwise cuts nested lists at 100 per parent,
  with ``fields=*`` as well as with expanded paths (checked on 12.4);
* nested lists always carry their keys (``articles.id``; for a many-to-many
  the junction key and the far key), so that writes can be computed;
* ``select_related("author")`` loads the author's row (``author.*``) but not
  the author's own to-many lists: their ``deep`` limit is 0 and hydration
  marks them not loaded (``author.*`` alone would fetch every key of every
  list of every author).

Writing. To-many changes are sent in Directus's detailed form
``{"create": [...], "update": [...], "delete": [...]}``, computed from what
the object was loaded with (its *snapshot*) and what it holds now. Items
that were never loaded are never in a snapshot, so they can never be
unlinked by a save: a partially loaded list (``deep`` filter or limit) is
safe. ``delete`` entries are one-to-many child keys or junction row keys;
Directus only touches rows that belong to the parent, and applies the
relation's ``one_deselect_action`` (nullify, or delete).
"""
