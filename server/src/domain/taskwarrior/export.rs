//! What `GET /api/export/` sends for each task.

use std::collections::HashMap;

use common::api::{Status, Task};
use serde_json::{json, Map, Value};

use common::list_query::is_reserved_uda_name;

use super::{date, DESCRIPTION};

/// `task` in Taskwarrior's export format; `uuids` names the tasks it
/// depends on (those not found are left out).
pub fn export(task: &Task, uuids: &HashMap<i64, String>) -> Value {
    let mut out = Map::new();
    let mut put = |key: &str, value: Value| {
        out.insert(key.to_string(), value);
    };
    put("uuid", json!(task.uuid));
    put("description", json!(task.title));
    if !task.description.is_empty() {
        put(DESCRIPTION, json!(task.description));
    }
    put(
        "status",
        json!(match task.status {
            Status::Pending => "pending",
            Status::Done => "completed",
        }),
    );
    put("entry", json!(date(task.created_at)));
    put("modified", json!(date(task.updated_at)));
    for (key, at) in [
        ("end", task.completed_at),
        ("due", task.due),
        ("wait", task.wait),
        ("scheduled", task.scheduled),
        ("until", task.until),
        ("start", task.start),
    ] {
        if let Some(at) = at {
            put(key, json!(date(at)));
        }
    }
    if let Some(priority) = task.priority {
        put("priority", json!(priority.letter().to_string()));
    }
    if let Some(project) = &task.project {
        put("project", json!(project));
    }
    if !task.tags.is_empty() {
        put("tags", json!(task.tags));
    }
    let depends: Vec<&String> = task.depends.iter().filter_map(|id| uuids.get(id)).collect();
    if !depends.is_empty() {
        put("depends", json!(depends));
    }
    if !task.annotations.is_empty() {
        let notes: Vec<Value> = task
            .annotations
            .iter()
            .map(|note| json!({"entry": date(note.entry), "description": note.text}))
            .collect();
        put("annotations", Value::Array(notes));
    }
    for (name, value) in &task.udas {
        // One kept from before those names were refused cannot overwrite
        // the attribute itself.
        if is_reserved_uda_name(name) {
            continue;
        }
        // Untagged: a number stays a number, text a string.
        put(name, json!(value));
    }
    put("urgency", json!(task.urgency));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use common::api::UdaValue;

    use super::*;

    #[test]
    fn a_uda_under_a_reserved_name_never_overwrites_the_attribute() {
        let mut task = Task {
            title: "Walk".into(),
            ..Task::default()
        };
        task.udas
            .insert("description".into(), UdaValue::Text("clash".into()));
        task.udas.insert("size".into(), UdaValue::Integer(3));
        let out = export(&task, &HashMap::new());
        assert_eq!(out["description"], "Walk");
        assert_eq!(out["size"], 3);
    }
}
