//! SQL both backends speak alike: the columns a task is read from, what
//! `blocked` is, and how the lowest free number is found.

use common::api::Priority;

use crate::task_query::PageWindow;

/// The columns of a task's own row, as a literal for [`concat!`].
macro_rules! task_row {
    () => {
        "t.id, t.title, t.description, t.status, t.priority, t.due, t.project, t.tags, \
         t.created_at, t.updated_at, t.completed_at, t.version, t.uuid, t.number, t.start, \
         t.wait, t.scheduled, t.until, t.udas"
    };
}

/// A task's own row, without `blocked` and `blocking`: SQLite finds those
/// for a whole page in two queries, where two subqueries per row cost a
/// list of 50 about a tenth of its rate (bench/README.md).
pub const TASK_ROW: &str = task_row!();

/// A task row, then whether it is blocked and whether it is blocking (the
/// same conditions as [`BLOCKED`] and [`BLOCKING`]): PostgreSQL reads a task
/// in one round trip.
pub const TASK_COLUMNS: &str = concat!(
    task_row!(),
    ", EXISTS (SELECT 1 FROM task_depends d JOIN tasks p ON p.id = d.depends_on \
       WHERE d.task_id = t.id AND p.status = 'pending'), \
     (t.status = 'pending' AND EXISTS (SELECT 1 FROM task_depends d \
       JOIN tasks c ON c.id = d.task_id WHERE d.depends_on = t.id AND c.status = 'pending'))"
);

/// Some task this one depends on is pending.
pub const BLOCKED: &str =
    "EXISTS (SELECT 1 FROM task_depends d JOIN tasks p ON p.id = d.depends_on \
     WHERE d.task_id = t.id AND p.status = 'pending')";

/// Some pending task depends on this pending one.
pub const BLOCKING: &str = "(t.status = 'pending' AND EXISTS (SELECT 1 FROM task_depends d \
     JOIN tasks c ON c.id = d.task_id WHERE d.depends_on = t.id AND c.status = 'pending'))";

/// The conditions of the list's flags that need no bound value: each flag,
/// `true`, is its condition; `false`, its negation.
pub fn flag_conditions(filter: &crate::task_query::TaskFilter) -> String {
    let mut sql = String::new();
    for (flag, condition) in [
        (filter.query.active, "t.start IS NOT NULL"),
        (filter.query.blocked, BLOCKED),
        (filter.query.blocking, BLOCKING),
        (filter.query.has_project, "t.project IS NOT NULL"),
        (filter.query.has_priority, "t.priority IS NOT NULL"),
        (filter.query.has_due, "t.due IS NOT NULL"),
        (filter.query.has_scheduled, "t.scheduled IS NOT NULL"),
    ] {
        match flag {
            Some(true) => sql.push_str(&format!(" AND {condition}")),
            Some(false) => sql.push_str(&format!(" AND NOT ({condition})")),
            None => {}
        }
    }
    sql
}

/// The lowest number free among the pending tasks of the user `$user`
/// names (a parameter, `$1` on both stores), given the expression for how
/// many of them hold a number (`u` the user's row). When as many tasks hold
/// a number as the highest number says, there is no gap: the next is one
/// more, found through the index. Otherwise the first gap is looked for,
/// from the lowest number up.
macro_rules! lowest_free_number {
    ($user:literal, $numbered:literal) => {
        concat!(
            "SELECT CASE WHEN ",
            $numbered,
            " = COALESCE((SELECT MAX(n.number) FROM tasks n \
             WHERE n.user_id = ",
            $user,
            "), 0) THEN ",
            $numbered,
            " + 1 \
             WHEN NOT EXISTS (SELECT 1 FROM tasks n WHERE n.user_id = ",
            $user,
            " \
             AND n.number = 1) THEN 1 \
             ELSE (SELECT n.number + 1 FROM tasks n WHERE n.user_id = ",
            $user,
            " \
             AND n.number IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tasks m \
             WHERE m.user_id = ",
            $user,
            " AND m.number = n.number + 1) \
             ORDER BY n.number LIMIT 1) END \
             FROM users u WHERE u.id = ",
            $user
        )
    };
}
pub(crate) use lowest_free_number;

/// [`lowest_free_number!`] for user `$1`, from the count the user's row
/// holds.
pub const LOWEST_FREE_NUMBER: &str = lowest_free_number!("$1", "u.numbered");

/// 1 low, 2 medium, 3 high: sorts in priority order.
pub fn priority_number(priority: Priority) -> i16 {
    match priority {
        Priority::Low => 1,
        Priority::Medium => 2,
        Priority::High => 3,
    }
}

pub fn priority_from_number(n: Option<i64>) -> Option<Priority> {
    match n? {
        1 => Some(Priority::Low),
        2 => Some(Priority::Medium),
        3 => Some(Priority::High),
        _ => None,
    }
}

/// `columns` ([`TASK_ROW`] or [`TASK_COLUMNS`]) for a light read: the
/// description left out.
pub fn light_columns(columns: &'static str, light: bool) -> std::borrow::Cow<'static, str> {
    if light {
        columns.replacen("t.description", "''", 1).into()
    } else {
        columns.into()
    }
}

/// Roughly what a task weighs in a JSON response: its texts as JSON
/// escapes them (a control character takes six bytes, a quote two), and
/// the rest of its fields.
pub fn weight(task: &common::api::Task) -> usize {
    fn escaped(text: &str) -> usize {
        text.len()
            + text
                .bytes()
                .map(|b| match b {
                    0..=0x1f => 5,
                    b'"' | b'\\' => 1,
                    _ => 0,
                })
                .sum::<usize>()
    }
    escaped(&task.title)
        + escaped(&task.description)
        + task.project.as_deref().map_or(0, escaped)
        + task.tags.iter().map(|tag| escaped(tag) + 3).sum::<usize>()
        + task
            .annotations
            .iter()
            .map(|a| escaped(&a.text) + 64)
            .sum::<usize>()
        + task
            .udas
            .iter()
            .map(|(name, value)| escaped(name) + escaped(&value.to_string()) + 6)
            .sum::<usize>()
        + 400
}

/// Whether a page holding `weight` has reached `budget`.
pub fn full(weight: usize, budget: Option<usize>) -> bool {
    budget.is_some_and(|budget| weight >= budget)
}

/// How many tasks match, when the page itself says so: one that holds
/// fewer tasks than its limit, without being cut by its budget, holds the
/// last of them. Counting them again would read every match once more.
pub fn count_from_page(window: PageWindow, held: usize, cut: bool) -> Option<u64> {
    let short = held < window.limit as usize && !cut;
    (short && (held > 0 || window.offset == 0)).then(|| window.offset.saturating_add(held as u64))
}
