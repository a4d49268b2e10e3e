"""Which office handles a step: the district's implementing org (实施机构) where the item names
one, else the applicant's own street, community or district, whichever level the step runs at."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from piccolo.columns import Column

from backend.sdk import Level, ancestors, district_of, level_of
from miniapps.gov_services.document import ItemDocument, Step
from miniapps.gov_services.tables import Application


def assignee_for(*, org_level: Level, place_path: str, implementing: Mapping[str, str]) -> str:
    """The org path a step at `org_level` goes to, for an applicant whose home is
    `place_path`. `implementing` maps a district's path to the org that acts for the item
    there; it applies to the district level. A home above the step's level (an applicant
    registered at a street, say, for a community step) is handled where the home is."""
    district = district_of(place_path)
    if org_level is Level.DISTRICT and district is not None and district in implementing:
        return implementing[district]
    for path in ancestors(place_path):
        if level_of(path) is org_level:
            return path
    return place_path


def worklist_keys(org: str) -> dict[Column, str]:
    """The district and the street an org lies in, as the worklist's indexes key a case
    handled by `org` (each the org itself where it lies above that level): so one index
    range holds a district's cases, and one a street's."""
    parts = org.split("/")
    return {
        Application.assignee_district: "/".join(parts[:2]),
        Application.assignee_street: "/".join(parts[:3]),
    }


def entering(document: ItemDocument, step: Step, place_path: str) -> dict[Column | str, Any]:
    """The columns of a case that moves to `step`: the step, its role and the org that
    handles it for an applicant at home in `place_path`. Every change of step writes them
    together (`cases.move` adds the org's district and street), so the worklist's copies never
    disagree with the step."""
    implementing = {io.district: io.org for io in document.implementing_orgs}
    org = assignee_for(org_level=step.org_level, place_path=place_path, implementing=implementing)
    return {
        Application.current_step: step.code,
        Application.step_role: step.role,
        Application.assignee_org: org,
    }
