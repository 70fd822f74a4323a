# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading and merging the CSV files the export endpoint sends.

The vendor's files may start with a UTF-8 BOM, use CRLF line ends, and carry
team names with commas, quotes, newlines and non-ASCII text. Column names are
display names in the caller's locale, so they are taken from the header as
sent, never hard-coded.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import codecs
import csv
import io
import re

from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ResponseFormatError

_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?$")


def _open_text(path):
    # utf-8-sig drops a BOM if there is one; newline='' keeps CRLF and
    # newlines inside quoted fields for the csv module to handle.
    return io.open(path, "r", encoding="utf-8-sig", newline="")


def _numeric(values):
    """Convert a column to numbers when every non-empty value is one."""
    present = [v for v in values if v != ""]
    if not present:
        return values
    if all(_INT.match(v) for v in present):
        return [int(v) if v != "" else None for v in values]
    if all(_FLOAT.match(v) for v in present):
        return [float(v) if v != "" else None for v in values]
    return values


def _records(path):
    """The non-empty records of a CSV file, one at a time."""
    try:
        with _open_text(path) as handle:
            for record in csv.reader(handle):
                if record:
                    yield record
    except UnicodeDecodeError as exc:
        raise ResponseFormatError("the CSV is not valid UTF-8 (%s)" % exc)
    except csv.Error as exc:
        raise ResponseFormatError("the CSV cannot be parsed: %s" % exc)


def read_rows(path):
    """``(columns, rows)``: the header as sent and one dict per row.

    A column whose non-empty values are all numbers comes back as numbers
    (empty cells as None); any other column stays text.
    """
    records = list(_records(path))
    if not records:
        return [], []
    columns, data = records[0], records[1:]
    width = len(columns)
    for number, record in enumerate(data, start=2):
        if len(record) != width:
            raise ResponseFormatError("CSV record %d has %d fields but the header has %d"
                                      % (number, len(record), width))
    converted = [_numeric([record[i] for record in data]) for i in range(width)]
    rows = [dict(zip(columns, values)) for values in zip(*converted)] if data else []
    return columns, rows


def count_rows(path):
    """``(columns, number of data rows)``, reading one record at a time."""
    records = _records(path)
    columns = next(records, [])
    return columns, sum(1 for dummy in records)


def read_header(path):
    """The header record of a CSV file (empty list for an empty file)."""
    return next(_records(path), [])


def merge(paths, out):
    """Concatenate CSV files with one header into the binary file ``out``.

    The first file is copied whole (its BOM and line ends kept); of the
    others, the header record is skipped and the rest copied line by line,
    so memory stays flat. All files must have the same header.
    """
    header = None
    for index, path in enumerate(paths):
        this_header = read_header(path)
        if header is None:
            header = this_header
        elif this_header and this_header != header:
            raise ResponseFormatError("the CSV headers of the export windows differ: %r and %r"
                                      % (header, this_header))
        with io.open(path, "rb") as raw:
            if index == 0:
                _copy(raw, out)
                continue
            if raw.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:
                raw.seek(0)
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            reader = csv.reader(text)
            lines = []
            for record in reader:
                if record:
                    break
            # csv.reader read the header's physical lines; copy the rest.
            for line in text:
                lines.append(line)
                if len(lines) >= 1024:
                    _write_lines(out, lines)
            _write_lines(out, lines)
    out.flush()


def _ends_with_newline(out):
    pos = out.tell()
    if pos == 0:
        return True
    out.seek(pos - 1)
    last = out.read(1)
    out.seek(pos)
    return last == b"\n"


def _copy(src, out):
    while True:
        chunk = src.read(64 * 1024)
        if not chunk:
            break
        out.write(chunk)


def _write_lines(out, lines):
    if lines and not _ends_with_newline(out):
        out.write(b"\r\n")
    for line in lines:
        out.write(line.encode("utf-8"))
    del lines[:]
