"""The configuration files shipped with the patrol (package data, read through importlib.resources).

A deployment does not edit these: it points the *_file settings at its own copies.
"""
