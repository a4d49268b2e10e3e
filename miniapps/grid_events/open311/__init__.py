"""Open311 GeoReport v2 over grid events, so existing 311 clients work against Yimen.

Reads are anonymous, so they publish only what anyone may know about a place:
- only the categories the catalogue marks `public` (things in the street). A category about
  a person or a household (an elder's alert, group renting) is, for Open311, in no service
  list, no service definition, no request list and no lookup by id;
- a request's place as the centre of its cell of 0.001° (about 100 m), never the point
  reported, and no address: a flat or house number names a household;
- no description at all: reporters write names, phone numbers and flat numbers into it, and
  nothing reviews it before publication. Once staff review exists, only reviewed text may be
  published;
- no reporter, handler, photo or timeline.

A post needs a resident's or grid worker's bearer token and takes the spec's form fields
(`application/x-www-form-urlencoded`, or multipart). It is checked against the same
constraints as a native report, and only a public category may be posted: an Open311
client could not read back a private event, and a person in need is served by the app's own
report route, whose answer they can follow. The spec's personal fields (`email`,
`first_name`, `last_name`, `phone`, `device_id`, `account_id`) and a post's
`jurisdiction_id` are ignored: the token names the reporter, the point names the grid.

`jurisdiction_id`, on every read, is the city (`zz`) or a district path (`zz/gx`). Dates
must name their zone, as the W3C format the spec cites requires for a time of day. `page`
(from 1) and `page_size` (at most 1000, the spec's cap) are an extension the spec leaves
room for. Where a district has switched grid events off, its jurisdiction and its requests
are not found.
"""

from miniapps.grid_events.open311.controllers import open311

__all__ = ["open311"]
