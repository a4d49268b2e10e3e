"""The host's piccolo app: org tree, accounts, roles, audit and mini-app switches."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

import migrations
from backend.enablement.tables import MiniAppSwitch
from backend.idempotency.tables import IdempotentRequest
from backend.orgs.tables import OrgUnit
from backend.users.tables import AuditEntry, RoleAssignment, UserAccount

APP_CONFIG = AppConfig(
    app_name="backend",
    migrations_folder_path=str(Path(migrations.__file__).parent / "backend"),
    table_classes=[
        OrgUnit,
        UserAccount,
        RoleAssignment,
        AuditEntry,
        MiniAppSwitch,
        IdempotentRequest,
    ],
)
