"""Downloader middlewares of the patrol crawler, one per module."""
