"""Masks for personal data shown to anyone but its owner."""


def mask_phone(phone: str) -> str:
    """13800138000 → 138****8000."""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


def mask_id_card(number: str) -> str:
    """410105199001011234 → 4101**********1234."""
    if len(number) < 8:
        return "*" * len(number)
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"


def mask_name(name: str) -> str:
    """张三丰 → 张**; a one-character name stays as it is."""
    return name[:1] + "*" * (len(name) - 1)
