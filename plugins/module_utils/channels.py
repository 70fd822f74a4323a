# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""POST /channel/list: every channel of the account, and a channel by exact name.

A name is matched here, exactly (case, spaces and quotes included), against
every page of the list: the server's ``query`` matches loosely and its
``channel_name`` filter is not relied on, so the answer is right whichever
way the server reads them. Deleted channels are left out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib

from ansible_collections.flashcat.flashduty.plugins.module_utils.endpoints import CHANNEL_LIST
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import ValidationError
from ansible_collections.flashcat.flashduty.plugins.module_utils.names import distinct
from ansible_collections.flashcat.flashduty.plugins.module_utils.paging import read_list
from ansible_collections.flashcat.flashduty.plugins.module_utils.schemas import validate_channel_list


def list_channels(client, concurrency=1):
    """Every channel not deleted (``channel_id``, ``channel_name``, ...), every page, once each."""
    body = {}
    validate_channel_list(dict(body, p=1, limit=CHANNEL_LIST.page_limit))
    seen, channels = set(), []
    for item in read_list(client, CHANNEL_LIST, body, concurrency=concurrency).items:
        if item.get("channel_id") in seen or item.get("status") == "deleted":
            continue
        seen.add(item.get("channel_id"))
        channels.append(item)
    return channels


def channel_by_name(channels, name, param="channel_name"):
    """The one channel named exactly ``name``; ValidationError naming ``param`` otherwise
    (no such channel: the closest names; several: their ids)."""
    found = [c for c in channels if c.get("channel_name") == name]
    if len(found) == 1:
        return found[0]
    if found:
        raise ValidationError(param, "%d channels are named %r (ids %s); give channel_id instead"
                              % (len(found), name, ", ".join(str(c.get("channel_id")) for c in found)))
    existing = distinct(c.get("channel_name") for c in channels if isinstance(c.get("channel_name"), str))
    close = [n for n in existing if n.strip().lower() == ("%s" % name).strip().lower()]
    close += [n for n in difflib.get_close_matches("%s" % name, existing, n=3, cutoff=0.5) if n not in close]
    hint = "closest: %s" % ", ".join(repr(n) for n in close[:3]) if close else "no channel has a similar name"
    raise ValidationError(param, "no channel is named %r (names match exactly, case and spaces included); %s"
                          % (name, hint))
