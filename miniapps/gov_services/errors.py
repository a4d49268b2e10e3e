"""The service engine's error codes, each with its message in zh-CN and en."""

from __future__ import annotations

from backend.sdk import ErrorCode, register_messages


class GovServicesCode(ErrorCode):
    """What the service engine refuses."""

    APPLICATION_NOT_FOUND = "application_not_found"
    APPLICATION_CHANGED = "application_changed"
    APPLICATION_ACTION_ILLEGAL = "application_action_illegal"
    APPLICATION_NOT_YOURS = "application_not_yours"
    APPLICATION_OUTSIDE_SCOPE = "application_outside_scope"
    APPLICATION_CLAIMED = "application_claimed"
    APPLICATION_IF_MATCH_INVALID = "application_if_match_invalid"
    DOCUMENT_INVALID = "document_invalid"
    ANSWERS_INVALID = "answers_invalid"
    NOT_ELIGIBLE = "not_eligible"
    # The catalogue: items, their versions, and the admins who publish them.
    ITEM_NOT_FOUND = "item_not_found"
    ITEM_VERSION_NOT_FOUND = "item_version_not_found"
    ITEM_CODE_TAKEN = "item_code_taken"
    ITEM_VERSION_FROZEN = "item_version_frozen"
    ITEM_DRAFT_EXISTS = "item_draft_exists"
    ITEM_VERSION_CHANGED = "item_version_changed"
    ITEM_IF_MATCH_INVALID = "item_if_match_invalid"
    ITEM_RETIRED = "item_retired"
    # 好差评
    RATING_TOO_EARLY = "rating_too_early"
    RATING_EXISTS = "rating_exists"
    RATING_LEVEL_INVALID = "rating_level_invalid"
    RATING_NOT_FOUND = "rating_not_found"
    RECTIFICATION_NOT_FOUND = "rectification_not_found"
    RECTIFICATION_NOT_OPEN = "rectification_not_open"
    RECTIFICATION_INCOMPLETE = "rectification_incomplete"
    APPEAL_EXISTS = "appeal_exists"
    APPEAL_NOT_FOUND = "appeal_not_found"
    APPEAL_DECIDED = "appeal_decided"
    APPEAL_OWN = "appeal_own"

    # A resident's side of an application: starting, materials, submitting.
    ITEM_NOT_OFFERED = "item_not_offered"
    APPLICANT_NO_HOME = "applicant_no_home"
    APPLICATION_INCOMPLETE = "application_incomplete"
    MATERIAL_UNKNOWN = "material_unknown"
    MATERIAL_NOT_FOUND = "material_not_found"
    MATERIAL_SOURCE_REFUSED = "material_source_refused"
    MATERIAL_TOO_MANY = "material_too_many"
    MATERIAL_TOO_LARGE = "material_too_large"
    MATERIAL_TYPE_UNSUPPORTED = "material_type_unsupported"
    MATERIAL_UPLOAD_INVALID = "material_upload_invalid"
    COMMITMENT_UNSIGNED = "commitment_unsigned"
    LICENCE_CONSENT_REQUIRED = "licence_consent_required"
    LICENCE_NOT_YOURS = "licence_not_yours"
    # Staff handling and the clock.
    APPLICATION_NO_EXTENSION = "application_no_extension"
    APPLICATION_EXTENDED_ALREADY = "application_extended_already"
    APPLICATION_PAUSE_NOT_ALLOWED = "application_pause_not_allowed"
    APPLICATION_SUPPLEMENT_LIST_INVALID = "application_supplement_list_invalid"
    APPLICATION_SUPPLEMENT_INCOMPLETE = "application_supplement_incomplete"


register_messages(
    GovServicesCode,
    {
        GovServicesCode.APPLICATION_NOT_FOUND: ("办件不存在", "No such application"),
        GovServicesCode.APPLICATION_CHANGED: (
            "办件已被他人修改,请刷新后重试",
            "The application changed since it was read; reload it and try again",
        ),
        GovServicesCode.APPLICATION_ACTION_ILLEGAL: (
            "办件当前环节不能进行此操作",
            "The application's current step does not take this action",
        ),
        GovServicesCode.APPLICATION_NOT_YOURS: (
            "只有申请人本人可以进行此操作",
            "Only the applicant may do this",
        ),
        GovServicesCode.APPLICATION_OUTSIDE_SCOPE: (
            "该办件不在您的岗位或管辖范围内",
            "The application is outside your role or your area",
        ),
        GovServicesCode.APPLICATION_CLAIMED: (
            "办件已由其他工作人员认领",
            "Another officer has claimed the application",
        ),
        GovServicesCode.APPLICATION_IF_MATCH_INVALID: (
            "If-Match 应为办件的版本号",
            "If-Match must name the application's version",
        ),
        GovServicesCode.DOCUMENT_INVALID: (
            "事项配置不正确,请按所列问题修改",
            "The item's document is not valid; fix each problem listed",
        ),
        GovServicesCode.ANSWERS_INVALID: (
            "填写内容不正确,请按所列问题修改",
            "Some answers are not valid; fix each one listed",
        ),
        GovServicesCode.NOT_ELIGIBLE: (
            "不符合申办条件",
            "You do not meet the conditions to apply",
        ),
        GovServicesCode.ITEM_NOT_FOUND: ("事项不存在", "No such service item"),
        GovServicesCode.ITEM_VERSION_NOT_FOUND: ("事项版本不存在", "No such version of the item"),
        GovServicesCode.ITEM_CODE_TAKEN: (
            "事项编码已被其他事项使用",
            "Another item already has this code",
        ),
        GovServicesCode.ITEM_VERSION_FROZEN: (
            "该版本已发布或已废止,不能修改;请基于它新建草稿",
            "The version is published or retired and cannot change; start a new draft from it",
        ),
        GovServicesCode.ITEM_DRAFT_EXISTS: (
            "该事项已有草稿,请修改或发布现有草稿",
            "The item already has a draft; edit or publish that one",
        ),
        GovServicesCode.ITEM_VERSION_CHANGED: (
            "草稿已被他人修改,请刷新后重试",
            "The draft changed since it was read; reload it and try again",
        ),
        GovServicesCode.ITEM_IF_MATCH_INVALID: (
            "If-Match 应为草稿的修订号",
            "If-Match must name the draft's revision",
        ),
        GovServicesCode.ITEM_RETIRED: ("该事项或版本已废止", "The item or version is retired"),
        # 好差评
        GovServicesCode.RATING_TOO_EARLY: (
            "办件办结后才能评价",
            "An application is rated once it is completed or refused",
        ),
        GovServicesCode.RATING_EXISTS: (
            "该办件已评价,一事一评",
            "The application has been rated; each is rated once",
        ),
        GovServicesCode.RATING_LEVEL_INVALID: (
            "评价等级应为 1(非常不满意)至 5(非常满意)",
            "The level must be 1 (very dissatisfied) to 5 (very satisfied)",
        ),
        GovServicesCode.RATING_NOT_FOUND: ("评价不存在", "No such rating"),
        GovServicesCode.RECTIFICATION_NOT_FOUND: ("整改单不存在", "No such rectification"),
        GovServicesCode.RECTIFICATION_NOT_OPEN: (
            "整改单已办结或已撤销",
            "The rectification is closed or void",
        ),
        GovServicesCode.RECTIFICATION_INCOMPLETE: (
            "整改须先答复并回访,方可办结",
            "A rectification closes only once it has a reply and a follow-up visit",
        ),
        GovServicesCode.APPEAL_EXISTS: (
            "该评价已申诉复核,不能重复申诉",
            "The rating has already been appealed",
        ),
        GovServicesCode.APPEAL_NOT_FOUND: ("申诉不存在", "No such appeal"),
        GovServicesCode.APPEAL_DECIDED: ("申诉已复核", "The appeal has been decided"),
        GovServicesCode.APPEAL_OWN: (
            "不能复核本人提出的申诉",
            "An appeal is decided by someone other than who made it",
        ),
        GovServicesCode.ITEM_NOT_OFFERED: (
            "没有可申办的该事项",
            "No such service item is open for applications",
        ),
        GovServicesCode.APPLICANT_NO_HOME: (
            "请先在个人信息中设置居住地,以确定办理机构",
            "Set your home in your profile first: it decides which office handles this",
        ),
        GovServicesCode.APPLICATION_INCOMPLETE: (
            "申请还不能提交,请按所列问题补充或修改",
            "The application cannot be submitted yet; see each problem listed",
        ),
        GovServicesCode.MATERIAL_UNKNOWN: (
            "该事项没有这项材料",
            "The item asks for no material of this code",
        ),
        GovServicesCode.MATERIAL_NOT_FOUND: ("该材料不存在", "No such material"),
        GovServicesCode.MATERIAL_SOURCE_REFUSED: (
            "这项材料不能以这种方式提供",
            "This material cannot be provided this way",
        ),
        GovServicesCode.MATERIAL_TOO_MANY: (
            "这项材料的文件数已达上限",
            "This material already has as many files as it takes",
        ),
        GovServicesCode.MATERIAL_TOO_LARGE: (
            "文件超过这项材料允许的大小",
            "The file is larger than this material allows",
        ),
        GovServicesCode.MATERIAL_TYPE_UNSUPPORTED: (
            "这项材料不接受该文件类型",
            "This material does not take files of this type",
        ),
        GovServicesCode.MATERIAL_UPLOAD_INVALID: (
            "请上传一个非空文件,并注明材料编码",
            "Send one non-empty file part and the material's code",
        ),
        GovServicesCode.COMMITMENT_UNSIGNED: (
            "请阅读并签署告知承诺书",
            "Read and sign the commitment first",
        ),
        GovServicesCode.LICENCE_CONSENT_REQUIRED: (
            "使用电子证照需要您的授权",
            "Using a licence needs your consent",
        ),
        GovServicesCode.LICENCE_NOT_YOURS: (
            "该电子证照不属于您或已失效",
            "The licence is not yours or no longer valid",
        ),
        # Staff handling and the clock.
        GovServicesCode.APPLICATION_NO_EXTENSION: (
            "该事项不设延期",
            "The service item allows no extension",
        ),
        GovServicesCode.APPLICATION_EXTENDED_ALREADY: (
            "办件已延期一次,不能再次延期",
            "The application was extended once already; it cannot be extended again",
        ),
        GovServicesCode.APPLICATION_PAUSE_NOT_ALLOWED: (
            "该事项受理后补正不停止计时,不能退回补正",
            "The service item does not stop its clock for a supplement once accepted",
        ),
        GovServicesCode.APPLICATION_SUPPLEMENT_LIST_INVALID: (
            "补正清单中有事项表单或材料中不存在的内容",
            "The supplement list names fields or materials the service item does not have",
        ),
        GovServicesCode.APPLICATION_SUPPLEMENT_INCOMPLETE: (
            "补正未提供要求补正的全部材料",
            "The supplement does not provide every material that was asked for",
        ),
    },
)
