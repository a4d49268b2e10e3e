"""The open platform's error codes."""

from __future__ import annotations

from backend.sdk import ErrorCode, register_messages


class OpenProblem(ErrorCode):
    """What the open platform refuses: publishers, apps, their credentials and versions."""

    CREDIT_CODE_INVALID = "open_credit_code_invalid"
    PUBLISHER_TAKEN = "open_publisher_taken"
    PUBLISHER_NOT_FOUND = "open_publisher_not_found"
    PUBLISHER_STATE = "open_publisher_state"
    PUBLISHER_UNVERIFIED = "open_publisher_unverified"
    REASON_REQUIRED = "open_reason_required"
    MANIFEST_INVALID = "open_manifest_invalid"
    SLUG_TAKEN = "open_slug_taken"
    APP_NOT_FOUND = "open_app_not_found"
    NOT_YOUR_APP = "open_not_your_app"
    VERSION_NOT_FOUND = "open_version_not_found"
    VERSION_STATE = "open_version_state"
    REVIEW_PENDING = "open_review_pending"
    GRAY_EMPTY = "open_gray_empty"
    GRAY_RUNNING = "open_gray_running"
    NO_GRAY = "open_no_gray"
    VERSION_RELEASED = "open_version_released"
    VERSION_OLDER = "open_version_older"
    NOT_ROLLBACK_TARGET = "open_not_rollback_target"
    CREDENTIALS_REFUSED = "open_credentials_refused"
    TOKEN_REFUSED = "open_token_refused"  # noqa: S105 - an error code, not a secret
    OFF_IN_DISTRICT = "open_app_off_in_district"
    DISTRICT_REQUIRED = "open_district_required"
    NOT_YOUR_DISTRICT = "open_not_your_district"
    FIELD_NOT_ASKED = "open_field_not_asked"
    CODE_REFUSED = "open_code_refused"
    CONSENT_NOT_FOUND = "open_consent_not_found"
    ASKS_REQUIRED = "open_asks_required"
    ASKS_CHANGED = "open_asks_changed"
    DISTRICT_UNKNOWN = "open_district_unknown"
    USER_NOT_FOUND = "open_user_not_found"
    PERMISSION_MISSING = "open_permission_missing"
    DELIVERY_NOT_FOUND = "open_delivery_not_found"
    DELIVERY_PENDING = "open_delivery_pending"
    WEBHOOK_MISSING = "open_webhook_missing"
    NOTIFY_CONSENT_MISSING = "open_notify_consent_missing"
    TEMPLATE_NOT_FOUND = "open_template_not_found"
    TEMPLATE_VALUES_INVALID = "open_template_values_invalid"


register_messages(
    OpenProblem,
    {
        OpenProblem.CREDIT_CODE_INVALID: (
            "统一社会信用代码校验位不正确",
            "The unified social credit code's check character is wrong",
        ),
        OpenProblem.PUBLISHER_TAKEN: (
            "该机构或该开发者已登记过开发者主体",
            "This organisation or this developer has registered a publisher already",
        ),
        OpenProblem.PUBLISHER_NOT_FOUND: ("开发者主体不存在", "No such publisher"),
        OpenProblem.PUBLISHER_STATE: (
            "该开发者主体当前({status})不能进行此操作",
            "This publisher is {status}: not a step it takes now",
        ),
        OpenProblem.PUBLISHER_UNVERIFIED: (
            "开发者主体通过平台审核后方可登记应用",
            "A publisher registers apps once the platform has verified it",
        ),
        OpenProblem.REASON_REQUIRED: ("驳回须说明理由", "A rejection says why"),
        OpenProblem.MANIFEST_INVALID: (
            "应用清单有误,见 errors",
            "The manifest is not valid: see errors",
        ),
        OpenProblem.SLUG_TAKEN: ("该应用标识已被使用", "Another app has this id"),
        OpenProblem.APP_NOT_FOUND: ("应用不存在", "No such app"),
        OpenProblem.NOT_YOUR_APP: (
            "仅应用所属开发者主体可以操作",
            "Only the app's publisher may do this",
        ),
        OpenProblem.VERSION_NOT_FOUND: ("版本不存在", "No such version"),
        OpenProblem.VERSION_STATE: (
            "该版本当前({status})不能进行此操作",
            "This version is {status}: not a step it takes now",
        ),
        OpenProblem.REVIEW_PENDING: (
            "该应用已有版本在审核中,一次只能提交一个版本",
            "Another version of this app is in review: one at a time",
        ),
        OpenProblem.GRAY_EMPTY: (
            "灰度发布须指定用户比例或地区",
            "A gray release names a share of users or districts",
        ),
        OpenProblem.GRAY_RUNNING: (
            "另一版本正在灰度发布,请先全量发布或停止灰度",
            "Another version is in gray release: release it or stop it first",
        ),
        OpenProblem.NO_GRAY: ("当前没有灰度发布", "No version is in gray release"),
        OpenProblem.VERSION_RELEASED: ("该版本已全量发布", "This version is released already"),
        OpenProblem.VERSION_OLDER: (
            "该版本早于已发布版本,请使用回滚",
            "This version is older than the one released: roll back to it instead",
        ),
        OpenProblem.NOT_ROLLBACK_TARGET: (
            "只能回滚到最近发布过的 5 个版本之一",
            "A rollback returns to one of the last 5 versions released",
        ),
        OpenProblem.CREDENTIALS_REFUSED: (
            "应用标识或密钥不正确",
            "The app id or secret is not right",
        ),
        OpenProblem.TOKEN_REFUSED: (
            "访问令牌缺失、无效或已过期",
            "The access token is missing, unknown or expired",
        ),
        OpenProblem.OFF_IN_DISTRICT: (
            "该应用未在此区开通,或新版本待本区重新批准",
            "This app is not switched on in the district, or a new version awaits its approval",
        ),
        OpenProblem.DISTRICT_REQUIRED: (
            "您在多个区,请指定在哪个区打开",
            "You are in more than one district: name the one to open the app in",
        ),
        OpenProblem.NOT_YOUR_DISTRICT: (
            "只能在您居住或工作的区打开应用",
            "An app is opened in a district where you live or work",
        ),
        OpenProblem.FIELD_NOT_ASKED: (
            "该应用没有申请此项信息",
            "The app does not ask for this field",
        ),
        OpenProblem.CODE_REFUSED: (
            "启动码无效、已使用、已过期或不属于本应用",
            "The launch code is unknown, used, expired or another app's",
        ),
        OpenProblem.CONSENT_NOT_FOUND: (
            "您没有授权该应用读取此项信息",
            "You have given this app no such consent",
        ),
        OpenProblem.ASKS_REQUIRED: (
            "开通须列明所批准的权限与数据项(asks)",
            "Switching an app on names what it approves it to ask for (asks)",
        ),
        OpenProblem.ASKS_CHANGED: (
            "该应用申请的权限或数据项已变化,请查看后重新批准",
            "What the app asks for has changed: look again, then approve what it asks now",
        ),
        OpenProblem.DISTRICT_UNKNOWN: ("没有这个区", "No such district"),
        OpenProblem.USER_NOT_FOUND: (
            "该 openid 不属于启动过本应用的用户",
            "This openid names nobody who launched this app",
        ),
        OpenProblem.PERMISSION_MISSING: (
            "应用清单未申请 {permission} 权限",
            "The app's manifest does not ask for {permission}",
        ),
        OpenProblem.DELIVERY_NOT_FOUND: ("该应用没有这次推送", "No such delivery of this app"),
        OpenProblem.DELIVERY_PENDING: (
            "该推送仍在投递中,结束后方可重新投递",
            "This delivery is still being tried: send it again once it has ended",
        ),
        OpenProblem.WEBHOOK_MISSING: (
            "应用当前没有接收该事件的 webhook",
            "The app has no webhook for this event now",
        ),
        OpenProblem.NOTIFY_CONSENT_MISSING: (
            "该用户未同意接收此应用的通知",
            "This user does not consent to notifications from this app",
        ),
        OpenProblem.TEMPLATE_NOT_FOUND: (
            "用户所用版本中没有该通知模板",
            "The version of the app this user has has no such template",
        ),
        OpenProblem.TEMPLATE_VALUES_INVALID: (
            "通知的取值与模板的占位符不符",
            "The values do not fill in the template's placeholders, and only them",
        ),
    },
)
