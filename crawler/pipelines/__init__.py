"""Item pipelines of the patrol crawler: analyze, keep evidence, store. One per module."""
