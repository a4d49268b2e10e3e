"""Idempotency-Key for POSTs that create records or move money: a repeat gets the first
answer, and the same key with another body is refused."""

from backend.kernel.idempotency.middleware import IdempotencyMiddleware, idempotent

__all__ = ["IdempotencyMiddleware", "idempotent"]
