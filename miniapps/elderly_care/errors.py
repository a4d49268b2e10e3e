"""The elderly care mini-app's error codes."""

from __future__ import annotations

from backend.sdk import ErrorCode, register_messages


class CareProblem(ErrorCode):
    """What elderly care refuses: enrolments and family circles."""

    ELDER_NOT_FOUND = "elder_not_found"
    PERSON_NOT_FOUND = "person_not_found"
    HOME_UNKNOWN = "home_unknown"
    ALREADY_ENROLLED = "already_enrolled"
    BINDING_TO_SELF = "binding_to_self"
    BINDING_OPEN = "binding_open"
    BINDING_NOT_FOUND = "binding_not_found"
    BINDING_NOT_PENDING = "binding_not_pending"
    REASON_REQUIRED = "reason_required"
    CARE_STAFF_ONLY = "care_staff_only"
    WORKER_NOT_IN_SCOPE = "worker_not_in_scope"
    CONTACT_NOT_IN_CIRCLE = "contact_not_in_circle"
    CONTACT_TWICE = "contact_twice"
    NOT_A_COMMUNITY = "not_a_community"
    COMMUNITY_NOT_YOURS = "community_not_yours"
    ELDER_ONLY = "elder_only"
    ALARM_NOT_FOUND = "alarm_not_found"
    ALARM_ENDED = "alarm_ended"
    ALARM_ANSWERED = "alarm_answered"
    ALARM_BUSY = "alarm_busy"
    ELDER_CANNOT_ANSWER = "elder_cannot_answer"
    HALF_A_LOCATION = "half_a_location"
    ELDER_OR_FAMILY = "elder_or_family"
    NO_CHECKIN_PLAN = "no_checkin_plan"
    CHECKIN_OUTSIDE_WINDOW = "checkin_outside_window"
    WINDOW_BACKWARDS = "window_backwards"
    DAY_TWICE = "day_twice"
    GRACE_PAST_MIDNIGHT = "grace_past_midnight"
    DEVICE_EXISTS = "home_device_exists"
    DEVICE_NOT_FOUND = "home_device_not_found"
    QUIET_NOT_FOR_KIND = "quiet_not_for_kind"
    DEVICE_REFUSED = "home_device_refused"
    DEVICE_READING_STALE = "home_device_reading_stale"
    DEVICE_CLOCK_AHEAD = "home_device_clock_ahead"
    READING_NOT_FOR_DEVICE = "reading_not_for_device"
    PROVIDER_NOT_MERCHANT = "care_provider_not_merchant"
    SERVICE_NOT_FOUND = "care_service_not_found"
    SLOT_IN_PAST = "care_slot_in_past"
    SLOT_EXISTS = "care_slot_exists"
    SLOT_NOT_FOUND = "care_slot_not_found"
    SLOT_FULL = "care_slot_full"
    ALREADY_BOOKED = "care_already_booked"
    PAYMENT_UNAVAILABLE = "care_payment_unavailable"
    BOOKING_NOT_FOUND = "care_booking_not_found"
    PROVIDER_ONLY = "care_provider_only"
    BOOKING_UNPAID = "care_booking_unpaid"
    BOOKING_NOT_THERE = "care_booking_moved_on"
    BOOKING_NOT_DONE = "care_booking_not_done"
    ALREADY_RATED = "care_already_rated"
    SLOT_TOO_FAR = "care_slot_too_far"
    OWN_SERVICE = "care_own_service"
    VISITORS_ONLY = "care_visitors_only"
    VISIT_OPEN = "care_visit_open"
    VISITOR_OWN = "care_visitor_own"
    VISIT_ENDED = "care_visit_ended"
    VISIT_NOT_FOUND = "care_visit_not_found"
    NO_VISIT_PLAN = "care_no_visit_plan"
    VISIT_PHOTOS_CLOSED = "care_visit_photos_closed"
    VISIT_PHOTOS_FULL = "care_visit_photos_full"
    VISIT_PHOTO_NOT_FOUND = "care_visit_photo_not_found"
    NOT_ADMIN_OVER = "care_not_admin_over"


register_messages(
    CareProblem,
    {
        CareProblem.ELDER_NOT_FOUND: ("找不到这位老人", "No such elder"),
        CareProblem.PERSON_NOT_FOUND: ("找不到该居民", "No such resident in your area"),
        CareProblem.HOME_UNKNOWN: (
            "请先登记住址所在网格",
            "The resident's home grid must be known first",
        ),
        CareProblem.ALREADY_ENROLLED: ("已建立养老档案", "Already enrolled in elderly care"),
        CareProblem.BINDING_TO_SELF: ("不能关联自己", "One cannot join one's own family circle"),
        CareProblem.BINDING_OPEN: (
            "已申请或已关联这位老人",
            "You have already asked to join, or are in, this elder's circle",
        ),
        CareProblem.BINDING_NOT_FOUND: ("找不到该亲情关联", "No such family binding"),
        CareProblem.BINDING_NOT_PENDING: (
            "该申请已处理",
            "This request has already been decided",
        ),
        CareProblem.CARE_STAFF_ONLY: (
            "仅负责该网格的养老工作人员可修改",
            "Only care staff over the elder's grid may change this",
        ),
        CareProblem.WORKER_NOT_IN_SCOPE: (
            "该人员不负责老人所在网格",
            "That worker does not hold the role over the elder's grid",
        ),
        CareProblem.REASON_REQUIRED: (
            "代老人操作须填写原因",
            "Acting for the elder needs a reason",
        ),
        CareProblem.CONTACT_NOT_IN_CIRCLE: (
            "联系人须为已关联的家人",
            "A contact must be an accepted member of the elder's family circle",
        ),
        CareProblem.CONTACT_TWICE: ("联系人重复", "A member is listed twice"),
        CareProblem.NOT_A_COMMUNITY: ("不是社区", "That org unit is not a community"),
        CareProblem.COMMUNITY_NOT_YOURS: (
            "您不负责该社区",
            "You are not an admin over that community",
        ),
        CareProblem.ELDER_ONLY: ("仅老人本人可操作", "Only the elder may do this"),
        CareProblem.ALARM_NOT_FOUND: ("找不到该求助", "No such alarm"),
        CareProblem.ALARM_ENDED: ("该求助已结束", "This alarm has ended"),
        CareProblem.ALARM_ANSWERED: (
            "已有人响应,请联系响应人",
            "Someone has answered; it can no longer be cancelled",
        ),
        CareProblem.ALARM_BUSY: ("求助正在处理,请稍后再按", "The alarm is changing; press again"),
        CareProblem.ELDER_CANNOT_ANSWER: (
            "老人本人不能响应自己的求助",
            "The elder cannot answer their own alarm",
        ),
        CareProblem.HALF_A_LOCATION: (
            "经纬度须同时提供",
            "Give both latitude and longitude, or neither",
        ),
        CareProblem.ELDER_OR_FAMILY: (
            "仅老人本人或其家人可操作",
            "Only the elder or a member of their family circle may do this",
        ),
        CareProblem.NO_CHECKIN_PLAN: (
            "尚未设置平安打卡",
            "No daily check-in is set for this elder",
        ),
        CareProblem.CHECKIN_OUTSIDE_WINDOW: (
            "现在不在打卡时间内",
            "Check-in is not open now: it opens at the window's start on the days set",
        ),
        CareProblem.WINDOW_BACKWARDS: (
            "打卡结束时间须晚于开始时间",
            "The window must end after it starts",
        ),
        CareProblem.DAY_TWICE: ("星期重复", "A weekday is listed twice"),
        CareProblem.GRACE_PAST_MIDNIGHT: (
            "打卡结束时间加宽限须在当天之内",
            "The window's end and its grace must fall before midnight",
        ),
        CareProblem.DEVICE_EXISTS: ("该设备已登记", "A device of that serial is enrolled"),
        CareProblem.DEVICE_NOT_FOUND: ("找不到该设备", "No such device in this elder's home"),
        CareProblem.QUIET_NOT_FOR_KIND: (
            "仅门磁和水表可设置无活动时长",
            "Only a door sensor or a water meter has hours without use",
        ),
        CareProblem.DEVICE_REFUSED: (
            "设备签名无效",
            "Unknown device, or a signature that does not match",
        ),
        CareProblem.DEVICE_READING_STALE: (
            "读数已过期",
            "The reading's timestamp is more than five minutes old",
        ),
        CareProblem.DEVICE_CLOCK_AHEAD: (
            "设备时间超前,请校准",
            "The reading's timestamp is ahead of our clock: set the device's time",
        ),
        CareProblem.READING_NOT_FOR_DEVICE: (
            "该设备不会发出此类读数",
            "A device of this kind does not send that reading",
        ),
        CareProblem.PROVIDER_NOT_MERCHANT: (
            "服务商须为已登记商户",
            "A provider must hold the merchant role, to be paid",
        ),
        CareProblem.SERVICE_NOT_FOUND: ("找不到该服务", "No such care service"),
        CareProblem.SLOT_IN_PAST: ("该时段已过", "That time has passed"),
        CareProblem.SLOT_EXISTS: ("该时段已开放", "The service already has a slot at that time"),
        CareProblem.SLOT_NOT_FOUND: ("找不到该时段", "No such slot in the elder's community"),
        CareProblem.SLOT_FULL: ("该时段已约满", "That slot is fully booked"),
        CareProblem.ALREADY_BOOKED: (
            "已预约该时段",
            "The elder already holds a booking of that slot",
        ),
        CareProblem.PAYMENT_UNAVAILABLE: (
            "暂不支持付费服务",
            "Paid services cannot be booked: no payment app is installed",
        ),
        CareProblem.BOOKING_NOT_FOUND: ("找不到该预约", "No such booking"),
        CareProblem.PROVIDER_ONLY: (
            "仅服务商或社区管理员可操作",
            "Only the provider or the community's admins may do this",
        ),
        CareProblem.BOOKING_UNPAID: ("该预约尚未支付", "The booking is not paid yet"),
        CareProblem.BOOKING_NOT_THERE: ("预约状态已变化", "The booking is not at that step"),
        CareProblem.BOOKING_NOT_DONE: ("服务完成后才能评价", "A service is rated once it is done"),
        CareProblem.ALREADY_RATED: ("已评价", "The booking is rated already"),
        CareProblem.SLOT_TOO_FAR: ("只能开放一年内的时段", "A slot opens at most a year ahead"),
        CareProblem.OWN_SERVICE: (
            "不能预约自己提供的付费服务",
            "You give this service: you cannot pay yourself for it",
        ),
        CareProblem.VISITORS_ONLY: (
            "仅负责该网格的护理员或网格员可探访",
            "Only a care or grid worker over the elder's grid checks in on a visit",
        ),
        CareProblem.VISIT_OPEN: (
            "您有未签退的探访",
            "You have a visit still open: check out of it first",
        ),
        CareProblem.VISITOR_OWN: (
            "仅探访人本人可签退",
            "Only the worker who checked in checks out",
        ),
        CareProblem.VISIT_ENDED: ("该探访已签退", "This visit is checked out already"),
        CareProblem.VISIT_NOT_FOUND: ("找不到该探访", "No such visit"),
        CareProblem.NO_VISIT_PLAN: ("尚未设置探访计划", "No visit plan is set for this elder"),
        CareProblem.VISIT_PHOTOS_CLOSED: (
            "签退已超过 24 小时,不能再添加照片",
            "The visit ended over 24 h ago; it takes no more photos",
        ),
        CareProblem.VISIT_PHOTOS_FULL: (
            "每次探访最多 {most} 张照片",
            "A visit takes at most {most} photos",
        ),
        CareProblem.VISIT_PHOTO_NOT_FOUND: ("找不到该照片", "No such photo"),
        CareProblem.NOT_ADMIN_OVER: ("您不负责该区域", "You are not an admin over that org unit"),
    },
)

__all__ = ["CareProblem"]
