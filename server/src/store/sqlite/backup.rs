//! `taskd backup`: a consistent copy of a live database, made in one read
//! transaction (so writes going on beside it neither restart nor block
//! it), checked, and put in place only once whole.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use rusqlite::Connection;

use super::{create_private, file, MIGRATIONS};

/// Removes the partial copy, and the journal SQLite keeps beside it, once
/// the copy is in place or has failed.
struct Partial(PathBuf);

impl Drop for Partial {
    fn drop(&mut self) {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let mut name = self.0.as_os_str().to_owned();
            name.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
    }
}

/// Copies the taskd database at `source` to the new file `dest` (mode
/// 0600). Refuses a database of another schema than this binary's, which
/// it neither migrates nor could read back; leaves nothing at `dest` when
/// it fails.
pub fn backup(source: &Path, dest: &Path) -> anyhow::Result<()> {
    match file::inspect(source)? {
        file::Found::Taskd(version) if version == MIGRATIONS.len() => {}
        file::Found::Taskd(version) if version < MIGRATIONS.len() => bail!(
            "{}'s schema is version {version}, older than this taskd's ({}): run `taskd migrate` \
             first, or back it up with the taskd that serves it",
            source.display(),
            MIGRATIONS.len()
        ),
        file::Found::Taskd(version) => {
            return Err(super::super::newer_schema(version, MIGRATIONS.len()))
        }
        file::Found::New => bail!(
            "there is no taskd database at {}: give the one taskd serves with --database",
            source.display()
        ),
    }
    if dest.exists() {
        bail!("{} already exists; choose a new file", dest.display());
    }
    let name = dest
        .file_name()
        .with_context(|| format!("{} names no file", dest.display()))?;
    let mut partial_name = std::ffi::OsString::from(".");
    partial_name.push(name);
    partial_name.push(format!(".partial-{}", std::process::id()));
    let partial = Partial(dest.with_file_name(partial_name));
    let _ = std::fs::remove_file(&partial.0);
    // VACUUM INTO fills an empty file; made first, it is the owner's alone.
    create_private(&partial.0)?;
    let conn = Connection::open(source)
        .with_context(|| format!("opening database {}", source.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let target = partial
        .0
        .to_str()
        .with_context(|| format!("{} is not valid UTF-8; choose another name", dest.display()))?;
    conn.execute("VACUUM INTO ?1", [target])
        .with_context(|| format!("copying {} to {}", source.display(), dest.display()))?;
    drop(conn);
    let copy = Connection::open(&partial.0)?;
    let check: String = copy.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
    drop(copy);
    if check != "ok" {
        bail!("the copy failed its integrity check ({check}); nothing was written");
    }
    std::fs::File::open(&partial.0)
        .and_then(|file| file.sync_all())
        .with_context(|| format!("writing {}", dest.display()))?;
    // A hard link, unlike a rename, never replaces a file that appeared
    // at `dest` meanwhile.
    std::fs::hard_link(&partial.0, dest)
        .with_context(|| format!("putting the copy at {}", dest.display()))?;
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}
