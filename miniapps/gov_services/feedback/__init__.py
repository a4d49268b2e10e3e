"""好差评: residents rate closed cases once, bad ratings open rectifications for the office
that handled them, staff may appeal a malicious rating, and the aggregates are public."""
