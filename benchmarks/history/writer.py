"""Bulk writing of the generated rows: one transaction per batch, the fastest path each database has.

- SQLite: SQLAlchemy Core `insert()` with a list of rows (the driver's executemany), on one
  connection with the bulk-load pragmas (no fsync per commit, a large page cache, temp tables
  in memory). The column types do the conversions (UTC datetimes, JSON).
- PostgreSQL: psycopg's COPY ... FROM STDIN, which is several times faster than INSERTs; JSON
  columns are sent as their text. Ids are given, so the id sequences are moved past them at the end.
"""

import json
import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, Connection, Engine, Table, text

from handoff.models import Base

from history.rows import Row

logger = logging.getLogger(__name__)

SQLITE_BULK_PRAGMAS = ("PRAGMA synchronous=OFF", "PRAGMA cache_size=-262144", "PRAGMA temp_store=MEMORY")


class BulkWriter:
    """Writes batches of rows into the database behind `engine`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: Connection = engine.connect()
        self.dialect = engine.dialect.name
        if self.dialect == "sqlite":  # outside any transaction, so on the driver's connection
            raw: Any = self.connection.connection.driver_connection
            for pragma in SQLITE_BULK_PRAGMAS:
                raw.execute(pragma)
        self.tables_written: set[str] = set()

    def write(self, batch: Iterable[tuple[str, list[Row]]]) -> None:
        """One transaction: every table's rows, in the order given (the order foreign keys need)."""
        with self.connection.begin():
            for name, rows in batch:
                table = Base.metadata.tables[name]
                if self.dialect == "postgresql":
                    self._copy(table, rows)
                else:
                    self.connection.execute(table.insert(), rows)
                self.tables_written.add(name)

    def _copy(self, table: Table, rows: list[Row]) -> None:
        columns = list(rows[0])
        as_json = {name for name in columns if isinstance(table.c[name].type, JSON)}
        quote = self.engine.dialect.identifier_preparer.quote
        statement = f"COPY {quote(table.name)} ({', '.join(quote(name) for name in columns)}) FROM STDIN"
        raw: Any = self.connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([json.dumps(row[name]) if name in as_json else row[name] for name in columns])

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the given ids; refresh the planner's statistics there."""
        if self.dialect == "postgresql":
            with self.connection.begin():
                for name in sorted(self.tables_written):
                    self.connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT max(id) FROM {name}))"
                    ))
            # What autovacuum does by itself a minute after a bulk load; done now, so the figures
            # do not depend on when it runs.
            autocommit = self.connection.execution_options(isolation_level="AUTOCOMMIT")
            autocommit.exec_driver_sql("VACUUM ANALYZE")
        self.connection.close()
