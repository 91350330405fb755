"""Patrols: the one lifecycle of a patrol run (patrols.service) and the exit statuses."""
