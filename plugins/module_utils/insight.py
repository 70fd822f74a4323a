# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The insight exports (POST /insight/{team,responder,channel}/export): validated, windowed,
written atomically; and the filter options and rules every insight request shares.

The CSV is streamed into a temporary file beside ``dest`` and moved into
place only when the whole export succeeded, so a failure never leaves a
partial file and never touches an existing one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import codecs
import difflib
import io
import os
import shutil
import tempfile

from ansible_collections.flashcat.flashduty.plugins.module_utils import csvio
from ansible_collections.flashcat.flashduty.plugins.module_utils.endpoints import INSIGHT_BY_DIMENSION, INSIGHT_TEAM_EXPORT
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ValidationError
from ansible_collections.flashcat.flashduty.plugins.module_utils.names import add_team_names
from ansible_collections.flashcat.flashduty.plugins.module_utils.schemas import (
    AGGREGATE_UNITS,
    EXPORT_MAX_DAY_RANGE,
    EXPORT_MAX_RANGE,
    INSIGHT_EXPORT_SCHEMAS,
    SEVERITIES,
    validate_header_value,
    validate_insight_export,
)
from ansible_collections.flashcat.flashduty.plugins.module_utils.timeparse import get_zone, parse_time, split_range

# The filter envelope every insight request carries (the JSON endpoints and the exports).
FILTER_FIELDS = (
    "start_time", "end_time", "team_ids", "channel_ids", "responder_ids", "severities", "incident_ids",
    "query", "labels", "fields", "orderby", "asc", "is_my_team", "time_zone", "seconds_to_close_from",
    "seconds_to_close_to", "seconds_to_ack_from", "seconds_to_ack_to", "split_hours", "aggregate_unit",
)
# The exports' body: the filters and the exports' own fields.
BODY_FIELDS = FILTER_FIELDS + ("export_fields", "description_html_to_text", "include_ever_muted")


def filter_options():
    """The argument spec of the filter options (doc fragment flashcat.flashduty.insight)."""
    ids = dict(type="list", elements="int")
    return dict(
        start_time=dict(type="raw", required=True),
        end_time=dict(type="raw", required=True),
        team_ids=ids,
        team_names=dict(type="list", elements="str"),
        channel_ids=ids,
        responder_ids=ids,
        severities=dict(type="list", elements="str", choices=SEVERITIES),
        incident_ids=dict(type="list", elements="str"),
        query=dict(type="str"),
        labels=dict(type="dict"),
        fields=dict(type="dict"),
        orderby=dict(type="str", choices=["created_at"]),
        asc=dict(type="bool"),
        is_my_team=dict(type="bool"),
        time_zone=dict(type="str"),
        seconds_to_close_from=dict(type="int"),
        seconds_to_close_to=dict(type="int"),
        seconds_to_ack_from=dict(type="int"),
        seconds_to_ack_to=dict(type="int"),
        split_hours=dict(type="bool"),
        aggregate_unit=dict(type="str", choices=AGGREGATE_UNITS),
    )


def build_body(params, now, zone, fields=BODY_FIELDS):
    """The request body from the module's options (times as Unix seconds;
    ``today`` and the like in ``zone``, the tzinfo of ``time_zone``)."""
    body = {}
    for key in fields:
        value = params.get(key)
        if value is None:
            continue
        if key in ("start_time", "end_time"):
            value = parse_time(value, now, key, zone)
        body[key] = value
    return body


def plan_windows(body, split, zone, written=None, schema=None):
    """Validate ``body`` and return the ``[start, end]`` windows to export.

    With ``split`` and an ``aggregate_unit``, a range longer than one request
    may cover is cut at bucket boundaries in ``zone`` (``time_zone``'s); each
    window's range is validated as its own request's. Without an aggregate unit, a long range is
    an error, since totals of windows would not add up to the range's.
    """
    unit = body.get("aggregate_unit")
    span = body.get("end_time", 0) - body.get("start_time", 0)
    max_span = EXPORT_MAX_DAY_RANGE if unit == "day" else EXPORT_MAX_RANGE
    if split and unit and span > max_span and body["start_time"] > 0:
        windows = split_range(body["start_time"], body["end_time"], unit, zone, max_span)
    else:
        if split and not unit and span > max_span:
            raise ValidationError("split_range", "needs aggregate_unit: without time buckets the totals of "
                                  "several windows would not add up to the whole range's")
        windows = [[body.get("start_time"), body.get("end_time")]]
    validate_insight_export(body, windows=windows, zone=zone, written=written, schema=schema)
    return windows


def _unwritable(dest, folder, exc):
    return "cannot write %s: no file can be created in %s (%s)" % (dest, folder, exc.strerror or exc)


class Export:
    """One export run for a module: fetch the windows, then place the file."""

    def __init__(self, module, client, body, windows, dest=None, language=None, bom=True,
                 endpoint=INSIGHT_TEAM_EXPORT):
        self.module = module
        self.endpoint = endpoint
        self.client = client
        self.body = body
        self.windows = windows
        self.dest = dest
        validate_header_value("language", language)
        self.headers = {"Accept-Language": language} if language else None
        self.temp_paths = []
        self.capped_windows = []
        self.bom = bom

    def _tempfile(self, suffix):
        # Beside dest, so the move into place is atomic; in check mode nothing is
        # written beside dest, the module's own temporary folder holds the download.
        beside = self.dest and not self.module.check_mode
        directory = os.path.dirname(os.path.abspath(self.dest)) if beside else self.module.tmpdir
        try:
            fd, path = tempfile.mkstemp(prefix=".flashduty-export-", suffix=suffix, dir=directory)
        except OSError as exc:
            if not beside:
                raise
            raise ValidationError("dest", _unwritable(self.dest, directory, exc))
        self.temp_paths.append(path)
        return os.fdopen(fd, "w+b"), path

    def cleanup(self):
        for path in self.temp_paths:
            try:
                os.unlink(path)
            except OSError:
                pass
        self.temp_paths = []

    def fetch(self):
        """Download every window; return the path of the complete CSV, or None.

        A window that comes back with the row cap's number of rows is noted
        in :attr:`capped_windows` (it may have been cut).
        """
        parts = []
        for start, end in self.windows:
            handle, path = self._tempfile(".part")
            with handle:
                result = self.client.download(self.endpoint.path, dict(self.body, start_time=start, end_time=end),
                                              handle, headers=self.headers)
            if result.is_json:
                self.client.warn("the export of %d..%d answered with a JSON envelope and no CSV "
                                 "(request_id %s); it counts as zero rows" % (start, end, result.request_id))
                continue
            rows = csvio.count_rows(path)[1]
            # The server cuts silently: a file of exactly the cap's rows may be incomplete.
            if rows >= self.endpoint.row_cap:
                self.capped_windows.append([start, end])
                self.client.warn(
                    "the export of %d..%d came back with %d rows, the API's limit for one export: rows past it "
                    "may be missing (truncated: true). Ask for fewer teams, channels or responders a request, a coarser "
                    "aggregate_unit, or leave split_hours off" % (start, end, rows))
            parts.append(path)
        if len(parts) <= 1:
            return parts[0] if parts else None
        handle, merged = self._tempfile(".csv")
        with handle:
            csvio.merge(parts, handle)
        return merged

    def _without_bom(self, path):
        """``path`` without a leading UTF-8 byte order mark (a new temporary file when it had one)."""
        with io.open(path, "rb") as src:
            if src.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:
                return path
            handle, stripped = self._tempfile(".csv")
            with handle:
                shutil.copyfileobj(src, handle)
        return stripped

    def check_dest(self):
        """A dest that cannot be written fails before anything is fetched."""
        if not self.dest:
            return
        folder = os.path.dirname(os.path.abspath(self.dest))
        if os.path.isdir(self.dest):
            raise ValidationError("dest", "%s is a directory; name the file to write" % self.dest)
        if not os.path.isdir(folder):
            raise ValidationError("dest", "the folder %s does not exist" % folder)
        if not os.access(folder, os.W_OK | os.X_OK):
            raise ValidationError("dest", "the folder %s is not writable" % folder)
        if self.module.check_mode:
            return
        # The file is written beside dest first and moved into place: try once
        # that a file can be made there (/proc, say, passes the checks above).
        try:
            fd, probe = tempfile.mkstemp(prefix=".flashduty-export-", suffix=".probe", dir=folder)
        except OSError as exc:
            raise ValidationError("dest", _unwritable(self.dest, folder, exc))
        os.close(fd)
        os.unlink(probe)

    def run(self, return_rows, force, check_mode):
        """Export and place the file; :meth:`check_dest` comes first.

        In check mode the export is read all the same (it changes nothing
        remote) and the rows returned; ``dest`` is left alone and ``changed``
        says whether a real run would write it.
        """
        dest = self.dest
        result = {"changed": False, "dest": dest, "windows": self.windows, "request_ids": [],
                  "columns": [], "row_count": 0, "checksum": None, "size": 0, "truncated": False}
        if return_rows:
            result["rows"] = []
        exists = bool(dest) and os.path.exists(dest)
        if exists and not force:
            self._describe(dest, result, return_rows)
            return self._file_attributes(result)
        try:
            source = self.fetch()
            result["request_ids"] = list(self.client.request_ids)
            result["truncated"] = bool(self.capped_windows)
            if source is None:
                return result
            if not self.bom:
                source = self._without_bom(source)
            self._describe(source, result, return_rows)
            if dest:
                if not (exists and self.module.sha1(dest) == result["checksum"]):
                    if self.module._diff:
                        result["diff"] = file_diff(dest if exists else None, source, dest)
                    if not check_mode:
                        self.module.atomic_move(source, os.path.abspath(dest))
                    result["changed"] = True
                if exists or not check_mode:
                    self._file_attributes(result)
        finally:
            self.cleanup()
        return result

    def _describe(self, path, result, return_rows):
        result["checksum"] = self.module.sha1(path)
        result["size"] = os.path.getsize(path)
        if return_rows:
            result["columns"], result["rows"] = csvio.read_rows(path)
            result["row_count"] = len(result["rows"])
        else:
            result["columns"], result["row_count"] = csvio.count_rows(path)

    def _file_attributes(self, result):
        file_args = self.module.load_file_common_arguments(self.module.params, path=self.dest)
        result["changed"] = self.module.set_fs_attributes_if_different(file_args, result["changed"])
        return result


# A diff shows at most this many lines (of the unified diff); a file larger
# than DIFF_MAX_BYTES is compared by line counts only.
DIFF_MAX_LINES = 200
DIFF_MAX_BYTES = 8 * 1024 * 1024


def _lines(path):
    if path is None:
        return []
    with io.open(path, "r", encoding="utf-8", errors="replace", newline="") as handle:
        return handle.read().splitlines()


def _line_count(path):
    if path is None:
        return 0
    with io.open(path, "rb") as handle:
        return sum(1 for dummy in handle)


def file_diff(before, after, dest, max_lines=DIFF_MAX_LINES, max_bytes=DIFF_MAX_BYTES):
    """The diff of ``dest`` for diff mode: ``before`` (None when dest is new)
    and ``after`` are paths. A unified diff of at most ``max_lines`` lines,
    headed by the line counts; files over ``max_bytes`` get the counts only."""
    big = any(p is not None and os.path.getsize(p) > max_bytes for p in (before, after))
    if big:
        old_count, new_count = _line_count(before), _line_count(after)
        text = ("%s: %d lines -> %d lines (over %d bytes: no line-by-line diff)\n"
                % (dest, old_count, new_count, max_bytes))
        return {"prepared": text}
    old, new = _lines(before), _lines(after)
    diff = list(difflib.unified_diff(old, new, fromfile=dest if before else "/dev/null", tofile=dest, lineterm=""))
    added = sum(1 for line in diff[2:] if line.startswith("+"))
    removed = sum(1 for line in diff[2:] if line.startswith("-"))
    head = "%s: %d lines -> %d lines (%d added, %d removed)" % (dest, len(old), len(new), added, removed)
    if not diff:
        head += "; only the line ends or the byte order mark differ"
    if len(diff) > max_lines:
        diff = diff[:max_lines] + ["... %d more lines of the diff not shown" % (len(diff) - max_lines)]
    return {"prepared": "\n".join([head] + diff) + "\n"}


def run(module, client, now):
    """The module's whole run: check, resolve team names, export."""
    params = module.params
    dimension = params.get("dimension") or "team"
    endpoint = INSIGHT_BY_DIMENSION[dimension][1]
    zone = get_zone(params.get("time_zone"))
    body = build_body(params, now, zone)
    windows = plan_windows(body, params["split_range"], zone,
                           written=dict((key, params.get(key)) for key in ("start_time", "end_time")),
                           schema=INSIGHT_EXPORT_SCHEMAS[dimension])
    export = Export(module, client, body, windows, dest=params["dest"], language=params["language"],
                    bom=params.get("bom", True), endpoint=endpoint)
    export.check_dest()
    add_team_names(client, body, params.get("team_names"), most=endpoint.id_batch, per="export")
    result = export.run(params["return_rows"], params["force"], module.check_mode)
    # What was asked, for filters that check the columns (ansible-core 2.21
    # no longer returns the module's arguments as ``invocation``).
    result["team_ids"] = body.get("team_ids") or []
    result["aggregate_unit"] = body.get("aggregate_unit")
    result["dimension"] = dimension
    result["export_fields"] = body.get("export_fields") or []
    # The ids of the dimension asked for: its id column holds no others.
    result["ids"] = body.get(dimension + "_ids") or []
    return result
