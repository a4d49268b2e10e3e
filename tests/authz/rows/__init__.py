"""Every row of the matrix, one module per part of the app."""

from tests.authz.matrix import Row
from tests.authz.rows import (
    elderly_care,
    elderly_care_alarms,
    elderly_care_devices,
    elderly_care_services,
    elderly_care_visits,
    gov_services,
    gov_services_apply,
    gov_services_bundles,
    gov_services_feedback,
    gov_services_staff,
    grid_events,
    health_code,
    host,
    legal_aid,
    library,
    open311,
    payment,
    push,
)

ROWS: list[Row] = [
    *host.ROWS,
    *push.ROWS,
    *grid_events.ROWS,
    *open311.ROWS,
    *health_code.ROWS,
    *library.ROWS,
    *gov_services.ROWS,
    *gov_services_apply.ROWS,
    *gov_services_bundles.ROWS,
    *gov_services_feedback.ROWS,
    *gov_services_staff.ROWS,
    *payment.ROWS,
    *elderly_care.ROWS,
    *elderly_care_alarms.ROWS,
    *elderly_care_devices.ROWS,
    *elderly_care_services.ROWS,
    *legal_aid.ROWS,
    *elderly_care_visits.ROWS,
]
