"""Shared words and text helpers: the vocabulary people see, display-safe text, local time.

Imports nothing of the project but `settings`, so that the store, the alerts, the console and
the command line can all use it without pulling in each other.
"""
