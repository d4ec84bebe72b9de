//! What the handlers enforce beyond the Rust types, written into the
//! document from the same constants the handlers check: lengths, patterns,
//! the empty query values the parsers ignore. Without it a client, or a
//! fuzzer, generating requests from the document would send what the
//! server refuses, and be told nothing of what it accepts.

use serde_json::{json, Map, Value};

use crate::{
    domain::{bulk::MAX_BULK, credentials},
    task_input::{
        MAX_DEPENDS, MAX_DESCRIPTION, MAX_PROJECT, MAX_TAG, MAX_TAGS, MAX_TITLE, MAX_UDAS,
        MAX_UDA_TEXT, READ_ONLY,
    },
    task_query::{UserSort, MAX_SEARCH},
};
use common::list_query::{OrderField, DEFAULT_LIMIT, MAX_LIMIT, MAX_REPEATS, MIN_UUID_PREFIX};

/// What Rust's `char::is_whitespace` (and so `str::trim`) takes for
/// whitespace, spelt out: a regex's `\s` differs from it.
const SPACE: &str = r"\t\n\x0B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// Text the stores can keep: no NUL anywhere.
const NO_NUL: &str = r"^[^\u0000]*$";

pub fn apply(doc: &mut Value) {
    query_parameters(doc);
    bodies(doc);
    import_body(doc);
    event_stream(doc);
    // An integer is a number too: `oneOf` would find both.
    replace(
        doc,
        "/components/schemas/UdaValue",
        json!({
            "type": ["number", "string"],
            "description": "A user-defined attribute's value: a number or text.",
        }),
    );
    // Any JSON value: the field's own type.
    for side in ["old", "new"] {
        replace(
            doc,
            &format!("/components/schemas/HistoryEntry/properties/{side}"),
            json!({"description": "The field's value, as the task gives it (any JSON value)."}),
        );
    }
}

fn replace(doc: &mut Value, pointer: &str, schema: Value) {
    match doc.pointer_mut(pointer) {
        Some(found) => *found = schema,
        None => missing(pointer),
    }
}

/// A place this module constrains is not in the document: a renamed type or
/// field. Every debug build (so every test) stops on it.
fn missing(place: &str) {
    tracing::error!(
        place,
        "not in the OpenAPI document: its constraints are lost"
    );
    debug_assert!(false, "{place} is not in the OpenAPI document");
}

/// A task id, as the stores number them.
fn id() -> Value {
    json!({"type": "integer", "format": "int64", "minimum": 1, "maximum": i64::MAX})
}

/// A value of text with something besides whitespace (and no NUL).
fn not_blank() -> String {
    format!(r"^[^\u0000]*[^\u0000{SPACE}][^\u0000]*$")
}

fn with_default(mut schema: Value, default: Value) -> Value {
    schema["default"] = default;
    schema
}

fn empty() -> Value {
    json!({"type": "string", "enum": [""]})
}

/// A query parameter's schema by its name: every parser here skips an
/// empty value, so each allows one.
fn query_schema(path: &str, name: &str) -> Option<Value> {
    let flag = json!({"type": "string", "enum": ["true", "false", ""]});
    if path.starts_with("/api/admin/users") {
        match name {
            "is_active" | "is_admin" => return Some(flag),
            "search" => {
                return Some(json!({"type": "string", "pattern": NO_NUL, "maxLength": MAX_SEARCH}))
            }
            "ordering" => {
                let names: Vec<&str> = UserSort::ALL.iter().map(|sort| sort.name()).collect();
                return Some(json!({
                    "type": "string",
                    "pattern": format!("^(-?({}))?$", names.join("|")),
                }));
            }
            _ => {}
        }
    }
    let integer = |minimum: i64, maximum: i64| {
        json!({"anyOf": [
            {"type": "integer", "format": "int64", "minimum": minimum, "maximum": maximum},
            empty(),
        ]})
    };
    let text = json!({"type": "string", "pattern": NO_NUL});
    Some(match name {
        "limit" => with_default(integer(1, i64::from(MAX_LIMIT)), DEFAULT_LIMIT.into()),
        "offset" => with_default(integer(0, i64::MAX), 0.into()),
        "number" | "depends_on" => integer(1, i64::MAX),
        "waiting" | "active" | "blocked" | "blocking" | "has_project" | "has_priority"
        | "has_due" | "has_scheduled" | "ready" => flag,
        "force" => json!({"type": "string", "enum": ["true", "false", "1", "0", ""]}),
        "due_before" | "due_after" | "scheduled_before" | "scheduled_after" => json!({"anyOf": [
            {"type": "string", "format": "date-time"},
            {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
            empty(),
        ]}),
        "status" => json!({"type": "string", "enum": ["pending", "done", "all", ""]}),
        "priority" => json!({"type": "string", "enum": ["low", "medium", "high", ""]}),
        "uuid" => json!({
            "type": "string",
            "pattern": format!(
                "^([0-9A-Fa-f][0-9A-Fa-f-]{{{},35}})?$",
                MIN_UUID_PREFIX - 1
            ),
        }),
        "ordering" => {
            let names: Vec<&str> = OrderField::ALL.iter().map(|(name, _)| *name).collect();
            let key = format!("[{SPACE}]*-?({})[{SPACE}]*", names.join("|"));
            json!({
                "type": "string",
                "pattern": format!("^({key}(,{key}){{0,{}}})?$", MAX_REPEATS - 1),
            })
        }
        "tag" | "exclude_tag" | "search" => json!({
            "type": "array",
            "items": {"type": "string", "pattern": NO_NUL},
            "maxItems": MAX_REPEATS,
        }),
        "project" => text,
        _ => return None,
    })
}

fn query_parameters(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, operation) in paths.iter_mut() {
        let Some(operation) = operation.as_object_mut() else {
            continue;
        };
        for operation in operation.values_mut() {
            let Some(parameters) = operation
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
            else {
                continue;
            };
            for parameter in parameters {
                if parameter["in"] != "query" {
                    continue;
                }
                let name = parameter["name"].as_str().unwrap_or_default().to_string();
                if let Some(schema) = query_schema(path, &name) {
                    parameter["schema"] = schema;
                }
            }
        }
    }
}

/// Sets `constraints` on the property `property` of the component schema
/// `component`, keeping what the derive wrote (type, description).
fn constrain(doc: &mut Value, component: &str, property: &str, constraints: Value) {
    let Some(schema) = doc
        .pointer_mut(&format!(
            "/components/schemas/{component}/properties/{property}"
        ))
        .and_then(Value::as_object_mut)
    else {
        missing(&format!("{component}.{property}"));
        return;
    };
    if let Value::Object(constraints) = constraints {
        schema.extend(constraints);
    }
}

fn task_fields(doc: &mut Value, component: &str) {
    let space = SPACE;
    // What GET gives back may be sent back whole: its read-only fields are
    // ignored; any other unknown field is refused.
    if let Some(schema) = doc
        .pointer_mut(&format!("/components/schemas/{component}"))
        .and_then(Value::as_object_mut)
    {
        schema.insert("additionalProperties".into(), Value::Bool(false));
        if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
            for name in READ_ONLY {
                properties.insert(
                    name.into(),
                    json!({"readOnly": true, "description": "Ignored: the task's own, as GET gives it."}),
                );
            }
        }
    }
    constrain(
        doc,
        component,
        "title",
        json!({"minLength": 1, "maxLength": MAX_TITLE, "pattern": not_blank()}),
    );
    constrain(
        doc,
        component,
        "description",
        json!({"maxLength": MAX_DESCRIPTION, "pattern": NO_NUL}),
    );
    // Blank is no project; else dot-separated parts, none of them blank.
    let part = format!(r"[^.\u0000]*[^.\u0000{space}][^.\u0000]*");
    constrain(
        doc,
        component,
        "project",
        json!({
            "maxLength": MAX_PROJECT,
            "pattern": format!(r"^([{space}]*|{part}(\.{part})*)$"),
        }),
    );
    constrain(
        doc,
        component,
        "tags",
        json!({
            "maxItems": MAX_TAGS,
            "items": {
                "type": "string",
                "pattern": format!(r"^[^\u0000{space}]{{1,{MAX_TAG}}}$"),
            },
        }),
    );
    constrain(
        doc,
        component,
        "depends",
        json!({"maxItems": MAX_DEPENDS, "items": id()}),
    );
    constrain(
        doc,
        component,
        "udas",
        json!({
            "maxProperties": MAX_UDAS,
            "propertyNames": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,63}$"},
            "additionalProperties": {"anyOf": [
                {"type": "number"},
                {"type": "string", "maxLength": MAX_UDA_TEXT, "pattern": NO_NUL},
            ]},
        }),
    );
}

fn bodies(doc: &mut Value) {
    task_fields(doc, "NewTask");
    task_fields(doc, "TaskPatch");
    let space = SPACE;
    let password = json!({
        "minLength": credentials::MIN_PASSWORD,
        "maxLength": credentials::MAX_PASSWORD,
        // Not only spaces, not only digits; whether it is guessable, no
        // pattern can say.
        "pattern": format!(r"^(?=[\s\S]*[^{space}])(?=[\s\S]*[^0-9])"),
    });
    constrain(
        doc,
        "RegisterRequest",
        "username",
        json!({"pattern": format!(
            r"^[{space}]*[\w.@+-]{{3,{}}}[{space}]*$",
            credentials::MAX_USERNAME
        )}),
    );
    constrain(doc, "RegisterRequest", "password", password.clone());
    constrain(
        doc,
        "RegisterRequest",
        "email",
        json!({"maxLength": credentials::MAX_EMAIL, "pattern": email_pattern()}),
    );
    constrain(doc, "PasswordChange", "new_password", password);
    constrain(
        doc,
        "PasswordChange",
        "current_password",
        json!({"maxLength": credentials::MAX_PASSWORD}),
    );
    constrain(
        doc,
        "LoginRequest",
        "username",
        json!({"pattern": format!("[^{space}]")}),
    );
    constrain(
        doc,
        "LoginRequest",
        "password",
        json!({"minLength": 1, "maxLength": credentials::MAX_PASSWORD}),
    );
    constrain(
        doc,
        "RefreshRequest",
        "refresh",
        json!({"pattern": format!("[^{space}]")}),
    );
    constrain(
        doc,
        "NewAnnotation",
        "text",
        json!({"pattern": not_blank()}),
    );
    bulk_request(doc);
}

/// What `credentials::email_errors` lets through, around the spaces a
/// trim takes off: `local@domain`, no spaces or control characters, the
/// domain with a dot neither first nor last.
fn email_pattern() -> String {
    let space = SPACE;
    let plain = format!(r"[^{space}\u0000-\u001F\u007F-\u009F");
    let local = format!("{plain}@]+");
    let any = format!("{plain}]");
    let edge = format!("{plain}.]");
    format!(r"^[{space}]*({local}@{edge}{any}*\.{any}*{edge})?[{space}]*$")
}

/// `modify` takes `patch`, `patches` (by ids among `ids`) or both; the other
/// actions neither.
fn bulk_request(doc: &mut Value) {
    let Some(schema) = doc.pointer_mut("/components/schemas/BulkRequest") else {
        return;
    };
    let ids = json!({
        "type": "array",
        "minItems": 1,
        "maxItems": MAX_BULK,
        "items": id(),
    });
    let patch = json!({"$ref": "#/components/schemas/TaskPatch"});
    let some_patches = json!({
        "type": "object",
        "description": "A task's own patch, by its id (one of `ids`).",
        "minProperties": 1,
        "propertyNames": {"type": "string", "pattern": "^[1-9][0-9]{0,18}$"},
        "additionalProperties": patch,
    });
    let patches = json!({
        "type": "object",
        "description": "A task's own patch, by its id (one of `ids`).",
        "propertyNames": {"type": "string", "pattern": "^[1-9][0-9]{0,18}$"},
        "additionalProperties": patch,
    });
    let mut shapes = Map::new();
    shapes.insert(
        "oneOf".into(),
        json!([
            {
                "type": "object",
                "required": ["ids", "action"],
                "properties": {
                    "ids": ids,
                    "action": {"type": "string", "enum": ["done", "reopen", "delete", "start", "stop"]},
                },
                "additionalProperties": false,
            },
            {
                "type": "object",
                "required": ["ids", "action", "patch"],
                "properties": {
                    "ids": ids,
                    "action": {"type": "string", "enum": ["modify"]},
                    "patch": patch,
                    "patches": patches,
                },
                "additionalProperties": false,
            },
            {
                "type": "object",
                "required": ["ids", "action", "patches"],
                "properties": {
                    "ids": ids,
                    "action": {"type": "string", "enum": ["modify"]},
                    "patches": some_patches,
                },
                "additionalProperties": false,
            },
        ]),
    );
    if let Some(description) = schema.get("description").cloned() {
        shapes.insert("description".into(), description);
    }
    *schema = Value::Object(shapes);
}

/// Taskwarrior's export format, as far as a schema can say: each task needs
/// its description; its other attributes (dates as `YYYYMMDDTHHMMSSZ`,
/// dependencies by uuid, user-defined attributes) are checked by the import
/// and named in its 400 when wrong.
fn import_body(doc: &mut Value) {
    let item = json!({
        "type": "object",
        "required": ["description"],
        "properties": {
            "description": {"type": "string", "maxLength": MAX_TITLE, "pattern": not_blank()},
            "uuid": {"type": ["string", "null"], "format": "uuid"},
            "status": {
                "type": ["string", "null"],
                "enum": ["pending", "waiting", "completed", "deleted", "recurring", null],
            },
            "priority": {"type": ["string", "null"], "enum": ["H", "M", "L", "", null]},
        },
        // The attributes it does not know become user-defined ones.
        "propertyNames": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,63}$"},
    });
    replace(
        doc,
        "/paths/~1api~1import/post/requestBody/content/application~1json/schema/items",
        item,
    );
}

/// The events of `GET /api/events/` as the stream frames them.
fn event_stream(doc: &mut Value) {
    let Some(content) = doc
        .pointer_mut("/paths/~1api~1events/get/responses/200/content/text~1event-stream")
        .and_then(Value::as_object_mut)
    else {
        missing("the event stream's content");
        return;
    };
    content.insert(
        "schema".into(),
        json!({
            "type": "object",
            "description": "One event: `ready`, `reset` and `logout` carry a JSON object of their own; `task` a TaskEvent.",
            "properties": {
                "event": {"type": "string", "enum": ["ready", "reset", "task", "logout"]},
                "id": {"type": "string"},
                "data": {"type": "string"},
                "retry": {"type": "integer"},
            },
        }),
    );
}
