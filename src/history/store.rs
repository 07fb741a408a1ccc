//! The SQLite store: one file, WAL so that overlapping runs (cron and a person)
//! both record, a busy timeout instead of failing at the first lock, and a
//! schema versioned by `PRAGMA user_version` with one migration per version.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};
use rust_decimal::Decimal;

use super::{Point, Record};
use crate::error::ErrorKind;
use crate::result::{AlertState, Status};

/// How long a run waits for another run's write before giving up on history.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Every file SQLite writes starts with these bytes.
const HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Migrations, in order: `MIGRATIONS[n]` takes a store from version n to n + 1.
/// A released entry is never edited; a change of schema is a new entry.
const MIGRATIONS: &[&str] = &[
    // 1: checks, keyed by (profile, time) so that reading one profile's window
    // is one range scan; by time too, for pruning and oldest-first export.
    // Amounts are exact decimal TEXT, never REAL. `state` keeps each profile's
    // last alert state (SPEC §12).
    "CREATE TABLE checks (
         profile     TEXT    NOT NULL,
         checked_at  INTEGER NOT NULL, -- microseconds since the Unix epoch, UTC
         provider    TEXT    NOT NULL,
         status      TEXT    NOT NULL CHECK (status IN ('ok', 'low', 'error')),
         balance     TEXT,             -- exact decimal digits; NULL when the check failed
         currency    TEXT,
         error_kind  TEXT,
         duration_ms INTEGER,
         PRIMARY KEY (profile, checked_at)
     ) WITHOUT ROWID;
     CREATE INDEX checks_by_time ON checks (checked_at);
     CREATE TABLE state (
         profile TEXT    NOT NULL PRIMARY KEY,
         state   TEXT    NOT NULL CHECK (state IN ('ok', 'low', 'error')),
         since   INTEGER NOT NULL      -- microseconds since the Unix epoch, UTC
     ) WITHOUT ROWID;",
    // 2: alert state per target, not per profile: each `[[alerts]]` entry has
    // thresholds (`below`) and a `repeat` of its own. `target` is the entry's
    // name, else its place. The per-profile states are carried over to every
    // target that has none, so an upgrade alerts nothing new (`*` matches any
    // target until it has a row of its own).
    "CREATE TABLE alert_state (
         profile TEXT    NOT NULL,
         target  TEXT    NOT NULL,
         state   TEXT    NOT NULL CHECK (state IN ('ok', 'low', 'error')),
         since   INTEGER NOT NULL,     -- microseconds since the Unix epoch, UTC
         sent_at INTEGER,              -- when an alert was last sent for it
         PRIMARY KEY (profile, target)
     ) WITHOUT ROWID;
     INSERT INTO alert_state (profile, target, state, since, sent_at)
         SELECT profile, '*', state, since, NULL FROM state;
     DROP TABLE state;",
    // 3: what a row was judged by and why it failed, so that a report shows the
    // status as recorded and says why (older rows have NULL: as recorded).
    "ALTER TABLE checks ADD COLUMN min_balance TEXT; -- exact decimal digits
     ALTER TABLE checks ADD COLUMN min_days REAL;
     ALTER TABLE checks ADD COLUMN message TEXT;     -- already free of secrets",
];

/// The schema version this build writes.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

/// Why the store could not be used. Its `Display` is the one warning line.
#[derive(Debug)]
pub struct StoreError {
    pub path: PathBuf,
    pub reason: String,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "history store {}: {}", self.path.display(), self.reason)
    }
}

impl std::error::Error for StoreError {}

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// What `import` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    pub added: usize,
    pub skipped: usize,
}

/// A profile's own rows and those of its results (`profile/label`: its
/// subaccounts, its per-currency balances). Not LIKE: `_` is a wildcard there
/// and a valid character of a name.
const OF_PROFILE: &str = "(profile = ?1 OR substr(profile, 1, length(?1) + 1) = ?1 || '/')";

impl Store {
    /// Opens the store for recording, creating it (and its directory) when absent
    /// and migrating an older schema. A file that is not a SQLite database is
    /// refused and left exactly as it is.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let fail = |reason: String| StoreError {
            path: path.to_owned(),
            reason,
        };
        refuse_foreign(path).map_err(fail)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::fsafe::create_private_dir(dir).map_err(|e| {
                fail(format!(
                    "cannot create {}: {}",
                    dir.display(),
                    crate::secret::io_reason(&e)
                ))
            })?;
        }
        // A store its owner made read-only stays so, even for root (who may write
        // anyway): it is still read for forecasts, and recording fails with one warning.
        let read_only = marked_read_only(path);
        if !read_only {
            crate::fsafe::create_private_file(path).map_err(|e| {
                fail(format!(
                    "cannot create it: {}",
                    crate::secret::io_reason(&e)
                ))
            })?;
        }
        let flags = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| fail(reason(&e)))?;
        let mut store = Store {
            conn,
            path: path.to_owned(),
        };
        store.prepare(read_only).map_err(|e| fail(reason(&e)))?;
        Ok(store)
    }

    /// Opens an existing store for reading only; `Ok(None)` when there is none.
    pub fn open_read(path: &Path) -> Result<Option<Store>, StoreError> {
        let fail = |reason: String| StoreError {
            path: path.to_owned(),
            reason,
        };
        if !path.exists() {
            return Ok(None);
        }
        refuse_foreign(path).map_err(fail)?;
        let (conn, version) = match read_only(path, false) {
            Ok(opened) => opened,
            // A reader without write access to the store or its directory (a
            // dashboard user, a group) cannot make WAL's `-shm`: it reads the
            // file as immutable instead, seeing what the last writer checkpointed.
            Err(e) if cannot_share(&e) => read_only(path, true).map_err(|e| fail(reason(&e)))?,
            Err(e) => return Err(fail(reason(&e))),
        };
        if version == 0 {
            // Created but never written: as good as no store.
            return Ok(None);
        }
        if version > VERSION {
            return Err(fail(newer(version)));
        }
        if version < VERSION {
            // An older schema lacks columns the reads name: upgraded first,
            // as the next `check` would (a store that cannot be written says so).
            drop(conn);
            return Store::open(path).map(Some);
        }
        Ok(Some(Store {
            conn,
            path: path.to_owned(),
        }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn prepare(&mut self, read_only: bool) -> rusqlite::Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        // Reading the header here makes a damaged file fail now, before any write.
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > VERSION {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_MISMATCH),
                Some(newer(version)),
            ));
        }
        if read_only {
            return match version {
                VERSION => Ok(()),
                _ => Err(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
                    None,
                )),
            };
        }
        let mode: String = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            crate::debug!(1, "history: journal mode is {mode}, not wal");
        }
        // WAL with NORMAL loses at most the last transactions on power loss, never
        // consistency; a check's record is not worth an fsync per commit. (The
        // log is still checkpointed when the last run closes it: leaving that to
        // the next run makes it rebuild the log's index, which costs far more.)
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        if version < VERSION {
            self.migrate()?;
        }
        Ok(())
    }

    /// Brings the schema to `VERSION`. Two runs creating the store at once both
    /// get here: the write lock is taken first, then the version read again.
    fn migrate(&mut self) -> rusqlite::Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (n, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", n as i64 + 1)?;
        }
        tx.commit()
    }

    /// Records checks in one transaction. Two records of one profile in the same
    /// microsecond (overlapping runs) must both be kept: the later one moves on
    /// by a microsecond.
    pub fn record(&mut self, records: &[Record]) -> Result<(), StoreError> {
        self.write(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO checks
                 (profile, checked_at, provider, status, balance, currency, error_kind, duration_ms,
                  min_balance, min_days, message)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            for r in records {
                let balance = r.balance.map(|b| b.to_string());
                let min_balance = r.min_balance.map(|b| b.to_string());
                for bump in 0..1000 {
                    let added = insert.execute(params![
                        r.profile,
                        r.checked_at.saturating_add(bump),
                        r.provider,
                        r.status.as_str(),
                        balance,
                        r.currency,
                        r.error_kind.map(ErrorKind::as_str),
                        r.duration_ms,
                        min_balance,
                        r.min_days,
                        r.message,
                    ])?;
                    if added == 1 {
                        break;
                    }
                }
            }
            Ok(())
        })
    }

    /// Adds records that are not there yet (same profile and time), all or none.
    pub fn import(&mut self, records: &[Record]) -> Result<Imported, StoreError> {
        let imported = self.import_with(|each| {
            for r in records {
                each(r.clone())?;
            }
            Ok(records.len())
        })?;
        Ok(imported.expect("every record is accepted"))
    }

    /// Imports the records `read` hands over as it reads them (memory bounded
    /// by one record, whatever the file's size), in one transaction: when
    /// `read` fails (a bad row), nothing of it is written, and its message is
    /// the inner error. `read` returns how many records it handed over.
    pub fn import_with(
        &mut self,
        read: impl FnOnce(&mut dyn FnMut(Record) -> Result<(), String>) -> Result<usize, String>,
    ) -> Result<Result<Imported, String>, StoreError> {
        let mut refused = None;
        let done = self.write(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO checks
                 (profile, checked_at, provider, status, balance, currency, error_kind, duration_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let mut added = 0;
            let mut failed = None;
            let outcome = read(&mut |r: Record| match insert.execute(params![
                r.profile,
                r.checked_at,
                r.provider,
                r.status.as_str(),
                r.balance.map(|b| b.to_string()),
                r.currency,
                r.error_kind.map(ErrorKind::as_str),
                r.duration_ms,
            ]) {
                Ok(n) => {
                    added += n;
                    Ok(())
                }
                Err(e) => {
                    let why = reason(&e);
                    failed = Some(e);
                    Err(why)
                }
            });
            if let Some(e) = failed {
                return Err(e);
            }
            match outcome {
                Ok(total) => Ok(Imported {
                    added,
                    skipped: total - added,
                }),
                Err(why) => {
                    refused = Some(why);
                    // Any error rolls the transaction back.
                    Err(rusqlite::Error::InvalidQuery)
                }
            }
        });
        match (done, refused) {
            (_, Some(why)) => Ok(Err(why)),
            (done, None) => done.map(Ok),
        }
    }

    /// Deletes records older than `before` (microseconds); how many went.
    pub fn prune(&mut self, before: i64) -> Result<usize, StoreError> {
        self.write(|tx| tx.execute("DELETE FROM checks WHERE checked_at < ?1", [before]))
    }

    /// The fetched balances of one profile from `since` on, oldest first: what a
    /// chart draws. Failed checks carry no balance and are left out.
    pub fn points(&self, profile: &str, since: i64) -> Result<Vec<Point>, StoreError> {
        self.read(|conn| {
            let mut q = conn.prepare_cached(
                "SELECT checked_at, balance, currency FROM checks
                 WHERE profile = ?1 AND checked_at >= ?2 AND balance IS NOT NULL
                 ORDER BY checked_at",
            )?;
            let mut points: Vec<Point> = Vec::new();
            read_points(q.query(params![profile, since])?, &mut points, |_, _| true)?;
            Ok(points)
        })
    }

    /// When the profile's balance was last fetched (microseconds), failed
    /// checks skipped: the textfile's last-success gauge.
    pub fn last_success(&self, profile: &str) -> Result<Option<i64>, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT checked_at FROM checks WHERE profile = ?1 AND balance IS NOT NULL
                 ORDER BY checked_at DESC LIMIT 1",
            )?
            .query_row([profile], |r| r.get(0))
            .optional()
        })
    }

    /// The balances of the current segment from `since` on, oldest first: what
    /// a forecast reads (`forecast` starts its segment after the last rise or
    /// change of currency, so nothing before that is read). Read newest first,
    /// stopping there: a profile topped up a week ago costs a week of rows, not
    /// the whole window.
    pub fn current_segment(&self, profile: &str, since: i64) -> Result<Vec<Point>, StoreError> {
        self.read(|conn| {
            let mut q = conn.prepare_cached(
                "SELECT checked_at, balance, currency FROM checks
                 WHERE profile = ?1 AND checked_at >= ?2 AND balance IS NOT NULL
                 ORDER BY checked_at DESC",
            )?;
            let mut points: Vec<Point> = Vec::new();
            read_points(
                q.query(params![profile, since])?,
                &mut points,
                |older, newer| newer.balance <= older.balance && newer.currency == older.currency,
            )?;
            points.reverse();
            Ok(points)
        })
    }
    /// One profile's records from `since` on, oldest first: one range scan of
    /// the primary key.
    pub fn records_of(&self, profile: &str, since: i64) -> Result<Vec<Record>, StoreError> {
        self.read(|conn| {
            let mut q = conn.prepare_cached(
                "SELECT checked_at, profile, provider, status, balance, currency, error_kind, duration_ms,
                        min_balance, min_days, message
                 FROM checks WHERE profile = ?1 AND checked_at >= ?2 ORDER BY checked_at",
            )?;
            let rows = q.query_map(params![profile, since], record_of_row)?;
            rows.collect()
        })
    }

    /// Records from `since` (all when `None`) of the given profiles (all when
    /// empty), oldest first; within one instant, by profile.
    pub fn records(
        &self,
        profiles: &[String],
        since: Option<i64>,
    ) -> Result<Vec<Record>, StoreError> {
        let mut out = Vec::new();
        let done: Result<(), std::convert::Infallible> =
            self.each_record(profiles, since, |r| {
                out.push(r.clone());
                Ok(())
            })?;
        let Ok(()) = done;
        Ok(out)
    }

    /// Every record from `since` on (of `profiles`, or all), as `records`
    /// orders them, handed to `each` as read: an export of any size holds one
    /// at a time.
    pub fn each_record<E>(
        &self,
        profiles: &[String],
        since: Option<i64>,
        mut each: impl FnMut(&Record) -> Result<(), E>,
    ) -> Result<Result<(), E>, StoreError> {
        self.read(|conn| {
            let mut q = conn.prepare_cached(
                "SELECT checked_at, profile, provider, status, balance, currency, error_kind, duration_ms,
                        min_balance, min_days, message
                 FROM checks WHERE checked_at >= ?1 ORDER BY checked_at, profile",
            )?;
            let mut rows = q.query([since.unwrap_or(i64::MIN)])?;
            while let Some(row) = rows.next()? {
                let record = record_of_row(row)?;
                if (profiles.is_empty() || profiles.contains(&record.profile))
                    && let Err(e) = each(&record)
                {
                    return Ok(Err(e));
                }
            }
            Ok(Ok(()))
        })
    }

    /// Every recorded profile name, sorted.
    pub fn profiles(&self) -> Result<Vec<String>, StoreError> {
        self.read(|conn| {
            // A skip-scan over the primary key: one probe per profile, not per row.
            let mut names = Vec::new();
            let mut q = conn.prepare_cached(
                "SELECT profile FROM checks WHERE profile > ?1 ORDER BY profile LIMIT 1",
            )?;
            let mut last = String::new();
            while let Some(name) = q.query_row([&last], |r| r.get::<_, String>(0)).optional()? {
                names.push(name.clone());
                last = name;
            }
            Ok(names)
        })
    }

    /// The alert states kept, by (profile, target key); a state carried over
    /// from a store before targets had their own is under the key `*`.
    pub fn alert_states(&self) -> Result<HashMap<(String, String), AlertState>, StoreError> {
        self.read(|conn| {
            let mut q = conn
                .prepare_cached("SELECT profile, target, state, since, sent_at FROM alert_state")?;
            let mut rows = q.query([])?;
            let mut out = HashMap::new();
            while let Some(row) = rows.next()? {
                let Ok(state) = row.get_ref(2)?.as_str()?.parse::<Status>() else {
                    continue;
                };
                out.insert(
                    (row.get::<_, String>(0)?, row.get::<_, String>(1)?),
                    AlertState {
                        state,
                        since: row.get(3)?,
                        sent_at: row.get(4)?,
                    },
                );
            }
            Ok(out)
        })
    }

    /// Removes every row of one profile, its checks and its alert states; how
    /// many checks went.
    pub fn forget(&mut self, profile: &str) -> Result<usize, StoreError> {
        self.write(|tx| {
            tx.execute(
                &format!("DELETE FROM alert_state WHERE {OF_PROFILE}"),
                [profile],
            )?;
            tx.execute(&format!("DELETE FROM checks WHERE {OF_PROFILE}"), [profile])
        })
    }

    /// How many rows `forget(profile)` would remove.
    pub fn count_of(&self, profile: &str) -> Result<usize, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(&format!("SELECT count(*) FROM checks WHERE {OF_PROFILE}"))?
                .query_row([profile], |r| r.get::<_, i64>(0))
        })
        .map(|n| n as usize)
    }

    /// Replaces the given (profile, target) states, in one transaction.
    pub fn keep_alert_states(
        &mut self,
        states: &[(String, String, AlertState)],
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let mut q = tx.prepare_cached(
                "INSERT INTO alert_state (profile, target, state, since, sent_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (profile, target) DO UPDATE SET
                     state = excluded.state, since = excluded.since, sent_at = excluded.sent_at",
            )?;
            for (profile, target, s) in states {
                q.execute(params![
                    profile,
                    target,
                    s.state.as_str(),
                    s.since,
                    s.sent_at
                ])?;
            }
            Ok(())
        })
    }

    fn write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let run = || -> rusqlite::Result<T> {
            // IMMEDIATE: wait for the write lock up front (busy timeout), rather
            // than fail halfway when a read turns into a write.
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        };
        run().map_err(|e| StoreError {
            path: self.path.clone(),
            reason: reason(&e),
        })
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        f(&self.conn).map_err(|e| StoreError {
            path: self.path.clone(),
            reason: reason(&e),
        })
    }
}

/// Appends the rows' points to `points` while `keep(point, last kept)` holds
/// (from the second point on). Read in place: this loop is most of what history
/// adds to a check.
fn read_points(
    mut rows: rusqlite::Rows<'_>,
    points: &mut Vec<Point>,
    keep: impl Fn(&Point, &Point) -> bool,
) -> rusqlite::Result<()> {
    while let Some(row) = rows.next()? {
        let balance = row.get_ref(1)?.as_str().ok().and_then(|b| b.parse().ok());
        // A value no build of this program wrote is skipped, not fatal.
        let Some(balance) = balance else { continue };
        let currency = row.get_ref(2)?.as_str_or_null().ok().flatten();
        let currency = match points.last() {
            Some(last) if last.currency.as_deref() == currency => last.currency.clone(),
            _ => currency.map(Arc::from),
        };
        let point = Point {
            at: row.get(0)?,
            balance,
            currency,
        };
        if let Some(last) = points.last()
            && !keep(&point, last)
        {
            break;
        }
        points.push(point);
    }
    Ok(())
}

/// A value this build would never have written, as SQLite's own conversion error.
fn unreadable(column: usize, why: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, why.into())
}

fn record_of_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    Ok(Record {
        checked_at: row.get(0)?,
        profile: row.get(1)?,
        provider: row.get(2)?,
        status: row
            .get_ref(3)?
            .as_str()?
            .parse()
            .map_err(|e: String| unreadable(3, e))?,
        balance: row
            .get::<_, Option<String>>(4)?
            .and_then(|b| b.parse::<Decimal>().ok()),
        currency: row.get(5)?,
        error_kind: match row.get_ref(6)?.as_str_or_null()? {
            Some(kind) => Some(kind.parse().map_err(|e: String| unreadable(6, e))?),
            None => None,
        },
        duration_ms: row.get(7)?,
        min_balance: row
            .get::<_, Option<String>>(8)?
            .and_then(|b| b.parse::<Decimal>().ok()),
        min_days: row.get(9)?,
        message: row.get(10)?,
    })
}

#[cfg(unix)]
fn marked_read_only(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o222 == 0)
}

#[cfg(not(unix))]
fn marked_read_only(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly())
}

/// A non-empty file that does not start as SQLite's do is somebody's data, or a
/// damaged store: it is never opened for writing, let alone overwritten.
fn refuse_foreign(path: &Path) -> Result<(), String> {
    use std::io::Read;
    // Never blocks: a FIFO there must not hang `open()` (fsafe's rule).
    let (mut file, meta) = match crate::fsafe::open_regular(path, None, true) {
        Ok(open) => open,
        // Absent, permission and the like: SQLite will say it in its own words.
        Err(crate::fsafe::FileError::Io(_)) => return Ok(()),
        Err(e) => return Err(e.reason()),
    };
    if meta.len() == 0 {
        return Ok(());
    }
    let mut head = [0u8; 16];
    let n = file
        .read(&mut head)
        .map_err(|e| crate::secret::io_reason(&e))?;
    if n < HEADER.len() || &head != HEADER {
        return Err(damaged());
    }
    Ok(())
}

fn damaged() -> String {
    "not a valid history database (damaged?); left untouched: move it away to start a new one"
        .into()
}

fn newer(version: i64) -> String {
    format!(
        "written by a newer balance (schema {version}, this one knows {VERSION}); left untouched"
    )
}

/// SQLite's errors in the words a user acts on.
/// Opens the store read-only and reads its schema version; `immutable` promises
/// SQLite the file will not change, so it needs no `-shm` (nor a lock).
fn read_only(path: &Path, immutable: bool) -> rusqlite::Result<(Connection, i64)> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = if immutable {
        let uri = format!("{}?immutable=1", crate::fsafe::file_uri(path));
        Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)?
    } else {
        Connection::open_with_flags(path, flags)?
    };
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let version = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    Ok((conn, version))
}

fn cannot_share(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly | ErrorCode::PermissionDenied)
    )
}

fn reason(e: &rusqlite::Error) -> String {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => damaged(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => format!(
            "locked by another run for more than {}s",
            BUSY_TIMEOUT.as_secs()
        ),
        Some(ErrorCode::ReadOnly) => "read-only".into(),
        Some(ErrorCode::CannotOpen) => "cannot be opened".into(),
        Some(ErrorCode::PermissionDenied) => "permission denied".into(),
        Some(ErrorCode::DiskFull) => "disk full".into(),
        _ => match e {
            rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
            other => other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        crate::money::parse_decimal(text).unwrap()
    }

    pub fn record(profile: &str, at: i64, balance: Option<&str>) -> Record {
        Record {
            checked_at: at,
            profile: profile.into(),
            provider: "infobip".into(),
            status: if balance.is_some() {
                Status::Ok
            } else {
                Status::Error
            },
            balance: balance.map(d),
            currency: balance.map(|_| "EUR".into()),
            error_kind: if balance.is_none() {
                Some(ErrorKind::Network)
            } else {
                None
            },
            duration_ms: Some(12),
            ..Record::default()
        }
    }

    /// Reading only the current segment forecasts exactly what reading the
    /// whole window does, with top-ups, currency changes, failed checks and
    /// windows cutting anywhere.
    #[test]
    fn the_current_segment_forecasts_as_the_whole_window() {
        use crate::history::forecast::forecast;
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
        let hour = 3_600_000_000i64;
        let mut rng = fastrand::Rng::with_seed(7);
        let mut records = Vec::new();
        let mut balance = 5000i64;
        for h in 0..2000 {
            balance -= rng.i64(0..40);
            if rng.u8(..) < 4 {
                balance += 3000;
            }
            let text = format!("{}.{:02}", balance / 100, balance.rem_euclid(100));
            let mut r = record("p", h * hour, (rng.u8(..) > 10).then_some(text.as_str()));
            if h > 1500 && r.balance.is_some() {
                r.currency = Some("USD".into());
            }
            records.push(r);
        }
        let window = std::time::Duration::from_secs(14 * 86_400);
        let (mut forecasts, mut shorter) = (0, 0);
        // Recorded as time goes by: the store never holds a later check.
        for (i, chunk) in records.chunks(37).enumerate() {
            store.record(chunk).unwrap();
            let now = chunk.last().unwrap().checked_at + 1;
            let since = now - 14 * 24 * hour;
            let mut all: Vec<Point> = store.points("p", since).unwrap();
            let mut seg: Vec<Point> = store.current_segment("p", since).unwrap();
            // What record_run appends: this check's balance, a drop or a top-up.
            let next = Point {
                at: now,
                balance: d(if i % 3 == 0 { "99999" } else { "10" }),
                currency: all.last().and_then(|p| p.currency.clone()),
            };
            all.push(next.clone());
            seg.push(next);
            assert!(seg.len() <= all.len());
            shorter += usize::from(seg.len() < all.len());
            let f = forecast(&all, now, window);
            forecasts += usize::from(f.is_some());
            assert_eq!(f, forecast(&seg, now, window), "chunk {i}");
        }
        // Both kinds of case were met, not just the trivial ones.
        assert!(
            forecasts > 10 && shorter > 10,
            "{forecasts} forecasts, {shorter} shorter"
        );
    }

    #[test]
    fn records_exact_and_reads_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/history.sqlite3");
        let mut store = Store::open(&path).unwrap();
        store
            .record(&[
                record("b", 2_000_000, Some("149309.7985931")),
                record("a", 1_000_000, Some("675.20")),
                record("a", 3_000_000, None),
            ])
            .unwrap();
        let all = store.records(&[], None).unwrap();
        let order: Vec<_> = all
            .iter()
            .map(|r| (r.profile.as_str(), r.checked_at))
            .collect();
        assert_eq!(
            order,
            [("a", 1_000_000), ("b", 2_000_000), ("a", 3_000_000)]
        );
        assert_eq!(all[0].balance.unwrap().to_string(), "675.20");
        assert_eq!(all[1].balance.unwrap().to_string(), "149309.7985931");
        let points = store.points("a", 0).unwrap();
        assert_eq!(points.len(), 1, "failed checks carry no point");
        assert_eq!(store.profiles().unwrap(), ["a", "b"]);
        // Stored as text, never REAL.
        let kind: String = store
            .conn
            .query_row("SELECT typeof(balance) FROM checks LIMIT 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(kind, "text");
    }

    #[test]
    fn same_instant_twice_keeps_both() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
        let r = record("a", 5, Some("1"));
        store.record(&[r.clone(), r.clone()]).unwrap();
        store.record(&[r]).unwrap();
        let at: Vec<i64> = store
            .records(&[], None)
            .unwrap()
            .iter()
            .map(|r| r.checked_at)
            .collect();
        assert_eq!(at, [5, 6, 7]);
    }

    #[test]
    fn import_skips_what_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
        let rows = [record("a", 1, Some("1")), record("a", 2, Some("0.5"))];
        assert_eq!(
            store.import(&rows).unwrap(),
            Imported {
                added: 2,
                skipped: 0
            }
        );
        assert_eq!(
            store.import(&rows).unwrap(),
            Imported {
                added: 0,
                skipped: 2
            }
        );
        assert_eq!(store.records(&[], None).unwrap().len(), 2);
    }

    #[test]
    fn prune_and_since() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
        let rows: Vec<Record> = (0..10).map(|i| record("a", i * 10, Some("1"))).collect();
        store.record(&rows).unwrap();
        assert_eq!(store.prune(50).unwrap(), 5);
        assert_eq!(store.records(&[], Some(70)).unwrap().len(), 3);
        assert_eq!(store.points("a", 0).unwrap().len(), 5);
        assert_eq!(store.records(&["b".into()], None).unwrap().len(), 0);
    }

    #[test]
    fn forget_removes_one_profile() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
        store
            .record(&[
                record("a", 1, Some("1")),
                record("b", 1, Some("2")),
                record("a", 2, None),
                record("a/sub", 2, Some("3")),
                record("ab", 2, Some("4")),
            ])
            .unwrap();
        let st = AlertState {
            state: Status::Low,
            since: 1,
            sent_at: None,
        };
        store
            .keep_alert_states(&[
                ("a".into(), "index:1".into(), st),
                ("b".into(), "index:1".into(), st),
            ])
            .unwrap();
        assert_eq!(store.count_of("a").unwrap(), 3);
        assert_eq!(store.forget("a").unwrap(), 3);
        assert_eq!(store.profiles().unwrap(), ["ab", "b"]);
        let states = store.alert_states().unwrap();
        assert_eq!(
            states.keys().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
            ["b"]
        );
        assert_eq!(store.forget("a").unwrap(), 0);
    }

    #[test]
    fn states_for_alerts() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
        assert!(store.alert_states().unwrap().is_empty());
        let st = |state, since, sent_at| AlertState {
            state,
            since,
            sent_at,
        };
        store
            .keep_alert_states(&[
                ("a".into(), "index:1".into(), st(Status::Ok, 1, None)),
                ("b".into(), "name:ops".into(), st(Status::Error, 2, Some(2))),
            ])
            .unwrap();
        store
            .keep_alert_states(&[("a".into(), "index:1".into(), st(Status::Low, 3, Some(3)))])
            .unwrap();
        let states = store.alert_states().unwrap();
        assert_eq!(
            states[&("a".into(), "index:1".into())],
            st(Status::Low, 3, Some(3))
        );
        assert_eq!(
            states[&("b".into(), "name:ops".into())],
            st(Status::Error, 2, Some(2))
        );
    }

    /// A store written by the release before alert targets had states of
    /// their own opens, keeps its checks, and carries each profile's state.
    #[test]
    fn a_version_1_store_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO checks VALUES ('a', 5, 'infobip', 'low', '3.5', 'EUR', NULL, 9)",
                [],
            )
            .unwrap();
            conn.execute("INSERT INTO state VALUES ('a', 'low', 5)", [])
                .unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        let records = store.records(&[], None).unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].status, Status::Low);
        assert_eq!(
            (records[0].min_balance, records[0].message.as_deref()),
            (None, None)
        );
        // New rows keep what they were judged by and why they failed.
        let mut r = record("a", 6, None);
        r.min_balance = Some(d("20.50"));
        r.min_days = Some(2.5);
        r.message = Some("credentials rejected (HTTP 401)".into());
        store.record(std::slice::from_ref(&r)).unwrap();
        assert_eq!(store.records_of("a", 6).unwrap(), [r]);
        let states = store.alert_states().unwrap();
        assert_eq!(
            states[&("a".into(), "*".into())],
            AlertState {
                state: Status::Low,
                since: 5,
                sent_at: None
            }
        );
    }

    #[test]
    fn a_foreign_or_damaged_file_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let junk = b"this is not a database, it is somebody's notes\n".repeat(200);
        std::fs::write(&path, &junk).unwrap();
        let err = Store::open(&path).unwrap_err().to_string();
        assert!(err.contains("not a valid history database"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), junk);
        assert!(Store::open_read(&path).is_err());

        // A real header over damaged pages: SQLite itself notices.
        let mut bad = HEADER.to_vec();
        bad.extend(std::iter::repeat_n(0xA5u8, 8192));
        std::fs::write(&path, &bad).unwrap();
        let err = Store::open(&path).unwrap_err().to_string();
        assert!(err.contains("not a valid history database"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), bad);
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_store_is_read_but_not_written() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let mut store = Store::open(&path).unwrap();
        store.record(&[record("a", 1, Some("5"))]).unwrap();
        drop(store);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let before = std::fs::read(&path).unwrap();
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.points("a", 0).unwrap().len(), 1);
        let err = store
            .record(&[record("a", 2, Some("4"))])
            .unwrap_err()
            .to_string();
        assert!(err.contains("read-only"), "{err}");
        drop(store);
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn reopening_keeps_the_version_and_a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        drop(Store::open(&path).unwrap());
        let store = Store::open(&path).unwrap();
        let v: i64 = store
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, VERSION);
        store
            .conn
            .pragma_update(None, "user_version", VERSION + 1)
            .unwrap();
        drop(store);
        let err = Store::open(&path).unwrap_err().to_string();
        assert!(err.contains("newer balance"), "{err}");
    }
}
