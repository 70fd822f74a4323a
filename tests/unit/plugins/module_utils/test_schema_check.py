# -*- coding: utf-8 -*-
"""The modules' schema check (module_utils/schema_check.py) against the
library jsonschema itself: on every request schema and thousands of bodies,
the same violations at the same places; a keyword it does not know is
refused, never ignored; and a module process no longer imports jsonschema."""

from __future__ import absolute_import, division, print_function

import os
import subprocess
import sys

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.flashcat.flashduty.plugins.module_utils.schema_check import (
    check_keywords,
    is_type,
    iter_errors,
)
from ansible_collections.flashcat.flashduty.plugins.module_utils.schemas import SCHEMAS


def enums(schema):
    yield from schema.get("enum", [])
    for sub in list(schema.get("properties", {}).values()) + ([schema["items"]] if "items" in schema else []):
        yield from enums(sub)


STRINGS = sorted(set(v for schema in SCHEMAS.values() for v in enums(schema))) + ["Fatal", "hour", ""]
scalar = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2 ** 70, max_value=2 ** 70),
    st.sampled_from([0, 1, -1, 2 ** 63 - 1, 2 ** 63, -(2 ** 63), -(2 ** 63) - 1, 1.0, 0.0, -0.5, 2.5, 1e300]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8), st.sampled_from(STRINGS),
    st.from_regex(r"\A[0-9a-fA-F]{23,25}\Z"),
)
value = st.one_of(scalar, st.lists(scalar, max_size=6), st.lists(st.integers(0, 9), min_size=99, max_size=102),
                  st.lists(st.sampled_from(STRINGS), max_size=4),
                  st.dictionaries(st.text(max_size=4), scalar, max_size=3))


def body_for(schema):
    names = list(schema.get("properties", {})) + ["bogus", "P"]
    return st.dictionaries(st.sampled_from(names), value, max_size=len(names))


def described(errors, detail_of):
    """A comparable list of (path, keyword, detail) of a list of errors."""
    return sorted((tuple(str(p) for p in e.absolute_path), e.validator, detail_of(e)) for e in errors)


def library_detail(error):
    if error.validator == "required":
        return error.message.split("'")[1]
    if error.validator == "additionalProperties":
        schema_names = error.schema.get("properties", {})
        return ",".join(sorted((k for k in error.instance if k not in schema_names), key=str))
    return ""


def our_detail(error):
    if error.validator == "additionalProperties":
        return ",".join(error.detail)
    return error.detail or ""


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@settings(max_examples=400, deadline=None, derandomize=True)
@given(data=st.data())
def test_the_check_finds_what_jsonschema_finds(name, data):
    schema = SCHEMAS[name]
    body = data.draw(st.one_of(body_for(schema), value))
    ours = described(iter_errors(schema, body), our_detail)
    library = described(jsonschema.Draft202012Validator(schema).iter_errors(body), library_detail)
    assert ours == library, body


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_schema_uses_only_keywords_the_check_knows(name):
    check_keywords(SCHEMAS[name])


@pytest.mark.parametrize("schema", [
    {"type": "object", "properties": {"x": {"type": "string", "format": "date-time"}}},
    {"type": "array", "items": {"uniqueItems": True}},
    {"oneOf": [{"type": "string"}]},
])
def test_a_keyword_it_does_not_know_is_refused_not_ignored(schema):
    with pytest.raises(ValueError, match="not supported"):
        check_keywords(schema)
    with pytest.raises(ValueError, match="not supported"):
        list(iter_errors(schema, {"x": "2026-01-01", "y": 1} if schema.get("type") == "object" else [1, 1]))


@pytest.mark.parametrize("candidate,kind,expected", [
    (1, "integer", True), (1.0, "integer", True), (1.5, "integer", False), (True, "integer", False),
    (float("nan"), "integer", False), (float("inf"), "number", True), (False, "number", False),
    ((1, 2), "array", False), ("1", "integer", False), (None, "null", True),
])
def test_types_are_read_as_jsonschema_reads_them(candidate, kind, expected):
    assert is_type(candidate, kind) is expected
    assert jsonschema.Draft202012Validator({}).is_type(candidate, kind) is expected


def test_a_module_process_does_not_import_jsonschema():
    code = ("import sys; import ansible_collections.flashcat.flashduty.plugins.modules.flashduty_insight_export, "
            "ansible_collections.flashcat.flashduty.plugins.modules.flashduty_schedule_info; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jsonschema', 'referencing', 'attrs')))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                         env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
