"""The directory: accounts, role assignments, the org tree and the loading of the
working-day calendar, behind one service."""
