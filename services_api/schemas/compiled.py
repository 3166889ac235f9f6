"""Dump exactly as a marshmallow schema does, with the per-field work planned once instead of per value.

`CompiledDump(schema)` reads the schema's fields once and keeps, for each, the fastest step that
gives marshmallow's own result: plain fields read their attribute and call the field's own
`_serialize`; nested schemas are compiled in turn; `fields.Function`/`fields.Method` (whose
logic lives in the schema) and anything unusual are left to marshmallow's `Field.serialize`; the
schema's own `post_dump` hooks run unchanged. The output is the same dict, in the same key order,
as `schema.dump(obj)` (tests/test_fast_search_output.py compares them byte for byte).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, fields, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP

Step = Callable[[Any], Any]


class CompiledDump:
    """A marshmallow schema's dump, planned once: `dump(obj)` equals `schema.dump(obj)`."""

    def __init__(self, schema: Schema):
        if schema._hooks[PRE_DUMP] or any(hook_many for _, hook_many, _ in schema._hooks[POST_DUMP]):
            raise TypeError(f"{type(schema).__name__}: pre_dump and collection hooks are not compiled")
        self.schema = schema
        self.steps = [
            (field.data_key or name, _step(schema, name, field)) for name, field in schema.dump_fields.items()
        ]
        self.post_dump = [
            (getattr(schema, attr), bool(kwargs.get("pass_original")))
            for attr, _, kwargs in schema._hooks[POST_DUMP]
        ]

    def dump(self, obj: Any, *, many: bool = False) -> Any:
        """Return what `schema.dump(obj, many=many)` returns."""
        return [self.one(item) for item in obj] if many else self.one(obj)

    def one(self, obj: Any) -> dict[str, Any]:
        """Return what `schema.dump(obj)` returns for one object."""
        data: dict[str, Any] = {}
        for key, step in self.steps:
            value = step(obj)
            if value is not missing:
                data[key] = value
        for hook, pass_original in self.post_dump:
            data = hook(data, obj, many=False) if pass_original else hook(data, many=False)
        return data


def _step(schema: Schema, name: str, field: fields.Field[Any]) -> Step:
    """Return the function that gives one field's dumped value (or `missing`) for an object."""
    attribute = field.attribute or name
    generic = not field._CHECK_ATTRIBUTE or field.dump_default is not missing or "." in attribute
    if generic or isinstance(field, fields.Function | fields.Method | fields.Pluck):
        return _marshmallow_step(schema, name, field)
    if isinstance(field, fields.Nested):
        return _nested_step(attribute, CompiledDump(field.schema), bool(field.many or field.schema.many))
    inner = getattr(field, "inner", None)
    if (
        isinstance(field, fields.List)
        and type(inner) is fields.Nested
        and not (inner.many or inner.schema.many)
    ):
        return _nested_step(attribute, CompiledDump(inner.schema), many=True)
    if isinstance(field, fields.List | fields.Dict | fields.Tuple):
        return _marshmallow_step(schema, name, field)
    serialize = field._serialize

    def plain(obj: Any) -> Any:
        value = getattr(obj, attribute, missing)
        return missing if value is missing else serialize(value, attribute, obj)

    return plain


def _marshmallow_step(schema: Schema, name: str, field: fields.Field[Any]) -> Step:
    def generic(obj: Any) -> Any:
        return field.serialize(name, obj, accessor=schema.get_attribute)

    return generic


def _nested_step(attribute: str, nested: CompiledDump, many: bool) -> Step:
    def one(obj: Any) -> Any:
        value = getattr(obj, attribute, missing)
        if value is missing or value is None:
            return value
        return nested.dump(value, many=many)

    return one
