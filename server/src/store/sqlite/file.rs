//! The database file itself: whether it is taskd's (and of which schema)
//! before anything writes to it, that only its owner may read it, the lock
//! that keeps a second daemon off it, whether it is still the file the
//! daemon opened, and whether its disk has room left.

use std::{
    fs::File,
    io::Read,
    path::{Path, PathBuf},
};

use anyhow::{bail, Context};
use rusqlite::{Connection, OpenFlags};

/// `PRAGMA application_id` of a taskd database: "task" in ASCII.
pub const APPLICATION_ID: i32 = 0x7461_736b;

/// What is at a database path, read without writing a byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Nothing, an empty file, or an SQLite database without tables.
    New,
    /// A taskd database, of this schema version.
    Taskd(usize),
}

/// Reads the header of `path`, then its schema version, mark and table
/// names through a read-only connection (which never writes the database
/// file; the WAL holds the latest header of a live database), to tell a
/// taskd database from anything else.
pub fn inspect(path: &Path) -> anyhow::Result<Found> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Found::New),
        Err(err) => return Err(err).with_context(|| format!("opening {}", path.display())),
    };
    let mut header = Vec::with_capacity(100);
    file.by_ref()
        .take(100)
        .read_to_end(&mut header)
        .with_context(|| format!("reading {}", path.display()))?;
    if header.is_empty() {
        return Ok(Found::New);
    }
    if header.len() < 100 || !header.starts_with(b"SQLite format 3\0") {
        bail!(
            "{} is not an SQLite database: point --database at taskd's database, or at a \
             path where none exists yet",
            path.display()
        );
    }
    let Marks {
        user_version,
        application_id,
        tables,
    } = marks(path)?;
    let ours = application_id == i64::from(APPLICATION_ID)
        || (application_id == 0
            && user_version > 0
            && ["users", "tasks"]
                .iter()
                .all(|t| tables.iter().any(|n| n == t)));
    if ours {
        return Ok(Found::Taskd(usize::try_from(user_version).unwrap_or(0)));
    }
    if application_id == 0 && user_version == 0 && tables.is_empty() {
        return Ok(Found::New);
    }
    bail!(
        "{} is an SQLite database of another program (tables: {}); taskd leaves it alone: \
         point --database at taskd's database, or at a path where none exists yet",
        path.display(),
        shorten(&tables)
    )
}

fn shorten(tables: &[String]) -> String {
    match tables.len() {
        0 => "none".into(),
        1..=5 => tables.join(", "),
        n => format!("{}, and {} more", tables[..5].join(", "), n - 5),
    }
}

/// What tells a taskd database from another.
struct Marks {
    user_version: i64,
    application_id: i64,
    tables: Vec<String>,
}

fn marks(path: &Path) -> anyhow::Result<Marks> {
    let mut uri = String::from("file:");
    for &byte in path.as_os_str().as_encoded_bytes() {
        if byte.is_ascii_alphanumeric() || b"/._-~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri.push_str("?mode=ro");
    let reading = || format!("reading {}", path.display());
    let conn = Connection::open_with_flags(
        &uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    )
    .with_context(reading)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .with_context(reading)?;
    let pragma = |name: &str| -> anyhow::Result<i64> {
        conn.query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))
            .with_context(reading)
    };
    let (user_version, application_id) = (pragma("user_version")?, pragma("application_id")?);
    let mut statement = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .with_context(reading)?;
    let tables = statement
        .query_map([], |row| row.get::<_, String>(0))
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .with_context(reading)?;
    Ok(Marks {
        user_version,
        application_id,
        tables,
    })
}

/// The database, its WAL and shared-memory files, and the signing secret
/// beside it.
fn companions(database: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm", ".jwt-secret"]
        .iter()
        .map(|suffix| {
            let mut name = database.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        })
        .collect()
}

/// Makes the database and its companions readable by their owner only:
/// they hold password hashes and the signing secret. Each file changed is
/// logged; one that cannot be changed is an error saying so.
#[cfg(unix)]
pub fn make_private(database: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    for path in companions(database) {
        let Ok(metadata) = std::fs::metadata(&path) else {
            continue;
        };
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 == 0 {
            continue;
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode & 0o700))
            .with_context(|| {
                format!(
                    "{} can be read by other users (mode {mode:04o}) and could not be made \
                     private; run chmod 600 on it as its owner",
                    path.display()
                )
            })?;
        tracing::warn!(
            file = %path.display(),
            was = format!("{mode:04o}"),
            "made the file readable by its owner only"
        );
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn make_private(_database: &Path) -> anyhow::Result<()> {
    Ok(())
}

/// Locks the database file itself for as long as the returned file is
/// open, so that a second daemon refuses to serve it by whatever path it
/// is reached: a symlink or a hard link names the same file. (SQLite's own
/// locks are of another kind and do not meet this one.)
pub fn take_serving_lock(database: &Path) -> anyhow::Result<File> {
    let file = File::open(database).with_context(|| format!("opening {}", database.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "another taskd is already serving {} (perhaps through another path to the same file)",
            database.display()
        ),
        Err(std::fs::TryLockError::Error(err)) => {
            Err(err).with_context(|| format!("locking {}", database.display()))
        }
    }
}

/// Which file a path named when the daemon opened it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    device: u64,
    inode: u64,
}

impl Identity {
    #[cfg(unix)]
    pub fn of(path: &Path) -> Option<Identity> {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|metadata| Identity {
            device: metadata.dev(),
            inode: metadata.ino(),
        })
    }

    #[cfg(not(unix))]
    pub fn of(_path: &Path) -> Option<Identity> {
        None
    }
}

/// Free space under which the disk holding the database counts as full and
/// writes are refused. A write itself may fit where the WAL already has
/// room, but a checkpoint that grows the database file would fail: writes
/// stop here rather than part-way, and the health check says why.
pub const MIN_FREE_BYTES: u64 = 256 * 1024;

/// The bytes an unprivileged process may still write on the disk holding
/// `path`, or `None` when that cannot be learnt (the write then goes ahead
/// and SQLite reports a full disk itself).
#[cfg(unix)]
pub fn space_left(path: &Path) -> Option<u64> {
    let stats = rustix::fs::statvfs(path).ok()?;
    // Some filesystems report no figures at all; that is not a full disk.
    if stats.f_blocks == 0 || stats.f_frsize == 0 {
        return None;
    }
    Some(stats.f_bavail.saturating_mul(stats.f_frsize))
}

#[cfg(not(unix))]
pub fn space_left(_path: &Path) -> Option<u64> {
    None
}
