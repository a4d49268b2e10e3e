"""The directory: accounts, role assignments and the org tree, behind one service."""
