"""How many migrations the code knows, without importing sqlite-utils.

``open_database`` stamps ``PRAGMA user_version`` with this count after applying migrations; a database
already at this count skips the migration check, which is what lets start-up leave sqlite-utils (over
100 ms to import) until the first write. Append a migration to ``migrations.py`` -> add one here too;
``tests/unit/test_storage_fast_open.py`` fails until both agree.
"""
MIGRATION_COUNT = 6
