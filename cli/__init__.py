"""The `patrol` command: a thin layer that parses arguments, loads settings once, calls one function."""
