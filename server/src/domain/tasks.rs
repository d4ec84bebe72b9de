//! What a create, a replace, a patch or a delete makes of a task: defaults,
//! `completed_at`, the version, and a change that changes nothing.

use std::{
    collections::BTreeMap,
    sync::atomic::{AtomicI64, Ordering},
};

use chrono::{DateTime, Utc};
use common::api::{Annotation, Priority, Status, Task, UdaValue};
use common::list_query::{tag_problem, tag_sign_problem, uda_name_problem};

use super::FieldErrors;

/// Every writable field of a task, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFields {
    pub title: String,
    pub description: String,
    pub status: Status,
    pub priority: Option<Priority>,
    pub due: Option<DateTime<Utc>>,
    pub project: Option<String>,
    pub tags: Vec<String>,
    pub start: Option<DateTime<Utc>>,
    pub wait: Option<DateTime<Utc>>,
    pub scheduled: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub udas: BTreeMap<String, UdaValue>,
    pub depends: Vec<i64>,
}

impl TaskFields {
    /// A pending task with nothing but a title.
    pub fn titled(title: impl Into<String>) -> TaskFields {
        TaskFields {
            title: title.into(),
            description: String::new(),
            status: Status::Pending,
            priority: None,
            due: None,
            project: None,
            tags: Vec::new(),
            start: None,
            wait: None,
            scheduled: None,
            until: None,
            udas: BTreeMap::new(),
            depends: Vec::new(),
        }
    }

    pub(super) fn of(task: &Task) -> TaskFields {
        TaskFields {
            title: task.title.clone(),
            description: task.description.clone(),
            status: task.status,
            priority: task.priority,
            due: task.due,
            project: task.project.clone(),
            tags: task.tags.clone(),
            start: task.start,
            wait: task.wait,
            scheduled: task.scheduled,
            until: task.until,
            udas: task.udas.clone(),
            depends: task.depends.clone(),
        }
    }

    /// Instants as they will be stored, and what being done implies: a done
    /// task is not active.
    fn normalised(mut self) -> TaskFields {
        for instant in [
            &mut self.due,
            &mut self.start,
            &mut self.wait,
            &mut self.scheduled,
            &mut self.until,
        ] {
            *instant = instant.map(stored);
        }
        if self.status == Status::Done {
            self.start = None;
        }
        self.depends.sort_unstable();
        self.depends.dedup();
        self
    }
}

/// The fields a PATCH changes, validated; `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskFieldsPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<Status>,
    pub priority: Option<Option<Priority>>,
    pub due: Option<Option<DateTime<Utc>>>,
    pub project: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    pub start: Option<Option<DateTime<Utc>>>,
    pub wait: Option<Option<DateTime<Utc>>>,
    pub scheduled: Option<Option<DateTime<Utc>>>,
    pub until: Option<Option<DateTime<Utc>>>,
    pub udas: Option<BTreeMap<String, UdaValue>>,
    pub depends: Option<Vec<i64>>,
    /// Notes added and removed with the fields, in the same version.
    pub notes: NoteEdits,
}

/// The notes a patch adds (their texts, checked) and removes (their ids).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoteEdits {
    pub add: Vec<String>,
    pub remove: Vec<i64>,
}

impl NoteEdits {
    /// The first id to remove that `task` has no note of, if any.
    pub fn unknown_in(&self, task: &Task) -> Option<i64> {
        self.remove
            .iter()
            .copied()
            .find(|id| !task.annotations.iter().any(|note| note.id == *id))
    }
}

impl TaskFieldsPatch {
    pub fn apply(self, task: &mut TaskFields) {
        if let Some(v) = self.title {
            task.title = v;
        }
        if let Some(v) = self.description {
            task.description = v;
        }
        if let Some(v) = self.status {
            task.status = v;
        }
        if let Some(v) = self.priority {
            task.priority = v;
        }
        if let Some(v) = self.due {
            task.due = v;
        }
        if let Some(v) = self.project {
            task.project = v;
        }
        if let Some(v) = self.tags {
            task.tags = v;
        }
        if let Some(v) = self.start {
            task.start = v;
        }
        if let Some(v) = self.wait {
            task.wait = v;
        }
        if let Some(v) = self.scheduled {
            task.scheduled = v;
        }
        if let Some(v) = self.until {
            task.until = v;
        }
        if let Some(v) = self.udas {
            task.udas = v;
        }
        if let Some(v) = self.depends {
            task.depends = v;
        }
    }
}

/// PUT replaces every writable field; PATCH changes some.
#[derive(Debug, Clone)]
pub enum TaskChange {
    Replace(TaskFields),
    Patch(TaskFieldsPatch),
}

pub use crate::store::stored;

/// The uuid of a task new to taskd (RFC 9562's version 8, a layout of
/// one's own): its first 32 bits are the microsecond it was made, modulo
/// 2³² (some 72 minutes), the rest random.
///
/// A random uuid (version 4) lands at a random place in the stores' index
/// of uuids: under steady creates, each new task read one page of that index
/// from disk and wrote it back, and SQLite's creates ran 40 % slower. Here
/// the uuids made one after another sort one after another, so they go to
/// the same page. A time-ordered uuid of version 7 would do that too, but
/// its first eight characters, the ones Taskwarrior's users type, change
/// only once a minute; here they differ between any two tasks made by this
/// process within 72 minutes, and between tasks made further apart as often
/// as a random uuid's do.
pub fn new_uuid() -> String {
    /// The microsecond of the last uuid made: each is stamped with the
    /// clock's, or one past the last one's when the clock has not moved
    /// on (two made within a microsecond, or the clock set back).
    static LAST: AtomicI64 = AtomicI64::new(i64::MIN);
    let now = Utc::now().timestamp_micros();
    let (Ok(last) | Err(last)) = LAST.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| {
        Some(uuid_stamp(last, now))
    });
    // Wraps by design: only its order from one task to the next matters.
    let stamp = uuid_stamp(last, now) as u32;
    let mut bytes = uuid::Uuid::new_v4().into_bytes();
    bytes[..4].copy_from_slice(&stamp.to_be_bytes());
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// The microsecond a uuid made at `now` is stamped with, after one stamped
/// `last`.
fn uuid_stamp(last: i64, now: i64) -> i64 {
    now.max(last.saturating_add(1))
}

/// Taskwarrior's own attribute names given to UDAs, its virtual tags given
/// as tags, and tags starting with `+` or `-`: refused when new, so that an
/// export carries each, a filter's `+ACTIVE` means what it says, and a
/// command line can name every tag. One a task had from before they were
/// refused it keeps, so that it can still be saved and changed.
pub fn reserved_names(
    tags: &[String],
    udas: &BTreeMap<String, UdaValue>,
    had: Option<&Task>,
) -> FieldErrors {
    reserved(tags, udas, had, true)
}

/// [`reserved_names`] for a file imported: a tag with a sign comes in as
/// it went out, since only this server's own export (of a task that had it
/// from before) writes one.
pub fn reserved_names_imported(tags: &[String], udas: &BTreeMap<String, UdaValue>) -> FieldErrors {
    reserved(tags, udas, None, false)
}

fn reserved(
    tags: &[String],
    udas: &BTreeMap<String, UdaValue>,
    had: Option<&Task>,
    signs: bool,
) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for tag in tags {
        if had.is_some_and(|task| task.tags.contains(tag)) {
            continue;
        }
        let signed = signs.then(|| tag_sign_problem(tag)).flatten();
        if let Some(problem) = signed.or_else(|| tag_problem(tag)) {
            errors.entry("tags".into()).or_default().push(problem);
        }
    }
    for name in udas.keys() {
        if had.is_some_and(|task| task.udas.contains_key(name)) {
            continue;
        }
        if let Some(problem) = uda_name_problem(name) {
            errors
                .entry("udas".into())
                .or_default()
                .push(format!("\"{name}\": {problem}"));
        }
    }
    errors
}

/// A new task as it is stored. Its `id`, and its `number` while pending,
/// are the store's to assign.
pub fn new_task(fields: TaskFields, now: DateTime<Utc>) -> Task {
    arrived(&new_uuid(), fields, ImportedDates::default(), &[], now)
}

/// A task new to the store, known as `uuid` (an import keeps the file's),
/// dated as `dates` say and otherwise `now`.
pub fn arrived(
    uuid: &str,
    fields: TaskFields,
    dates: ImportedDates,
    annotations: &[(DateTime<Utc>, String)],
    now: DateTime<Utc>,
) -> Task {
    let now = stored(now);
    let fields = fields.normalised();
    let created_at = dates.entry.unwrap_or(now);
    Task {
        id: 0,
        uuid: uuid.to_string(),
        number: None,
        completed_at: (fields.status == Status::Done).then(|| dates.end.unwrap_or(now)),
        created_at,
        updated_at: dates.modified.unwrap_or(created_at),
        version: 1,
        annotations: annotations
            .iter()
            .map(|(entry, text)| Annotation {
                id: 0,
                entry: *entry,
                text: text.clone(),
            })
            .collect(),
        ..with_fields(Task::default(), fields)
    }
}

fn with_fields(task: Task, fields: TaskFields) -> Task {
    Task {
        title: fields.title,
        description: fields.description,
        status: fields.status,
        priority: fields.priority,
        due: fields.due,
        project: fields.project,
        tags: fields.tags,
        start: fields.start,
        wait: fields.wait,
        scheduled: fields.scheduled,
        until: fields.until,
        udas: fields.udas,
        depends: fields.depends,
        ..task
    }
}

/// `current` after `change`, one version on; `None` when nothing would
/// change, so that the version (and another client's `If-Match`) stays.
/// A task keeps its number while it stays pending, loses it when done, and
/// gets a new one from the store when reopened.
pub fn changed(current: &Task, change: TaskChange, now: DateTime<Utc>) -> Option<Task> {
    let before = TaskFields::of(current);
    let (fields, notes) = match change {
        TaskChange::Replace(fields) => (fields, NoteEdits::default()),
        TaskChange::Patch(mut patch) => {
            let notes = std::mem::take(&mut patch.notes);
            let mut fields = before.clone();
            patch.apply(&mut fields);
            (fields, notes)
        }
    };
    let fields = fields.normalised();
    // Ids of notes it has not are the caller's to refuse.
    let removes = current
        .annotations
        .iter()
        .any(|note| notes.remove.contains(&note.id));
    if fields == before && notes.add.is_empty() && !removes {
        return None;
    }
    let now = stored(now);
    let (completed_at, number) = match (current.status, fields.status) {
        (Status::Pending, Status::Pending) => (None, current.number),
        (Status::Done, Status::Pending) => (None, None),
        (Status::Done, Status::Done) => (current.completed_at, None),
        (Status::Pending, Status::Done) => (Some(now), None),
    };
    let mut next = Task {
        updated_at: now,
        completed_at,
        number,
        version: current.version + 1,
        ..with_fields(current.clone(), fields)
    };
    next.annotations
        .retain(|note| !notes.remove.contains(&note.id));
    next.annotations
        .extend(notes.add.into_iter().map(|text| Annotation {
            id: 0,
            entry: now,
            text,
        }));
    Some(next)
}

/// The dates an import file gives a task beyond its fields.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportedDates {
    pub entry: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

/// The task an import file makes of `fields` (dependencies as ids) and
/// `annotations`: a new one ([`arrived`]), or `current` one version on; `None` when the
/// file says nothing new of `current`. A file's dates are to the second: one
/// within the same second as the stored value is that value.
pub fn imported(
    current: Option<&Task>,
    uuid: &str,
    fields: TaskFields,
    dates: ImportedDates,
    annotations: &[(DateTime<Utc>, String)],
    now: DateTime<Utc>,
) -> Option<Task> {
    let Some(current) = current else {
        return Some(arrived(uuid, fields, dates, annotations, now));
    };
    let now = stored(now);
    let mut fields = fields.normalised();
    fields.description = current.description.clone();
    // Taskwarrior writes a number attribute it has no type for as text
    // (`"3.000000"`): over a number, text that reads as a number is one.
    for (name, value) in fields.udas.iter_mut() {
        if let (UdaValue::Text(text), Some(old)) = (&*value, current.udas.get(name)) {
            if old.is_number() && UdaValue::number_in(text).is_some() {
                *value = UdaValue::typed_over(Some(old), text);
            }
        }
    }
    for (new, old) in [
        (&mut fields.due, current.due),
        (&mut fields.start, current.start),
        (&mut fields.wait, current.wait),
        (&mut fields.scheduled, current.scheduled),
        (&mut fields.until, current.until),
    ] {
        *new = agreed(*new, old);
    }
    let created_at = agreed(dates.entry, Some(current.created_at)).unwrap_or(current.created_at);
    let completed_at = match fields.status {
        Status::Pending => None,
        Status::Done => agreed(dates.end, current.completed_at)
            .or(current.completed_at)
            .or(Some(now)),
    };
    // Annotations the task has already keep their ids.
    let mut unused: Vec<&Annotation> = current.annotations.iter().collect();
    let notes: Vec<Annotation> = annotations
        .iter()
        .map(|(entry, text)| {
            let found = unused.iter().position(|old| {
                old.text == *text && agreed(Some(*entry), Some(old.entry)) == Some(old.entry)
            });
            match found {
                Some(n) => unused.remove(n).clone(),
                None => Annotation {
                    id: 0,
                    entry: *entry,
                    text: text.clone(),
                },
            }
        })
        .collect();
    if fields == TaskFields::of(current)
        && notes == current.annotations
        && created_at == current.created_at
        && completed_at == current.completed_at
    {
        return None;
    }
    let number = match (current.status, fields.status) {
        (Status::Pending, Status::Pending) => current.number,
        _ => None,
    };
    Some(Task {
        created_at,
        updated_at: dates.modified.unwrap_or(now),
        completed_at,
        number,
        version: current.version + 1,
        annotations: notes,
        ..with_fields(current.clone(), fields)
    })
}

/// `new`, unless it is `old` to the second (a file's dates have no finer
/// part): then `old`, as stored.
fn agreed(new: Option<DateTime<Utc>>, old: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (new, old) {
        (Some(new), Some(old))
            if new.timestamp_subsec_micros() == 0 && new.timestamp() == old.timestamp() =>
        {
            Some(old)
        }
        _ => new,
    }
}

/// `If-Match`: `None` for no precondition, else the versions one of which
/// must be current (an empty list matches none).
pub fn precondition_holds(if_version: Option<&[i64]>, version: i64) -> bool {
    if_version.is_none_or(|versions| versions.contains(&version))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task() -> Task {
        new_task(TaskFields::titled("Buy milk"), Utc::now())
    }

    #[test]
    fn a_reserved_name_is_refused_when_new_and_kept_when_had() {
        let tags = vec!["home".to_string(), "TODAY".to_string()];
        let udas = BTreeMap::from([("due".to_string(), UdaValue::Integer(1))]);
        let refused = reserved_names(&tags, &udas, None);
        assert_eq!(refused.keys().collect::<Vec<_>>(), ["tags", "udas"]);
        let mut had = task();
        had.tags = vec!["TODAY".into()];
        had.udas = udas.clone();
        assert!(reserved_names(&tags, &udas, Some(&had)).is_empty());
        let more = vec!["ACTIVE".to_string()];
        assert_eq!(reserved_names(&more, &udas, Some(&had)).len(), 1);
    }

    #[test]
    fn new_uuids_sort_in_the_order_made_and_differ_in_their_first_eight_characters() {
        let made: Vec<String> = (0..10_000).map(|_| new_uuid()).collect();
        // The first is stamped with the microsecond it was made.
        let stamp = u32::from_str_radix(&made[0][..8], 16).unwrap();
        let now = Utc::now().timestamp_micros() as u32;
        assert!(
            now.wrapping_sub(stamp) < 10_000_000,
            "{} at {now:08x}",
            made[0]
        );
        for uuid in &made {
            let parsed = uuid::Uuid::parse_str(uuid).unwrap();
            assert_eq!(parsed.get_version_num(), 8, "{uuid}");
            assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122, "{uuid}");
            assert_eq!(&parsed.hyphenated().to_string(), uuid);
        }
        let prefixes: std::collections::HashSet<&str> =
            made.iter().map(|uuid| &uuid[..8]).collect();
        assert_eq!(prefixes.len(), made.len());
        // After any gap the clock's microsecond again; within one, or with
        // the clock set back, one past the last.
        let minute = 60_000_000;
        assert_eq!(uuid_stamp(0, 40 * minute), 40 * minute);
        assert_eq!(uuid_stamp(40 * minute, 40 * minute), 40 * minute + 1);
        assert_eq!(uuid_stamp(40 * minute, minute), 40 * minute + 1);
        assert_eq!(uuid_stamp(i64::MIN, 7), 7);
        // In order, unless the 72-minute stamp wrapped meanwhile.
        let wraps = made.windows(2).filter(|pair| pair[0] > pair[1]).count();
        assert!(wraps <= 1, "{wraps} steps back");
    }

    #[test]
    fn a_change_that_changes_nothing_keeps_the_version() {
        let current = task();
        let same = TaskChange::Patch(TaskFieldsPatch {
            title: Some("Buy milk".into()),
            ..TaskFieldsPatch::default()
        });
        assert!(changed(&current, same, Utc::now()).is_none());
        assert!(changed(
            &current,
            TaskChange::Replace(TaskFields::titled("Buy milk")),
            Utc::now()
        )
        .is_none());
    }

    #[test]
    fn done_sets_completed_at_once_and_pending_clears_it() {
        let current = task();
        let done = |task: &Task| {
            changed(
                task,
                TaskChange::Patch(TaskFieldsPatch {
                    status: Some(Status::Done),
                    ..TaskFieldsPatch::default()
                }),
                Utc::now(),
            )
        };
        let finished = done(&current).unwrap();
        assert_eq!(finished.version, 2);
        assert!(finished.completed_at.is_some());
        assert!(done(&finished).is_none(), "done again changes nothing");
        let retitled = changed(
            &finished,
            TaskChange::Patch(TaskFieldsPatch {
                title: Some("Buy oat milk".into()),
                ..TaskFieldsPatch::default()
            }),
            Utc::now(),
        )
        .unwrap();
        assert_eq!(retitled.completed_at, finished.completed_at);
        let reopened = changed(
            &retitled,
            TaskChange::Patch(TaskFieldsPatch {
                status: Some(Status::Pending),
                ..TaskFieldsPatch::default()
            }),
            Utc::now(),
        )
        .unwrap();
        assert_eq!(reopened.completed_at, None);
        assert_eq!(reopened.version, 4);
    }

    #[test]
    fn if_match_lists_the_versions_that_pass() {
        assert!(precondition_holds(None, 3));
        assert!(precondition_holds(Some(&[2, 3]), 3));
        assert!(!precondition_holds(Some(&[2]), 3));
        assert!(!precondition_holds(Some(&[]), 3));
    }
}
