"""The kernel every part stands on: the part contract, errors, database, settings, jobs,
events, the identity vocabulary and the small services each request or job may need."""
