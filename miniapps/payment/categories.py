"""Merchants' trades, as voucher campaigns name them."""

import enum


class MerchantCategory(enum.StrEnum):
    CATERING = "catering"  # 餐饮
    RETAIL = "retail"  # 零售
    SUPERMARKET = "supermarket"  # 商超
    CULTURE_TOURISM = "culture_tourism"  # 文旅
    HOME_APPLIANCE = "home_appliance"  # 家电
    OTHER = "other"
