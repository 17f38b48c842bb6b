"""Legacy migration (R20): a library laid out by the file-name convention becomes assignments.

names.py parses paths, sources.py lists and reads folders, zips and S3 prefixes, catalog.py
loads what names can refer to, collapse.py chooses dimension-combination assignments,
plan.py ties these together without writing, apply.py writes through the services,
manifest.py writes the equivalent import manifest and report.py says what happened.
"""
