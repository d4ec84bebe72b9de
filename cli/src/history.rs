//! A task's history as `task info` shows it: one line per change, each
//! value written the way the rest of the CLI writes it (dates in the local
//! time zone, tags as `+tag`, notes by their text) rather than as the JSON
//! the server keeps.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, FixedOffset, Utc};
use serde_json::Value;

use common::api::{Annotation, ChangeOp, HistoryEntry};
use common::display;
use common::text::escape_control;

use crate::commands::quoted;

const NONE: &str = "(none)";

/// The history, oldest first, under a `History` heading; nothing if it is
/// empty. `names` gives the name of each task known by id, for the
/// dependencies; others are shown by their id.
pub fn render(history: &[HistoryEntry], tz: &FixedOffset, names: &HashMap<i64, String>) -> String {
    if history.is_empty() {
        return String::new();
    }
    let mut text = String::from("History\n");
    // A task is made once: made again after it was deleted, it was
    // brought back (a restore, an undo) as it was, which its own line
    // says rather than every field again.
    let mut gone = false;
    let mut brought_back = None;
    for entry in history {
        let when = display::date(entry.at, tz);
        if entry.op == ChangeOp::Created && (gone || brought_back == Some(entry.change_set)) {
            if brought_back != Some(entry.change_set) {
                text.push_str(&format!("  {when:<16}  restored\n"));
                brought_back = Some(entry.change_set);
            }
            gone = false;
            continue;
        }
        gone = entry.op == ChangeOp::Deleted;
        for line in describe(entry, tz, names) {
            text.push_str(&format!("  {when:<16}  {line}\n"));
        }
    }
    text
}

/// The tasks the history's dependencies name, by id, so that the caller
/// can look up the names of those not on screen.
pub fn dependencies(history: &[HistoryEntry]) -> BTreeSet<i64> {
    history
        .iter()
        .filter(|entry| entry.field.as_deref() == Some("depends"))
        .flat_map(|entry| [&entry.old, &entry.new])
        .filter_map(|value| serde_json::from_value::<Vec<i64>>(value.clone()).ok())
        .flatten()
        .collect()
}

/// What one entry changed, in a line or (for notes and UDAs, which change
/// one at a time within a field) several.
fn describe(entry: &HistoryEntry, tz: &FixedOffset, names: &HashMap<i64, String>) -> Vec<String> {
    let Some(field) = entry.field.as_deref() else {
        return vec!["deleted".to_string()];
    };
    let created = entry.op == ChangeOp::Created;
    match field {
        "annotations" => {
            if let Some(lines) = notes(&entry.old, &entry.new) {
                return lines;
            }
        }
        "udas" => {
            if let Some(lines) = udas(&entry.old, &entry.new, created) {
                return lines;
            }
        }
        _ => {}
    }
    let show = |value: &Value| shown(field, value, tz, names);
    if created {
        vec![format!("{field}: {}", show(&entry.new))]
    } else {
        vec![format!(
            "{field}: {} → {}",
            show(&entry.old),
            show(&entry.new)
        )]
    }
}

/// A value of `field` as the CLI writes it elsewhere; JSON for a shape it
/// does not know, so nothing is hidden.
fn shown(field: &str, value: &Value, tz: &FixedOffset, names: &HashMap<i64, String>) -> String {
    let typed = match field {
        "due" | "wait" | "scheduled" | "until" | "start" | "completed_at" | "created_at"
        | "updated_at" => serde_json::from_value::<DateTime<Utc>>(value.clone())
            .ok()
            .map(|at| display::date(at, tz)),
        "tags" => serde_json::from_value::<Vec<String>>(value.clone())
            .ok()
            .filter(|tags| !tags.is_empty())
            .map(|tags| {
                let tags: Vec<String> = tags.iter().map(|tag| format!("+{tag}")).collect();
                escape_control(&tags.join(" ")).into_owned()
            }),
        "depends" => serde_json::from_value::<Vec<i64>>(value.clone())
            .ok()
            .filter(|ids| !ids.is_empty())
            .map(|ids| {
                let ids: Vec<String> = ids
                    .iter()
                    .map(|id| {
                        names
                            .get(id)
                            .cloned()
                            .unwrap_or_else(|| format!("(id {id})"))
                    })
                    .collect();
                ids.join(" ")
            }),
        _ => None,
    };
    typed.unwrap_or_else(|| match value {
        Value::Null => NONE.to_string(),
        Value::Array(items) if items.is_empty() => NONE.to_string(),
        other => escape_control(&other.to_string()).into_owned(),
    })
}

/// The notes added and removed, by their text; `None` if either side is
/// not a list of notes.
fn notes(old: &Value, new: &Value) -> Option<Vec<String>> {
    let list = |value: &Value| match value {
        Value::Null => Some(Vec::new()),
        other => serde_json::from_value::<Vec<Annotation>>(other.clone()).ok(),
    };
    let (old, new) = (list(old)?, list(new)?);
    let text = |note: &Annotation| quoted(&note.text);
    let mut lines: Vec<String> = old
        .iter()
        .filter(|note| !new.contains(note))
        .map(|note| format!("note removed: {}", text(note)))
        .collect();
    lines.extend(
        new.iter()
            .filter(|note| !old.contains(note))
            .map(|note| format!("note added: {}", text(note))),
    );
    Some(lines)
}

/// Each UDA set, changed or removed, as `uda.NAME: old → new` (the name
/// as it is typed); `None` if either side is not a map of them.
fn udas(old: &Value, new: &Value, created: bool) -> Option<Vec<String>> {
    let map = |value: &Value| match value {
        Value::Null => Some(BTreeMap::new()),
        other => serde_json::from_value::<BTreeMap<String, Value>>(other.clone()).ok(),
    };
    let (old, new) = (map(old)?, map(new)?);
    let show = |value: Option<&Value>| match value {
        None | Some(Value::Null) => NONE.to_string(),
        Some(value) => escape_control(&value.to_string()).into_owned(),
    };
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    Some(
        names
            .into_iter()
            .filter(|name| old.get(*name) != new.get(*name))
            .map(|name| {
                let name_shown = escape_control(name);
                if created {
                    format!("uda.{name_shown}: {}", show(new.get(name)))
                } else {
                    format!(
                        "uda.{name_shown}: {} → {}",
                        show(old.get(name)),
                        show(new.get(name))
                    )
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(op: ChangeOp, field: Option<&str>, old: Value, new: Value) -> HistoryEntry {
        HistoryEntry {
            at: "2026-12-05T09:30:00Z".parse().unwrap(),
            change_set: 1,
            op,
            field: field.map(str::to_string),
            old,
            new,
        }
    }

    fn lines(entries: &[HistoryEntry], names: &HashMap<i64, String>) -> Vec<String> {
        let tz = FixedOffset::east_opt(3600).unwrap();
        render(entries, &tz, names)
            .lines()
            .skip(1)
            .map(|line| line.trim_start().to_string())
            .collect()
    }

    #[test]
    fn dates_tags_and_dependencies_are_written_as_typed() {
        let names = HashMap::from([(7, "3".to_string())]);
        let entries = [
            entry(
                ChangeOp::Created,
                Some("due"),
                Value::Null,
                json!("2026-12-06T22:59:59Z"),
            ),
            entry(
                ChangeOp::Updated,
                Some("start"),
                Value::Null,
                json!("2026-12-05T09:30:00.25Z"),
            ),
            entry(
                ChangeOp::Updated,
                Some("tags"),
                json!(["work"]),
                json!(["urgent", "home"]),
            ),
            entry(ChangeOp::Updated, Some("depends"), json!([]), json!([7, 9])),
            entry(ChangeOp::Updated, Some("title"), json!("Old"), json!("New")),
            entry(ChangeOp::Deleted, None, Value::Null, Value::Null),
        ];
        assert_eq!(
            lines(&entries, &names),
            [
                "2026-12-05 10:30  due: 2026-12-06",
                "2026-12-05 10:30  start: (none) → 2026-12-05 10:30",
                "2026-12-05 10:30  tags: +work → +urgent +home",
                "2026-12-05 10:30  depends: (none) → 3 (id 9)",
                "2026-12-05 10:30  title: \"Old\" → \"New\"",
                "2026-12-05 10:30  deleted",
            ]
        );
    }

    #[test]
    fn notes_and_udas_are_told_one_by_one() {
        let first = json!({"id": 1, "entry": "2026-12-05T09:00:00Z", "text": "call Bob"});
        let second =
            json!({"id": 2, "entry": "2026-12-05T09:10:00Z", "text": "then \u{1b}[31mAnn"});
        let entries = [
            entry(
                ChangeOp::Updated,
                Some("annotations"),
                json!([first]),
                json!([first, second]),
            ),
            entry(
                ChangeOp::Updated,
                Some("annotations"),
                json!([first, second]),
                json!([second]),
            ),
            entry(
                ChangeOp::Updated,
                Some("udas"),
                json!({"size": "L", "gone": 1}),
                json!({"size": "XL", "estimate": 3}),
            ),
        ];
        let shown = lines(&entries, &HashMap::new());
        assert_eq!(
            shown[0],
            "2026-12-05 10:30  note added: \"then \\x1b[31mAnn\""
        );
        assert_eq!(shown[1], "2026-12-05 10:30  note removed: \"call Bob\"");
        assert_eq!(
            &shown[2..],
            [
                "2026-12-05 10:30  uda.estimate: (none) → 3",
                "2026-12-05 10:30  uda.gone: 1 → (none)",
                "2026-12-05 10:30  uda.size: \"L\" → \"XL\"",
            ]
        );
    }

    #[test]
    fn a_task_brought_back_says_so_once() {
        let mut entries = [
            entry(
                ChangeOp::Created,
                Some("title"),
                Value::Null,
                json!("Fix the sink"),
            ),
            entry(ChangeOp::Deleted, None, Value::Null, Value::Null),
            entry(
                ChangeOp::Created,
                Some("title"),
                Value::Null,
                json!("Fix the sink"),
            ),
            entry(
                ChangeOp::Created,
                Some("status"),
                Value::Null,
                json!("pending"),
            ),
            entry(
                ChangeOp::Updated,
                Some("title"),
                json!("Fix the sink"),
                json!("Fix it"),
            ),
        ];
        for (set, entry) in [1, 2, 3, 3, 4].into_iter().zip(&mut entries) {
            entry.change_set = set;
        }
        assert_eq!(
            lines(&entries, &HashMap::new()),
            [
                "2026-12-05 10:30  title: \"Fix the sink\"",
                "2026-12-05 10:30  deleted",
                "2026-12-05 10:30  restored",
                "2026-12-05 10:30  title: \"Fix the sink\" → \"Fix it\"",
            ]
        );
    }

    #[test]
    fn a_value_of_an_unknown_shape_is_shown_whole() {
        let entries = [entry(
            ChangeOp::Updated,
            Some("due"),
            json!("not a date"),
            json!({"odd": true}),
        )];
        assert_eq!(
            lines(&entries, &HashMap::new()),
            ["2026-12-05 10:30  due: \"not a date\" → {\"odd\":true}"]
        );
    }
}
