"""The directory's error codes: accounts, role grants and the org tree."""

from __future__ import annotations

from backend.kernel.codes import ErrorCode, register_messages


class DirectoryCode(ErrorCode):
    """What the directory refuses: a grant, an account, an org unit or an import."""

    GRANT_NOT_ALLOWED = "grant_not_allowed"
    GRANT_TO_SELF = "grant_to_self"
    PERSON_NOT_ADMINISTERED = "person_not_administered"
    OWN_ACCOUNT = "own_account"
    ORG_UNKNOWN = "org_unknown"
    USER_NOT_FOUND = "user_not_found"
    ORG_IMPORT_INVALID = "org_import_invalid"
    ORG_UNIT_UNKNOWN = "org_unit_unknown"
    HOME_INVALID = "home_invalid"
    HOME_IN_NO_GRID = "home_in_no_grid"
    HOME_ALREADY_SET = "home_already_set"


register_messages(
    DirectoryCode,
    {
        DirectoryCode.GRANT_NOT_ALLOWED: (
            "无权在该范围授予此角色",
            "You may not grant this role there",
        ),
        DirectoryCode.GRANT_TO_SELF: ("不能给自己授予角色", "You may not grant a role to yourself"),
        DirectoryCode.PERSON_NOT_ADMINISTERED: (
            "该手机号已属于您无权管理的账号,请联系其上级管理员",
            "This phone belongs to an account you do not administer; ask an admin above them",
        ),
        DirectoryCode.OWN_ACCOUNT: (
            "不能对自己的账号执行此操作",
            "You may not do this to your own account",
        ),
        DirectoryCode.ORG_UNKNOWN: ("组织机构不存在", "No such org unit"),
        DirectoryCode.USER_NOT_FOUND: ("用户不存在", "No such user"),
        DirectoryCode.ORG_IMPORT_INVALID: (
            "组织机构导入有误,未导入任何数据",
            "The org import has errors; nothing was imported",
        ),
        DirectoryCode.ORG_UNIT_UNKNOWN: (
            "该组织机构不存在或层级不符",
            "No org unit of the expected level has this path",
        ),
        DirectoryCode.HOME_INVALID: (
            "住址须为社区或网格的路径,或一个坐标点(纬度和经度)",
            "A home is a community or grid path, or a point (lat and lon)",
        ),
        DirectoryCode.HOME_IN_NO_GRID: (
            "该位置不在本市任何网格内",
            "No grid of the city holds this point",
        ),
        DirectoryCode.HOME_ALREADY_SET: (
            "住址已设置;如需迁移,请联系所在社区",
            "Your home is already set; to move, ask your community",
        ),
    },
)

__all__ = ["DirectoryCode"]
