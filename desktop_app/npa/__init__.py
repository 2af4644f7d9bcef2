"""The NPA tier (警察庁ツール対策係): national aggregation, the provider file, outcomes, statistics.

The import of prefectures' files reuses the HQ pipeline (``desktop_app.hq``); this package only adds
what is national: duplicates across prefectures, the file for LINE WORKS Corp. and its withdrawal
list, the provider's outcomes (which flow back down to HQ and stations as signed files) and the
figures computed from them. Outcomes and statistics are used by every tier.
"""
