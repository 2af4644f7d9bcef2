"""HQ tier tables: files received from stations (hq_files), their rows (hq_rows) and the batches
HQ wrote (hq_batches). Queries are written for indexes: the review screen pages through 100,000
rows and duplicate lookups run against 1,000,000."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop_app.storage.database import Database

# Columns the review screen may sort by (whitelisted: they end up in SQL text).
SORTABLE = ("rid", "received_at", "received_on", "unit_id", "station", "account_id", "user_name",
            "organization", "case_type", "recognized_on", "status", "problem", "position")
_CHUNK = 500  # SQLite's host-parameter limit is 999 on old builds


@dataclass
class RowFilter:
    """What the review screen (or a CLI listing) asks for; empty fields do not filter."""
    received_from: str | None = None  # ISO date, inclusive
    received_to: str | None = None
    station: str | None = None
    unit_id: str | None = None
    statuses: Sequence[str] = ()
    case_type: str | None = None
    problems_only: bool = False
    text: str | None = None  # part of the normalised account ID
    file_id: int | None = None
    exclude_statuses: Sequence[str] = field(default_factory=lambda: ("superseded",))

    def sql(self) -> tuple[str, list[Any]]:
        where, args = [], []
        if self.received_from:
            where.append("received_on >= ?")
            args.append(self.received_from)
        if self.received_to:
            where.append("received_on <= ?")
            args.append(self.received_to)
        if self.station:
            where.append("station = ?")
            args.append(self.station)
        if self.unit_id:
            where.append("unit_id = ?")
            args.append(self.unit_id)
        if self.statuses:
            where.append(f"status IN ({','.join('?' * len(self.statuses))})")
            args += list(self.statuses)
        elif self.exclude_statuses:
            where.append(f"status NOT IN ({','.join('?' * len(self.exclude_statuses))})")
            args += list(self.exclude_statuses)
        if self.case_type:
            where.append("case_type = ?")
            args.append(self.case_type)
        if self.problems_only:
            where.append("problem > 0")
        if self.text:
            where.append("account_id LIKE ?")
            args.append("%" + self.text.replace("%", "").lower() + "%")
        if self.file_id is not None:
            where.append("file_id = ?")
            args.append(self.file_id)
        return (" AND ".join(where) or "1"), args


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


class ReceivedRepo:
    def __init__(self, database: Database):
        self._db = database

    @property
    def conn(self):
        return self._db.db.conn

    # ---- files --------------------------------------------------------------------------
    # Raw SQL on the import path: sqlite-utils introspects the table on every call, which costs
    # more than the query itself when 200 files arrive at once.
    def _one(self, sql: str, args: Sequence[Any]) -> dict[str, Any] | None:
        cur = self.conn.execute(sql, list(args))
        row = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], row)) if row else None

    def file_by_hash(self, file_hash: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM hq_files WHERE file_hash = ?", [file_hash])

    def file(self, file_id: int) -> dict[str, Any] | None:
        return self._one("SELECT * FROM hq_files WHERE id = ?", [file_id])

    def files(self, *, status: str | None = None) -> list[dict[str, Any]]:
        if status:
            return list(self._db.db["hq_files"].rows_where("status = ?", [status], order_by="id"))
        return list(self._db.db["hq_files"].rows_where(order_by="id"))

    def insert_file(self, row: dict[str, Any]) -> int:
        cols = list(row)
        cur = self.conn.execute(f"INSERT INTO hq_files ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                                [row[c] for c in cols])
        return cur.lastrowid

    def update_file(self, file_id: int, values: dict[str, Any]) -> None:
        self._db.db["hq_files"].update(file_id, values)

    def last_file(self, unit_id: str, kinds: Sequence[str] | None = None) -> dict[str, Any] | None:
        sql = "SELECT * FROM hq_files WHERE unit_id = ? AND signed = 1"
        args: list[Any] = [unit_id]
        if kinds:
            sql += f" AND kind IN ({','.join('?' * len(kinds))})"
            args += list(kinds)
        cur = self.conn.execute(sql + " ORDER BY sequence DESC, id DESC LIMIT 1", args)
        row = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], row)) if row else None

    def unit_summaries(self) -> dict[str, dict[str, Any]]:
        """Per sending unit: last sequence, last file name, when, how many files."""
        cur = self.conn.execute(
            "SELECT unit_id, max(sequence), count(*) FROM hq_files WHERE signed = 1 GROUP BY unit_id")
        out: dict[str, dict[str, Any]] = {}
        for unit_id, seq, n in cur.fetchall():
            last = self.last_file(unit_id) or {}
            out[unit_id] = {"last_sequence": seq, "files": n, "last_file": last.get("file_name"),
                            "last_received_at": last.get("received_at"), "unit_name": last.get("unit_name")}
        return out

    # ---- rows ---------------------------------------------------------------------------
    def next_rid(self) -> int:
        """The rid SQLite would give the next row (rid is the rowid; no AUTOINCREMENT)."""
        return (self.conn.execute("SELECT max(rid) FROM hq_rows").fetchone()[0] or 0) + 1

    def refresh_skeletons(self, skeleton: Callable[[str], str], fingerprint: str) -> int | None:
        """Make every stored skeleton what ``skeleton`` computes, once per change of its rules
        (``fingerprint``, kept in hq_meta); None when they were already current, else how many rows
        changed. Exact-ID duplicates are looked up through the skeleton index (m006), so a skeleton
        left over from older rules could hide one."""
        stored = self.conn.execute("SELECT value FROM hq_meta WHERE key = 'skeleton_rules'").fetchone()
        if stored is not None and stored[0] == fingerprint:
            return None
        with self._db.transaction():  # the write lock first: no row is added between read and mark
            changed = [(new, rid) for rid, aid, old in self.conn.execute(
                           "SELECT rid, account_id, skeleton FROM hq_rows WHERE account_id IS NOT NULL AND account_id != ''")
                       if (new := skeleton(aid)) != old]
            self.conn.executemany("UPDATE hq_rows SET skeleton = ? WHERE rid = ?", changed)
            self.conn.execute("INSERT OR REPLACE INTO hq_meta (key, value) VALUES ('skeleton_rules', ?)", [fingerprint])
        return len(changed)

    def insert_rows(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        cols = list(rows[0])
        sql = f"INSERT INTO hq_rows ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})"
        self.conn.executemany(sql, [[r.get(c) for c in cols] for r in rows])

    def _select(self, where: str, args: Sequence[Any], order: str = "rid") -> list[dict[str, Any]]:
        cur = self.conn.execute(f"SELECT * FROM hq_rows WHERE {where} ORDER BY {order}", list(args))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def rows(self, rids: Sequence[int]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for part in _chunks(list(rids)):
            out += self._select(f"rid IN ({','.join('?' * len(part))})", part)
        return out

    def row(self, rid: int) -> dict[str, Any] | None:
        found = self.rows([rid])
        return found[0] if found else None

    def rows_with(self, column: str, values: Iterable[str], *, exclude_statuses: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Rows whose ``column`` (account_id, skeleton or row_id) is one of ``values``. skeleton and
        row_id are indexed; account_id is not (since m006): look an ID up by its skeleton."""
        assert column in ("account_id", "skeleton", "row_id")
        vals = list(dict.fromkeys(v for v in values if v))
        out: list[dict[str, Any]] = []
        extra, extra_args = "", []
        if exclude_statuses:
            extra = f" AND status NOT IN ({','.join('?' * len(exclude_statuses))})"
            extra_args = list(exclude_statuses)
        for part in _chunks(vals):
            out += self._select(f"{column} IN ({','.join('?' * len(part))}){extra}", list(part) + extra_args)
        return out

    def rows_matching(self, criteria: dict[str, Iterable[str | None]], *,
                      exclude_statuses: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Rows where any ``column`` (account_id, skeleton or row_id) is one of its values, in rid
        order: what ``rows_with`` returns for each column, in one query (SQLite's multi-index OR
        runs one index search per value) instead of one per column."""
        lists = {}
        for column, values in criteria.items():
            assert column in ("account_id", "skeleton", "row_id")
            vals = list(dict.fromkeys(v for v in values if v))
            if vals:
                lists[column] = vals
        if not lists:
            return []
        if sum(len(v) for v in lists.values()) > _CHUNK:  # a big file: per column, merged by rid
            merged = {r["rid"]: r for column, vals in lists.items()
                      for r in self.rows_with(column, vals, exclude_statuses=exclude_statuses)}
            return [merged[rid] for rid in sorted(merged)]
        where = " OR ".join(f"{column} IN ({','.join('?' * len(vals))})" for column, vals in lists.items())
        args = [v for vals in lists.values() for v in vals]
        if exclude_statuses:
            where = f"({where}) AND status NOT IN ({','.join('?' * len(exclude_statuses))})"
            args += list(exclude_statuses)
        return self._select(where, args)

    def update_rows(self, rids: Sequence[int], values: dict[str, Any]) -> None:
        cols = list(values)
        sets = ", ".join(f"{c} = ?" for c in cols)
        for part in _chunks(list(rids)):
            self.conn.execute(f"UPDATE hq_rows SET {sets} WHERE rid IN ({','.join('?' * len(part))})",
                              [values[c] for c in cols] + list(part))

    def set_dups(self, rid: int, dups: list[dict[str, Any]], problem: int) -> None:
        self.conn.execute("UPDATE hq_rows SET dups = ?, problem = ? WHERE rid = ?",
                          [json.dumps(dups, ensure_ascii=False) if dups else None, problem, rid])

    def set_dups_many(self, items: Sequence[tuple[int, list[dict[str, Any]], int]]) -> None:
        """``set_dups`` for many rows at once: (rid, dups, problem) each."""
        self.conn.executemany("UPDATE hq_rows SET dups = ?, problem = ? WHERE rid = ?",
                              [(json.dumps(dups, ensure_ascii=False) if dups else None, problem, rid)
                               for rid, dups, problem in items])

    def file_rows(self, file_id: int) -> list[dict[str, Any]]:
        """Every row that came in one file (by the file_id index), in insertion order."""
        return self._select("file_id = ?", [file_id])

    def query(self, flt: RowFilter, *, order_by: str = "rid", descending: bool = False,
              limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
        if order_by not in SORTABLE:
            raise ValueError(order_by)
        where, args = flt.sql()
        direction = "DESC" if descending else "ASC"
        # rid breaks ties so paging is stable whatever the sort column
        return self._select_paged(where, args, f"{order_by} {direction}, rid {direction}", limit, offset)

    def _select_paged(self, where: str, args: list[Any], order: str, limit: int, offset: int) -> list[dict[str, Any]]:
        cur = self.conn.execute(f"SELECT * FROM hq_rows WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
                                args + [limit, offset])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def count(self, flt: RowFilter) -> int:
        where, args = flt.sql()
        return self.conn.execute(f"SELECT count(*) FROM hq_rows WHERE {where}", args).fetchone()[0]

    def rids(self, flt: RowFilter, *, order_by: str = "rid") -> list[int]:
        where, args = flt.sql()
        return [r[0] for r in self.conn.execute(f"SELECT rid FROM hq_rows WHERE {where} ORDER BY {order_by}, rid", args)]

    def distinct(self, column: str) -> list[str]:
        assert column in ("station", "case_type", "unit_id", "received_on")
        return [r[0] for r in self.conn.execute(
            f"SELECT DISTINCT {column} FROM hq_rows WHERE {column} IS NOT NULL ORDER BY {column}")]

    def status_counts(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT status, count(*) FROM hq_rows GROUP BY status").fetchall())

    def confirmed_rows_through(self, day: str) -> list[dict[str, Any]]:
        """確認済 rows received on or before ``day`` (ISO), in the order they arrived: a day's batch."""
        return self._select("status = ? AND received_on <= ?", ["confirmed", day],
                            order="received_at, file_id, position, rid")

    def rows_with_source_file(self, statuses: Sequence[str], *, where: str = "",
                              args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows in ``statuses`` with the prefecture, sender name and file name of the file they came in
        (the NPA's national view), by prefecture then arrival. ``where`` is the caller's own SQL over
        ``r`` (hq_rows) and ``f`` (hq_files) with ``?`` placeholders for ``args``."""
        marks = ",".join("?" * len(statuses))
        sql = ("SELECT r.*, f.prefecture_code AS prefecture_code, f.unit_name AS hq_name, f.file_name AS file_name "
               f"FROM hq_rows r JOIN hq_files f ON f.id = r.file_id WHERE r.status IN ({marks})")
        if where:
            sql += f" AND ({where})"
        sql += " ORDER BY f.prefecture_code, r.received_at, r.file_id, r.position"
        cur = self.conn.execute(sql, [*statuses, *args])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, values)) for values in cur.fetchall()]

    # ---- batches ------------------------------------------------------------------------
    def insert_batch(self, row: dict[str, Any]) -> int:
        return self._db.db["hq_batches"].insert(row).last_pk

    def batches(self, kind: str | None = None) -> list[dict[str, Any]]:
        if kind:
            return list(self._db.db["hq_batches"].rows_where("kind = ?", [kind], order_by="id"))
        return list(self._db.db["hq_batches"].rows_where(order_by="id"))

    def confirmed_days(self) -> dict[str, int]:
        """Days (received_on) that still have 確認済 or 受理 rows not yet sent, with counts."""
        cur = self.conn.execute(
            "SELECT received_on, count(*) FROM hq_rows WHERE status IN ('received','confirmed','unconfirmed') "
            "GROUP BY received_on ORDER BY received_on")
        return dict(cur.fetchall())
