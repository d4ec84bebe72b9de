//! The WHERE and ORDER BY of a list of tasks, from its filter.

use common::api::UdaValue;
use tokio_postgres::types::ToSql;

use crate::{
    store::sql::{flag_conditions, priority_number, BLOCKED},
    task_query::{OrderField, TaskFilter},
};

pub(super) type Param = Box<dyn ToSql + Sync + Send>;

/// The WHERE clause of a filter that keeps every task of the account.
pub(super) const OWN_TASKS: &str = "t.user_id = $1";

/// The WHERE clause and its bound values for `filter`; user input is only
/// ever bound, never formatted into the SQL.
pub(super) fn where_clause(user_id: i64, filter: &TaskFilter) -> (String, Vec<Param>) {
    let mut values: Vec<Param> = vec![Box::new(user_id)];
    let mut sql = String::from(OWN_TASKS);
    let mut bind = |sql: &mut String, fragment: &str, value: Param| {
        values.push(value);
        sql.push_str(&fragment.replace('?', &format!("${}", values.len())));
    };
    if let Some(status) = filter.query.only_status() {
        bind(&mut sql, " AND t.status = ?", Box::new(status.as_str()));
    }
    if let Some(priority) = filter.query.priority {
        bind(
            &mut sql,
            " AND t.priority = ?",
            Box::new(priority_number(priority)),
        );
    }
    if let Some(project) = &filter.query.project {
        bind(&mut sql, " AND (t.project = ?", Box::new(project.clone()));
        bind(
            &mut sql,
            " OR starts_with(t.project, ?))",
            Box::new(format!("{project}.")),
        );
    }
    if !filter.query.tags.is_empty() {
        bind(
            &mut sql,
            " AND t.tags @> ?",
            Box::new(filter.query.tags.clone()),
        );
    }
    if !filter.query.exclude_tags.is_empty() {
        bind(
            &mut sql,
            " AND NOT (t.tags && ?)",
            Box::new(filter.query.exclude_tags.clone()),
        );
    }
    for search in &filter.query.search {
        // A literal substring: strpos knows no wildcards.
        bind(
            &mut sql,
            " AND (strpos(lower(t.title), ?) > 0",
            Box::new(search.to_lowercase()),
        );
        bind(
            &mut sql,
            " OR strpos(lower(t.description), ?) > 0)",
            Box::new(search.to_lowercase()),
        );
    }
    for (column, bound, before) in [
        ("t.due", filter.query.due_before, true),
        ("t.due", filter.query.due_after, false),
        ("t.scheduled", filter.query.scheduled_before, true),
        ("t.scheduled", filter.query.scheduled_after, false),
    ] {
        if let Some(bound) = bound {
            let fragment = format!(" AND {column} {} ?", if before { "<" } else { ">" });
            bind(&mut sql, &fragment, Box::new(bound));
        }
    }
    // Only a pending task waits: a done one keeps its wait date idle.
    match filter.query.waiting {
        Some(true) => bind(
            &mut sql,
            " AND t.status = 'pending' AND t.wait > ?",
            Box::new(filter.now),
        ),
        Some(false) => bind(
            &mut sql,
            " AND (t.status <> 'pending' OR t.wait IS NULL OR t.wait <= ?)",
            Box::new(filter.now),
        ),
        None => {}
    }
    sql.push_str(&flag_conditions(filter));
    if let Some(ready) = filter.query.ready {
        let not = if ready { "" } else { "NOT " };
        bind(
            &mut sql,
            &format!(" AND {not}(t.status = 'pending' AND (t.wait IS NULL OR t.wait <= ?)"),
            Box::new(filter.now),
        );
        bind(
            &mut sql,
            &format!(" AND (t.scheduled IS NULL OR t.scheduled <= ?) AND NOT {BLOCKED})"),
            Box::new(filter.now),
        );
    }
    if let Some(uuid) = &filter.query.uuid {
        // A prefix of hex digits and dashes only (checked when parsed), so
        // it holds no LIKE wildcard.
        bind(&mut sql, " AND t.uuid LIKE ?", Box::new(format!("{uuid}%")));
    }
    if let Some(number) = filter.query.number {
        bind(&mut sql, " AND t.number = ?", Box::new(number));
    }
    if let Some(id) = filter.query.depends_on {
        bind(
            &mut sql,
            " AND EXISTS (SELECT 1 FROM task_depends d WHERE d.task_id = t.id AND d.depends_on = ?)",
            Box::new(id),
        );
    }
    for (name, value) in &filter.query.udas {
        bind(
            &mut sql,
            " AND ((t.udas::json ->> ?",
            Box::new(name.clone()),
        );
        bind(&mut sql, ") = ?", Box::new(value.clone()));
        // A number matches the numbers equal to it, however written; the
        // CASE keeps a text value from ever being cast.
        let number = match UdaValue::number_in(value) {
            Some(UdaValue::Integer(n)) => Some(n.to_string()),
            Some(UdaValue::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        if let Some(number) = number {
            bind(
                &mut sql,
                " OR CASE WHEN json_typeof(t.udas::json -> ?) = 'number'",
                Box::new(name.clone()),
            );
            bind(
                &mut sql,
                " THEN (t.udas::json ->> ?)::numeric",
                Box::new(name.clone()),
            );
            bind(
                &mut sql,
                " = ?::text::numeric ELSE false END",
                Box::new(number),
            );
        }
        sql.push(')');
    }
    (sql, values)
}

pub(super) fn order_clause(filter: &TaskFilter) -> String {
    let mut parts = Vec::new();
    let mut has_id = false;
    for key in &filter.query.ordering {
        let direction = if key.descending { "DESC" } else { "ASC" };
        // Compared by code point, as SQLite compares: a locale's collation
        // would skip spaces and punctuation.
        let column = match key.field {
            OrderField::Id => {
                has_id = true;
                "t.id"
            }
            OrderField::Number => "t.number",
            OrderField::Title => "lower(t.title) COLLATE \"C\"",
            OrderField::Project => "lower(t.project) COLLATE \"C\"",
            OrderField::Status => "t.status COLLATE \"C\"",
            OrderField::CreatedAt => "t.created_at",
            OrderField::UpdatedAt => "t.updated_at",
            OrderField::CompletedAt => "t.completed_at",
            OrderField::Priority => "t.priority",
            OrderField::Due => "t.due",
            OrderField::Start => "t.start",
            OrderField::Wait => "t.wait",
            OrderField::Scheduled => "t.scheduled",
            OrderField::Until => "t.until",
            // Known once read: ordered by the caller.
            OrderField::Urgency => continue,
        };
        // Tasks without a value come last in both directions.
        parts.push(format!("{column} {direction} NULLS LAST"));
    }
    // A total order, so that pages neither repeat nor skip tasks.
    if !has_id {
        parts.push("t.id ASC".into());
    }
    parts.join(", ")
}

pub(super) fn refs(values: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    values
        .iter()
        .map(|value| value.as_ref() as &(dyn ToSql + Sync))
        .collect()
}
