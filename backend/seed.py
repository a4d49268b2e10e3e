"""A small demo city (郑州高新区 style) with one user for every role. Safe to run twice."""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from backend.directory.orgs.schemas import OrgUnitIn
from backend.directory.orgs.service import import_units
from backend.directory.users.service import account_for_phone, assign_role, set_home
from backend.kernel.db import transaction
from backend.kernel.registry import Installed
from backend.kernel.roles import Role
from backend.kernel.vault import Vault

G07 = "zz/gx/fengyang/c03/g07"


def _square(lon: float, lat: float, size: float = 0.01) -> dict[str, object]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


DEMO_UNITS = [
    OrgUnitIn(path="zz", name="郑州市"),
    OrgUnitIn(path="zz/gx", name="高新区"),
    OrgUnitIn(path="zz/jinshui", name="金水区"),
    OrgUnitIn(path="zz/gx/fengyang", name="枫杨街道"),
    OrgUnitIn(path="zz/jinshui/wenhua", name="文化路街道"),
    OrgUnitIn(path="zz/gx/fengyang/c03", name="西岗社区"),
    OrgUnitIn(path="zz/gx/fengyang/c04", name="东岗社区"),
    OrgUnitIn(path="zz/jinshui/wenhua/c01", name="农科社区"),
    OrgUnitIn(path=G07, name="第七网格", polygon=_square(113.55, 34.80)),
    OrgUnitIn(path="zz/gx/fengyang/c03/g08", name="第八网格", polygon=_square(113.56, 34.80)),
    OrgUnitIn(path="zz/gx/fengyang/c04/g01", name="第一网格", polygon=_square(113.57, 34.80)),
    OrgUnitIn(path="zz/jinshui/wenhua/c01/g01", name="第一网格", polygon=_square(113.66, 34.78)),
]


class DemoUser(msgspec.Struct, frozen=True):
    phone: str
    name: str
    home: str
    role: Role | None = None
    scope: str | None = None


DEMO_USERS = [
    DemoUser("13800000001", "王居民", G07),
    DemoUser("13800000002", "王家属", G07, Role.FAMILY_MEMBER, G07),
    DemoUser("13800000003", "李网格", G07, Role.GRID_WORKER, G07),
    DemoUser(
        "13800000004",
        "赵网格",
        "zz/gx/fengyang/c03/g08",
        Role.GRID_WORKER,
        "zz/gx/fengyang/c03/g08",
    ),
    DemoUser(
        "13800000005", "陈社区", "zz/gx/fengyang/c03", Role.COMMUNITY_ADMIN, "zz/gx/fengyang/c03"
    ),
    DemoUser("13800000006", "刘区管", "zz/gx", Role.DISTRICT_ADMIN, "zz/gx"),
    DemoUser("13800000007", "平台管理员", "zz", Role.PLATFORM_ADMIN, "zz"),
    DemoUser("13800000008", "孙卫健", "zz/gx", Role.HEALTH_OFFICIAL, "zz/gx"),
    DemoUser("13800000009", "周卡口", "zz/gx/fengyang", Role.CHECKPOINT_STAFF, "zz/gx/fengyang"),
    DemoUser("13800000010", "吴护理", "zz/gx/fengyang/c03", Role.CARE_WORKER, "zz/gx/fengyang/c03"),
    DemoUser("13800000011", "郑商户", "zz/gx/fengyang/c03", Role.MERCHANT, "zz/gx/fengyang/c03"),
    DemoUser("13800000012", "钱律师", "zz/gx", Role.LAWYER, "zz/gx"),
    DemoUser("13800000013", "冯调解", "zz/gx/fengyang", Role.MEDIATOR, "zz/gx/fengyang"),
    DemoUser("13800000014", "褚开发者", "zz", Role.DEVELOPER, "zz"),
    DemoUser(
        "13800000015", "卫东岗", "zz/gx/fengyang/c04", Role.COMMUNITY_ADMIN, "zz/gx/fengyang/c04"
    ),
    DemoUser("13800000016", "金水居民", "zz/jinshui/wenhua/c01/g01"),
    DemoUser("13800000017", "金水区管", "zz/jinshui", Role.DISTRICT_ADMIN, "zz/jinshui"),
    DemoUser("13800000018", "蒋事项", "zz", Role.SERVICE_ADMIN, "zz"),
    DemoUser("13800000019", "沈窗口", "zz/gx/fengyang", Role.SERVICE_OFFICER, "zz/gx/fengyang"),
    DemoUser("13800000020", "韩区审批", "zz/gx", Role.SERVICE_OFFICER, "zz/gx"),
    DemoUser("13800000021", "杨负责人", "zz/gx", Role.SERVICE_APPROVER, "zz/gx"),
    DemoUser("13800000022", "朱金水窗口", "zz/jinshui", Role.SERVICE_OFFICER, "zz/jinshui"),
    DemoUser("13800000023", "秦法务", "zz/gx", Role.LEGAL_WORKER, "zz/gx"),
]


async def seed_demo(vault: Vault) -> list[DemoUser]:
    """The demo city and its users, in one transaction: a seed that fails leaves nothing
    half made behind."""
    async with transaction():
        await import_units(DEMO_UNITS)
        for user in DEMO_USERS:
            user_id = await account_for_phone(phone=user.phone, vault=vault, name=user.name)
            await set_home(user_id=user_id, home_path=user.home)
            if user.role and user.scope:
                await assign_role(user_id=user_id, role=user.role, scope_path=user.scope)
    return DEMO_USERS


async def seed_miniapp_demos(installed: Iterable[Installed]) -> list[str]:
    """Each mini-app's demo data (its manifest's `demo`), once the demo city is in place;
    the ids of the apps that have some."""
    seeded = []
    for app in installed:
        if app.manifest.demo is not None:
            await app.manifest.demo()
            seeded.append(app.manifest.id)
    return seeded


async def demo_user_with_role(role: Role) -> str:
    """The phone of the demo user who holds `role` (residents: the first resident)."""
    for user in DEMO_USERS:
        if user.role is role or (role is Role.RESIDENT and user.role is None):
            return user.phone
    raise LookupError(role)
