"""Payment (城市支付): wallets on a double-entry ledger, in integer fen."""

from backend.sdk import Manifest

MINIAPP = Manifest(
    id="payment",
    version="0.1.0",
    names={"zh-CN": "城市支付", "en": "City pay"},
    descriptions={"zh-CN": "钱包、付款与收款", "en": "Wallet, payments and collection"},
    icon="wallet",
    piccolo_app="miniapps.payment.piccolo_app",
)
