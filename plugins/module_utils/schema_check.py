# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A JSON Schema (draft 2020-12) check of the keywords the request schemas use.

The request schemas (``schemas.py``) use a small part of JSON Schema: types,
properties, required, additionalProperties, items, minItems/maxItems,
minLength/maxLength (characters, as jsonschema counts them),
minimum/maximum/exclusiveMinimum/exclusiveMaximum, enum and pattern. This
module checks exactly those, with the library jsonschema's semantics (an
integer may be written 1.0, a boolean is never a number, each keyword
applies only to the types it speaks of, every error is reported), and
refuses a schema with any other keyword rather than ignore it. The tests
hold it against jsonschema itself on every schema and thousands of bodies.

Why not jsonschema at run time: importing it (with referencing, attrs and
its format checkers) costs every module process about 55 ms, a third of
the gap to ansible.builtin.uri on a one-call task, to check five small
schemas.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# Keywords that only annotate: they never make a body invalid.
# (The keywords that assert are those of ``_CHECKS``, below.)
ANNOTATIONS = frozenset(("$schema", "$id", "title", "description", "default"))


class SchemaError:
    """One violation, with the attributes of a jsonschema ValidationError that
    the rule wording needs: ``absolute_path`` (keys and list indexes from the
    body), ``validator`` (the keyword), ``validator_value``, ``instance``."""

    def __init__(self, path, keyword, limit, instance, detail=None):
        self.absolute_path = tuple(path)
        self.validator = keyword
        self.validator_value = limit
        self.instance = instance
        self.detail = detail  # required: the missing name; additionalProperties: the unknown names

    def __repr__(self):
        return "SchemaError(%r, %r)" % (list(self.absolute_path), self.validator)


def is_type(value, name):
    """jsonschema's type checker for the JSON types."""
    if name == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer())
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "array":
        return isinstance(value, list)
    if name == "object":
        return isinstance(value, dict)
    if name == "null":
        return value is None
    raise ValueError("unknown JSON Schema type %r" % (name,))


def _equal(one, two):
    """JSON equality: true and 1 differ, 1 and 1.0 do not (as jsonschema's enum)."""
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    if isinstance(one, (list, tuple)) and isinstance(two, (list, tuple)):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two))
    if isinstance(one, dict) and isinstance(two, dict):
        return set(one) == set(two) and all(_equal(one[k], two[k]) for k in one)
    return one == two


def check_keywords(schema):
    """Raise ValueError when ``schema`` (or one below it) uses a keyword this check does not know."""
    unknown = set(schema) - ANNOTATIONS - set(_CHECKS)
    if unknown:
        raise ValueError("schema keyword(s) not supported: %s" % ", ".join(sorted(unknown)))
    for sub in list((schema.get("properties") or {}).values()) + [schema.get("items")]:
        if isinstance(sub, dict):
            check_keywords(sub)
    if isinstance(schema.get("additionalProperties"), dict):
        check_keywords(schema["additionalProperties"])


def iter_errors(schema, instance, path=()):
    """Every violation of ``schema`` by ``instance``, keywords in the schema's order."""
    for keyword, limit in schema.items():
        if keyword in ANNOTATIONS:
            continue
        check = _CHECKS.get(keyword)
        if check is None:
            raise ValueError("schema keyword not supported: %s" % keyword)
        yield from check(limit, instance, path, schema)


def _type(limit, instance, path, schema):
    names = limit if isinstance(limit, list) else [limit]
    if not any(is_type(instance, name) for name in names):
        yield SchemaError(path, "type", limit, instance)


def _properties(limit, instance, path, schema):
    if isinstance(instance, dict):
        for name, sub in limit.items():
            if name in instance:
                yield from iter_errors(sub, instance[name], path + (name,))


def _required(limit, instance, path, schema):
    if isinstance(instance, dict):
        for name in limit:
            if name not in instance:
                yield SchemaError(path, "required", limit, instance, detail=name)


def _additional(limit, instance, path, schema):
    if not isinstance(instance, dict) or limit is True:
        return
    extras = sorted((name for name in instance if name not in (schema.get("properties") or {})), key=str)
    if not extras:
        return
    if limit is False:
        yield SchemaError(path, "additionalProperties", limit, instance, detail=extras)
        return
    for name in extras:
        yield from iter_errors(limit, instance[name], path + (name,))


def _items(limit, instance, path, schema):
    if isinstance(instance, list):
        for index, item in enumerate(instance):
            yield from iter_errors(limit, item, path + (index,))


def _compare(keyword, applies, measure, test):
    """A check of one number against the keyword's limit: a list's length or a number itself."""
    def check(limit, instance, path, schema):
        if applies(instance) and test(measure(instance), limit):
            yield SchemaError(path, keyword, limit, instance)
    return check


def _size(keyword, test):
    return _compare(keyword, lambda value: isinstance(value, list), len, test)


def _length(keyword, test):
    return _compare(keyword, lambda value: isinstance(value, str), len, test)


def _bound(keyword, test):
    return _compare(keyword, lambda value: is_type(value, "number"), lambda value: value, test)


def _enum(limit, instance, path, schema):
    if not any(_equal(instance, allowed) for allowed in limit):
        yield SchemaError(path, "enum", limit, instance)


def _pattern(limit, instance, path, schema):
    if isinstance(instance, str) and not re.search(limit, instance):
        yield SchemaError(path, "pattern", limit, instance)


_CHECKS = {
    "type": _type, "properties": _properties, "required": _required, "additionalProperties": _additional,
    "items": _items, "enum": _enum, "pattern": _pattern,
    "minItems": _size("minItems", lambda size, limit: size < limit),
    "maxItems": _size("maxItems", lambda size, limit: size > limit),
    "minLength": _length("minLength", lambda size, limit: size < limit),
    "maxLength": _length("maxLength", lambda size, limit: size > limit),
    "minimum": _bound("minimum", lambda value, limit: value < limit),
    "maximum": _bound("maximum", lambda value, limit: value > limit),
    "exclusiveMinimum": _bound("exclusiveMinimum", lambda value, limit: value <= limit),
    "exclusiveMaximum": _bound("exclusiveMaximum", lambda value, limit: value >= limit),
}
