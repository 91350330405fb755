"""Evidence: WARC captures, their storage (a directory or S3), case packages, timestamps,
verification and retention. No Scrapy here: the crawler hands captures in, the console and the
commands read them back (docs/evidence.md)."""
