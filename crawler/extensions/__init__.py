"""Scrapy extensions of the patrol crawler, one per module."""
