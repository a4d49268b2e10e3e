"""Yimen in a browser: the mobile-web shell at /app/ and the governance console at /console/,
served from the files `web/` builds into `built/`."""
