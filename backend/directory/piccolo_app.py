"""The host's piccolo app: org tree, accounts, roles, audit, mini-app switches and the
working-day calendar."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

import migrations
from backend.directory.orgs.tables import GridCell, OrgUnit
from backend.directory.users.tables import AuditEntry, RoleAssignment, UserAccount
from backend.kernel.enablement.tables import MiniAppSwitch
from backend.kernel.idempotency.tables import IdempotentRequest
from backend.kernel.workdays.tables import WorkCalendarDay

APP_CONFIG = AppConfig(
    app_name="backend",
    migrations_folder_path=str(Path(migrations.__file__).parent / "backend"),
    table_classes=[
        OrgUnit,
        GridCell,
        UserAccount,
        RoleAssignment,
        AuditEntry,
        MiniAppSwitch,
        IdempotentRequest,
        WorkCalendarDay,
    ],
)
