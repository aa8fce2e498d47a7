"""The lookup tables, Q objects and dynamic variables."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from directus_orm._query.lookups import (
    LOOKUPS,
    NEGATED_OPERATORS,
    NOT_NEGATABLE,
    TRANSFORM_LOOKUPS,
    TRANSFORMS,
    UNSUPPORTED_LOOKUPS,
    lookup_names,
)
from directus_orm._query.q import Q
from directus_orm._query.variables import (
    CURRENT_POLICIES,
    CURRENT_ROLE,
    CURRENT_ROLES,
    CURRENT_USER,
    NOW,
    DynamicVariable,
    current_user,
    now,
)

# ------------------------------------------------------------------ tables


def test_negation_is_an_involution() -> None:
    for operator, negated in NEGATED_OPERATORS.items():
        if negated is not None:
            assert NEGATED_OPERATORS[negated] == operator, operator


def test_every_operator_without_negation_says_why() -> None:
    missing = {op for op, neg in NEGATED_OPERATORS.items() if neg is None}
    assert missing == set(NOT_NEGATABLE)
    assert "_nicontains" in NOT_NEGATABLE["_icontains"]


def test_every_lookup_operator_is_in_the_negation_table() -> None:
    for lookup in LOOKUPS.values():
        assert lookup.operator in NEGATED_OPERATORS, lookup.name


def test_negated_operator_of_lookups() -> None:
    assert LOOKUPS["exact"].negated_operator == "_neq"
    assert LOOKUPS["gt"].negated_operator == "_lte"
    assert LOOKUPS["in"].negated_operator == "_nin"
    assert LOOKUPS["istartswith"].negated_operator == "_nistarts_with"
    assert LOOKUPS["some"].negated_operator == "_none"
    assert LOOKUPS["icontains"].negated_operator is None
    assert LOOKUPS["json"].negated_operator is None


def test_supported_and_refused_names_do_not_overlap() -> None:
    assert not set(LOOKUPS) & set(UNSUPPORTED_LOOKUPS)
    assert not set(TRANSFORMS) & set(UNSUPPORTED_LOOKUPS)
    assert not set(TRANSFORMS) & set(LOOKUPS)
    assert TRANSFORM_LOOKUPS <= set(LOOKUPS)


def test_tables_are_read_only() -> None:
    with pytest.raises(TypeError):
        LOOKUPS["bogus"] = LOOKUPS["exact"]  # type: ignore[index]


def test_lookup_names_for_messages() -> None:
    names = lookup_names().split(", ")
    assert names == sorted(names)
    assert {"exact", "year", "count", "intersects_bbox"} <= set(names)


def test_every_lookup_documents_its_value() -> None:
    for name in ("exact", "in", "range", "isnull", "empty", "json", "some", "none"):
        assert LOOKUPS[name].doc, name


# ----------------------------------------------------------------------- Q


def test_q_keeps_keyword_order() -> None:
    assert Q(b=1, a=2).children == (("b", 1), ("a", 2))


def test_q_positional_children_come_first() -> None:
    inner = Q(a=1)
    assert Q(inner, {"x": {"_eq": 1}}, b=2).children == (inner, {"x": {"_eq": 1}}, ("b", 2))


def test_q_is_immutable() -> None:
    q = Q(a=1)
    with pytest.raises(AttributeError, match="immutable"):
        q.negated = True
    with pytest.raises(AttributeError, match="immutable"):
        del q.children


def test_q_operators_return_new_objects() -> None:
    a, b = Q(a=1), Q(b=2)
    both = a & b
    assert both.connector == "AND" and both.children == (("a", 1), ("b", 2))
    either = a | b
    assert either.connector == "OR" and either.children == (a, b)
    assert (~a).negated and not a.negated


def test_q_flattens_same_connector() -> None:
    a, b, c = Q(a=1), Q(b=2), Q(c=3)
    assert ((a | b) | c).children == (a, b, c)
    assert ((a | b) & c).children == (a | b, ("c", 3))


def test_q_does_not_flatten_a_negated_operand() -> None:
    a, b = Q(a=1), Q(b=2)
    assert ((~(a | b)) | a).children == (~(a | b), a)


def test_q_equality() -> None:
    assert Q(a=1) == Q(a=1)
    assert Q(a=1) != Q(a=2)
    assert Q(a=1) != ~Q(a=1)
    assert Q(a=1) | Q(b=2) != Q(a=1) & Q(b=2)
    assert Q({"x": {"_eq": 1}}) == Q({"x": {"_eq": 1}})
    assert Q(a=1) != "Q(a=1)"


def test_q_is_not_hashable() -> None:
    with pytest.raises(TypeError):
        hash(Q(a=1))


def test_empty_q_is_falsy_and_neutral() -> None:
    assert not Q()
    assert Q(a=1)
    assert (Q() | Q(a=1)) == Q(a=1)
    assert (Q(a=1) & Q()) == Q(a=1)


@pytest.mark.parametrize(
    "q",
    [
        Q(title="x", views__gt=5),
        ~Q(a=1),
        Q(a=1) | Q(b=2),
        ~(Q(a=1) | Q(b=2)),
        Q(Q(a=1) | Q(b=2), c=3),
        Q({"x": {"_eq": 1}}) & Q(a=1) & Q(a=2),
        Q(),
    ],
)
def test_q_repr_round_trips(q: Q) -> None:
    assert eval(repr(q), {"Q": Q}) == q


def test_q_repr_is_readable() -> None:
    assert repr(Q(title="x") | ~Q(views__gt=5)) == "(Q(title='x') | ~Q(views__gt=5))"


def test_q_refuses_other_children() -> None:
    with pytest.raises(TypeError, match="not int"):
        Q(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Q(a=1) & {"a": 1}  # type: ignore[operator]


def test_q_copies_raw_dicts() -> None:
    raw = {"a": {"_in": [1]}}
    q = Q(raw)
    raw["a"]["_in"].append(2)
    assert q.children == ({"a": {"_in": [1]}},)


def test_q_can_be_copied_and_pickled() -> None:
    q = ~(Q(a=1) | Q({"b": {"_eq": 2}}))
    assert copy.copy(q) == q
    assert copy.deepcopy(q) == q
    assert pickle.loads(pickle.dumps(q)) == q


# ------------------------------------------------------- dynamic variables


def test_constants() -> None:
    assert NOW == "$NOW"
    assert CURRENT_USER == "$CURRENT_USER"
    assert CURRENT_ROLE == "$CURRENT_ROLE"
    assert CURRENT_ROLES == "$CURRENT_ROLES"
    assert CURRENT_POLICIES == "$CURRENT_POLICIES"
    assert all(
        isinstance(v, DynamicVariable)
        for v in (NOW, CURRENT_USER, CURRENT_ROLE, CURRENT_ROLES, CURRENT_POLICIES)
    )


def test_variables_serialize_as_plain_strings() -> None:
    assert json.dumps({"a": NOW, "b": now("-1 year")}) == '{"a": "$NOW", "b": "$NOW(-1 year)"}'
    assert repr(NOW) == "DynamicVariable('$NOW')"


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        ("-1 year", "$NOW(-1 year)"),
        ("+2 days", "$NOW(+2 days)"),
        ("-30 minutes", "$NOW(-30 minutes)"),
        ("+1.5 weeks", "$NOW(+1.5 weeks)"),
        ("-3h", "$NOW(-3h)"),
        (" +1 month ", "$NOW(+1 month)"),
    ],
)
def test_now_with_an_offset(offset: str, expected: str) -> None:
    value = now(offset)
    assert value == expected
    assert isinstance(value, DynamicVariable)


@pytest.mark.parametrize("offset", ["1 year", "-1", "-1 fortnight", "-1 year ago", "", "-x days", "+-1 day"])
def test_now_refuses_other_offsets(offset: str) -> None:
    with pytest.raises(ValueError, match="invalid \\$NOW offset"):
        now(offset)


def test_current_user_field() -> None:
    assert current_user("email") == "$CURRENT_USER.email"
    assert current_user("role.name") == "$CURRENT_USER.role.name"
    assert isinstance(current_user("id"), DynamicVariable)


@pytest.mark.parametrize("field", ["", "a b", "email)", ".email", "role..name"])
def test_current_user_refuses_non_field_paths(field: str) -> None:
    with pytest.raises(ValueError, match="invalid \\$CURRENT_USER field"):
        current_user(field)
