"""Which office handles a step: the district's implementing org (实施机构) where the item names
one, else the applicant's own street, community or district, whichever level the step runs at."""

from __future__ import annotations

from collections.abc import Mapping

from backend.sdk import Level, ancestors, district_of, level_of


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
