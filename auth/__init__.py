"""Identity: tokens, one-time-code login, refresh and revocation, claims and guards."""
