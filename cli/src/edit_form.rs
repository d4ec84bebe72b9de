//! The labelled text form `task ID edit` opens in an editor: written from a
//! task, read back into what changed. Knows no HTTP and no editor.

use std::collections::BTreeMap;

use chrono::{DateTime, Local, TimeZone, Utc};
use common::api::{Priority, Task, TaskPatch, UdaValue};
use common::dates::{Clock, DateField};
use common::display;
use common::task_ref::{parse_refs, TaskRef};

/// The line after which everything is the description.
const DESCRIPTION: &str = "Description (everything below this line):";
const ANNOTATIONS: &str =
    "Annotations (one a line; delete a line to remove that note, add one to add a note):";

/// The dates, in the order they are written.
const DATES: [&str; 4] = ["Due", "Wait", "Scheduled", "Until"];

/// What the form says should change.
#[derive(Debug, Default, PartialEq)]
pub struct Edits {
    /// The fields that changed; `depends` is left to [`Edits::depends`].
    pub patch: TaskPatch,
    /// The new dependencies as named, when they changed.
    pub depends: Option<Vec<TaskRef>>,
    /// Notes to add, and the ids of notes to take away.
    pub annotate: Vec<String>,
    pub denotate: Vec<i64>,
}

impl Edits {
    pub fn is_empty(&self) -> bool {
        self.patch.is_empty()
            && self.depends.is_none()
            && self.annotate.is_empty()
            && self.denotate.is_empty()
    }
}

fn date_text(at: Option<DateTime<Utc>>) -> String {
    at.map(|at| display::date(at, &Local)).unwrap_or_default()
}

/// The form for `task`; `depends` are the tasks it waits for, as read, so
/// that they are written as the user names them.
pub fn write(task: &Task, depends: &[Task], error: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(error) = error {
        out.push_str(&format!(
            "# ERROR: {error}\n# Fix it and save again; an empty file gives up.\n#\n"
        ));
    }
    out.push_str(&format!(
        "# Task {}: change what you like and save. Lines starting with # are ignored.\n\
         # Dates as the CLI takes them (2026-12-01, tomorrow, fri, eom, 3d…); empty clears.\n",
        display::name(task)
    ));
    let rows = [
        ("Title", task.title.clone()),
        ("Project", task.project.clone().unwrap_or_default()),
        (
            "Priority",
            task.priority
                .map(|p| p.letter().to_string())
                .unwrap_or_default(),
        ),
        ("Tags", task.tags.join(" ")),
        ("Due", date_text(task.due)),
        ("Wait", date_text(task.wait)),
        ("Scheduled", date_text(task.scheduled)),
        ("Until", date_text(task.until)),
        (
            "Depends",
            depends
                .iter()
                .map(display::name)
                .collect::<Vec<_>>()
                .join(" "),
        ),
    ];
    for (label, value) in rows {
        out.push_str(&format!("{:<11}{value}\n", format!("{label}:")));
    }
    for (name, value) in &task.udas {
        out.push_str(&format!("uda.{name}: {}\n", value.one_line()));
    }
    out.push_str(ANNOTATIONS);
    out.push('\n');
    for note in &task.annotations {
        out.push_str(&format!(
            "- {}  {}\n",
            display::date(note.entry, &Local),
            note.text.replace('\n', " ")
        ));
    }
    out.push_str(DESCRIPTION);
    out.push('\n');
    out.push_str(&task.description);
    if !task.description.is_empty() && !task.description.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// A note's line without its `- ` and the date it was written with
/// (`2026-12-01` or `2026-12-01 10:00`); a new note's line has no date.
fn note_text(line: &str) -> &str {
    let rest = line.trim_start().trim_start_matches('-').trim_start();
    let shaped = |text: &str, shape: &str| {
        text.len() >= shape.len()
            && text.bytes().zip(shape.bytes()).all(|(c, s)| match s {
                b'9' => c.is_ascii_digit(),
                other => c == other,
            })
    };
    let mut rest = rest;
    if shaped(rest, "9999-99-99") {
        rest = &rest[10..];
        if shaped(rest, " 99:99") {
            rest = &rest[6..];
        }
    }
    rest.trim()
}

/// What `text` (the form as saved) changes of `task`, whose form was
/// `shown`. Dates left as shown are not sent, so they are never rounded.
pub fn read<Tz: TimeZone>(
    task: &Task,
    shown: &str,
    text: &str,
    clock: &Clock<Tz>,
) -> Result<Edits, String> {
    let before = fields(shown)?;
    let after = fields(text)?;
    let mut edits = Edits::default();
    let value =
        |map: &BTreeMap<String, String>, key: &str| map.get(key).cloned().unwrap_or_default();
    let changed = |key: &str| value(&before.fields, key) != value(&after.fields, key);
    for key in after.fields.keys() {
        let known = ["Title", "Project", "Priority", "Tags", "Depends"].contains(&key.as_str())
            || DATES.contains(&key.as_str())
            || key.starts_with("uda.");
        if !known {
            return Err(format!("{key:?} is not a field of the form"));
        }
    }
    let patch = &mut edits.patch;
    if changed("Title") {
        let title = value(&after.fields, "Title");
        if title.trim().is_empty() {
            return Err("Title: a task needs a title".into());
        }
        patch.title = Some(title);
    }
    if changed("Project") {
        patch.project = Some(Some(value(&after.fields, "Project")).filter(|p| !p.is_empty()));
    }
    if changed("Priority") {
        let text = value(&after.fields, "Priority");
        patch.priority =
            Some(if text.is_empty() {
                None
            } else {
                Some(Priority::parse(&text).ok_or_else(|| {
                    format!("Priority: {text:?} is not H, M or L (empty for none)")
                })?)
            });
    }
    if changed("Tags") {
        let tags = common::filter::tag_list(&value(&after.fields, "Tags"))
            .map_err(|err| format!("Tags: {err}"))?;
        patch.tags = Some(tags);
    }
    for key in DATES {
        if !changed(key) {
            continue;
        }
        let text = value(&after.fields, key);
        let at = if text.is_empty() {
            None
        } else {
            let field = match key {
                "Due" => DateField::Due,
                "Wait" => DateField::Wait,
                "Scheduled" => DateField::Scheduled,
                _ => DateField::Until,
            };
            Some(
                clock
                    .parse(&text)
                    .map_err(|e| format!("{key}: {e}"))?
                    .as_field(field),
            )
        };
        match key {
            "Due" => patch.due = Some(at),
            "Wait" => patch.wait = Some(at),
            "Scheduled" => patch.scheduled = Some(at),
            _ => patch.until = Some(at),
        }
    }
    if changed("Depends") {
        let list = value(&after.fields, "Depends");
        let words: Vec<&str> = list.split([' ', ',']).filter(|w| !w.is_empty()).collect();
        edits.depends = Some(if words.is_empty() {
            Vec::new()
        } else {
            parse_refs(&words).map_err(|e| format!("Depends: {e}"))?
        });
    }
    let udas = |map: &BTreeMap<String, String>| -> BTreeMap<String, String> {
        map.iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("uda.")?.to_string(), v.clone())))
            .collect()
    };
    if udas(&before.fields) != udas(&after.fields) {
        let mut kept = BTreeMap::new();
        let shown = udas(&before.fields);
        for (name, text) in udas(&after.fields) {
            // Its line as shown: the task's value exactly, trimmed or not.
            if let Some(value) = task
                .udas
                .get(&name)
                .filter(|_| shown.get(&name) == Some(&text))
            {
                kept.insert(name, value.clone());
                continue;
            }
            // A name the task has from before it was refused stays.
            let new = !task.udas.contains_key(&name);
            if let Some(problem) = common::list_query::uda_name_problem(&name).filter(|_| new) {
                return Err(format!("uda.{name}: {problem}"));
            }
            if text.is_empty() {
                continue;
            }
            let value = UdaValue::typed_in_line(task.udas.get(&name), &text);
            kept.insert(name, value);
        }
        // Retyped as the same values (`0.50` over 0.5): no change.
        if kept != task.udas {
            patch.udas = Some(kept);
        }
    }
    if before.description != after.description {
        patch.description = Some(after.description.clone());
    }
    // Notes: those whose line is gone are taken away; new lines are added.
    let kept: Vec<&str> = after.notes.iter().map(|l| note_text(l)).collect();
    for note in &task.annotations {
        if !kept.contains(&note.text.replace('\n', " ").as_str()) {
            edits.denotate.push(note.id);
        }
    }
    for text in kept {
        let known = task
            .annotations
            .iter()
            .any(|n| n.text.replace('\n', " ") == text);
        if !known && !text.is_empty() {
            edits.annotate.push(text.to_string());
        }
    }
    Ok(edits)
}

/// The form's parts: `Label: value` lines, note lines, the description.
struct Parts {
    fields: BTreeMap<String, String>,
    notes: Vec<String>,
    description: String,
}

fn fields(text: &str) -> Result<Parts, String> {
    let mut parts = Parts {
        fields: BTreeMap::new(),
        notes: Vec::new(),
        description: String::new(),
    };
    let mut in_notes = false;
    let mut described = false;
    let mut lines = text.lines();
    for line in lines.by_ref() {
        if line.trim_end() == DESCRIPTION {
            described = true;
            break;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if line.trim_end() == ANNOTATIONS {
            in_notes = true;
            continue;
        }
        // Below the notes' heading every line is a note, `- ` before it or
        // not: the form writes its fields above it.
        if in_notes {
            parts.notes.push(line.to_string());
            continue;
        }
        let Some((label, value)) = line.split_once(':') else {
            return Err(format!("{line:?} is not a \"Label: value\" line"));
        };
        let label = label.trim().to_string();
        if parts
            .fields
            .insert(label.clone(), value.trim().to_string())
            .is_some()
        {
            return Err(format!("{label} is written twice"));
        }
    }
    if !described {
        return Err(format!(
            "keep the line {DESCRIPTION:?}: the description is below it"
        ));
    }
    let description: Vec<&str> = lines.collect();
    parts.description = description.join("\n").trim_end_matches('\n').to_string();
    Ok(parts)
}
