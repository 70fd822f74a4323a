# -*- coding: utf-8 -*-
# Copyright: (c) 2026, flashcat.flashduty contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Names for ids, and ids for names: the people on call, teams.

Person ids in schedules are person ids, not member ids, so people are named
through ``POST /person/infos``; teams through ``POST /team/infos``, and team
names given as filters are found in ``POST /team/list``. Look-ups are batched
(the endpoint's id batch of distinct ids a request, every id asked once per
run) and run a few at a time, each request paced like every other.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib

from ansible_collections.flashcat.flashduty.plugins.module_utils.endpoints import PERSON_INFOS, TEAM_INFOS, TEAM_LIST
from ansible_collections.flashcat.flashduty.plugins.module_utils.errors import (
    ApiError,
    FlashdutyError,
    ValidationError,
)
from ansible_collections.flashcat.flashduty.plugins.module_utils.paging import answer_items, read_list
from ansible_collections.flashcat.flashduty.plugins.module_utils.parallel import map_ordered
from ansible_collections.flashcat.flashduty.plugins.module_utils.schemas import (
    check_schema,
    schema_of,
    validate_team_list,
)


def distinct(values):
    """The values without repeats, in the order first seen."""
    seen, out = set(), []
    for value in values:
        if value not in seen:
            seen.add(value)
            out.append(value)
    return out


def _chunks(values, size):
    return [values[i:i + size] for i in range(0, len(values), size)]


def _infos(client, endpoint, ids_field, id_field, ids, concurrency):
    """``{id: item}`` of the ids the API knows: every id asked once, the
    endpoint's id batch a request.

    ``ids_field`` names the request's list (``person_ids``), ``id_field`` the
    id in each answered item (``person_id``).
    """
    ids = distinct(i for i in ids if i is not None)

    def batch(chunk):
        body = {ids_field: chunk}
        check_schema(schema_of(endpoint), body)
        return answer_items(client.post(endpoint.path, body), endpoint.path, lenient=True)
    wanted, found = set(ids), {}
    for items in map_ordered(batch, _chunks(ids, endpoint.id_batch), concurrency):
        for item in items:
            if item.get(id_field) in wanted:
                found[item[id_field]] = item
    return found


def person_infos(client, person_ids, concurrency=1):
    """``{person_id: {person_id, person_name, email}}`` for the people the API knows."""
    found = _infos(client, PERSON_INFOS, "person_ids", "person_id", person_ids, concurrency)
    return dict((pid, {"person_id": pid, "person_name": item.get("person_name"), "email": item.get("email")})
                for pid, item in found.items())


def team_infos(client, team_ids, concurrency=1):
    """``{team_id: team_name}`` for the teams the API knows."""
    found = _infos(client, TEAM_INFOS, "team_ids", "team_id", team_ids, concurrency)
    return dict((tid, item.get("team_name")) for tid, item in found.items())


def list_teams(client, concurrency=1):
    """Every team of the account (``team_id``, ``team_name``), every page."""
    body = {}
    validate_team_list(dict(body, p=1, limit=TEAM_LIST.page_limit))
    return distinct_teams(read_list(client, TEAM_LIST, body, concurrency=concurrency).items)


def distinct_teams(items):
    seen, teams = set(), []
    for item in items:
        if item.get("team_id") not in seen:
            seen.add(item.get("team_id"))
            teams.append({"team_id": item.get("team_id"), "team_name": item.get("team_name")})
    return teams


def team_ids_for_names(client, names, param="team_names", concurrency=1):
    """The ids of the teams named exactly (case included) ``names``.

    Raises ValidationError naming ``param``, the first unknown name and the
    closest existing names, so nothing else is sent.
    """
    if not names:
        return []
    by_name = {}
    for team in list_teams(client, concurrency):
        by_name.setdefault(team["team_name"], []).append(team["team_id"])
    for name in names:
        if name not in by_name:
            existing = [n for n in by_name if isinstance(n, str)]
            close = [n for n in existing if n.lower() == ("%s" % name).lower()]
            close += [n for n in difflib.get_close_matches("%s" % name, existing, n=3, cutoff=0.4) if n not in close]
            hint = "closest: %s" % ", ".join(repr(n) for n in close[:3]) if close else "no team has a similar name"
            raise ValidationError(param, "no team is named %r (names match exactly, case included); %s"
                                  % (name, hint))
    return distinct(tid for name in names for tid in by_name[name])


def add_team_names(client, body, names, concurrency=1, most=None, per="request"):
    """Add the ids of the teams named ``names`` to ``body["team_ids"]``, in place.

    With ``most``, more teams than that in all is a ValidationError naming
    ``team_names`` (one ``per`` takes at most ``most``).
    """
    if not names:
        return
    ids = team_ids_for_names(client, names, concurrency=concurrency)
    body["team_ids"] = merge_team_ids(body.get("team_ids"), ids)
    if most is not None and len(body["team_ids"]) > most:
        raise ValidationError("team_names", "with team_ids these make %d teams, but one %s takes at most %d"
                              % (len(body["team_ids"]), per, most))


def merge_team_ids(team_ids, resolved):
    """``team_ids`` and the ids of ``team_names`` as one list, or None when both are empty."""
    merged = distinct(list(team_ids or []) + list(resolved or []))
    return merged or None


def name_oncall(client, oncall, concurrency=1, more_person_ids=()):
    """Give each on-call entry ``team_name`` and each shift ``persons``, in place.

    ``more_person_ids`` (people of the computed shifts) are looked up in the
    same batches. Returns ``(people, problem)``: every person asked for, in
    order, named where the API knows them, and why a look-up failed (for one
    warning) or None. A failed look-up leaves names empty; an invalid key
    still fails.
    """
    person_ids = distinct([pid for entry in oncall for key in ("current", "next") if entry.get(key)
                           for pid in entry[key]["person_ids"]] + list(more_person_ids))

    def look_up(job):
        """``(found, problem)`` of one kind of look-up."""
        what, lookup, ids = job
        if not ids:
            return {}, None
        try:
            return lookup(client, ids, concurrency), None
        except ApiError as err:
            if err.code == "Unauthorized":
                raise
            return {}, "%s: %s" % (what, err)
        except FlashdutyError as err:
            return {}, "%s: %s" % (what, err)
    # People and teams at the same time (one round trip, not two) when concurrency allows.
    (persons, people_problem), (teams, teams_problem) = map_ordered(
        look_up, [("people", person_infos, person_ids),
                  ("teams", team_infos, [entry.get("team_id") for entry in oncall])], min(2, concurrency))
    problems = [p for p in (people_problem, teams_problem) if p]

    def person(pid):
        return dict(persons.get(pid) or {"person_id": pid, "person_name": None, "email": None})
    for entry in oncall:
        entry["team_name"] = teams.get(entry.get("team_id"))
        for key in ("current", "next"):
            shift = entry.get(key)
            if shift:
                shift["persons"] = [person(pid) for pid in shift["person_ids"]]
    problem = None
    if problems:
        problem = "names could not be looked up, so on-call entries carry ids only (%s)" % "; ".join(problems)
    return [person(pid) for pid in person_ids], problem
