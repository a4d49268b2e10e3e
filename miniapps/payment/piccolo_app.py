"""The payment mini-app's piccolo app."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

import migrations
from miniapps.payment.tables import (
    Account,
    CodeUse,
    CollectionCode,
    Entry,
    PayerDevice,
    Payment,
    PaymentPin,
    Refund,
    TopUp,
    Transfer,
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
    ],
)
