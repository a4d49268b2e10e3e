"""The payment mini-app's piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

import migrations
from miniapps.payment.tables import (
    Account,
    ChannelPayout,
    ChannelRecord,
    CodeUse,
    CollectionCode,
    Discrepancy,
    Entry,
    MerchantProfile,
    PayerDevice,
    Payment,
    PaymentPin,
    Refund,
    Settlement,
    SettlementAccount,
    TopUp,
    Transfer,
    Voucher,
    VoucherCampaign,
    VoucherTier,
)

APP_CONFIG = AppConfig(
    app_name="payment",
    migrations_folder_path=str(Path(migrations.__file__).parent / "payment"),
    table_classes=[
        Account,
        Transfer,
        Entry,
        TopUp,
        PayerDevice,
        CodeUse,
        Payment,
        PaymentPin,
        CollectionCode,
        Refund,
        MerchantProfile,
        VoucherCampaign,
        VoucherTier,
        Voucher,
        ChannelRecord,
        Discrepancy,
        SettlementAccount,
        Settlement,
        ChannelPayout,
    ],
)
