# -*- coding: utf-8 -*-
"""Write the request-body JSON Schemas to a folder (``make schemas``).

The schemas live in plugins/module_utils/schemas.py, so they travel with the
modules; one file per endpoint of plugins/module_utils/endpoints.py, named
by the schema its entry names. The files under docs/schemas/ are for readers and other tools, and
tests/unit/plugins/module_utils/test_schemas.py fails when they drift.
"""

from __future__ import absolute_import, division, print_function

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, ".build", "collections"))

from ansible_collections.flashcat.flashduty.plugins.module_utils.endpoints import ENDPOINTS  # noqa: E402
from ansible_collections.flashcat.flashduty.plugins.module_utils.schemas import schema_of  # noqa: E402


def render(schema):
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(folder):
    os.makedirs(folder, exist_ok=True)
    for name in sorted(set(endpoint.schema for endpoint in ENDPOINTS.values())):
        endpoint = [e for e in ENDPOINTS.values() if e.schema == name][0]
        path = os.path.join(folder, endpoint.schema + ".json")
        with open(path, "w") as handle:
            handle.write(render(schema_of(endpoint)))
        print("wrote %s" % path)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs", "schemas"))
