//! Tasks for tests and benchmarks, at fixed times.

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::api::{Priority, Status, Task};

/// The "now" of tests: Tuesday 2026-03-10 12:00 UTC.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A plain pending task; its number is its id, its uuid made from it.
pub fn task(id: i64, title: &str) -> Task {
    let created = now() - Duration::days(30) + Duration::minutes(id);
    Task {
        id,
        number: Some(id),
        uuid: format!("{id:08x}-0000-4000-8000-000000000000"),
        title: title.to_string(),
        description: String::new(),
        status: Status::Pending,
        priority: None,
        due: None,
        project: None,
        tags: Vec::new(),
        created_at: created,
        updated_at: created,
        completed_at: None,
        version: 1,
        ..Task::default()
    }
}

/// A small varied list: projects, priorities, due dates (one overdue), tags,
/// a done task and a title holding an escape sequence.
pub fn sample() -> Vec<Task> {
    let mut tasks = Vec::new();
    let mut t = task(1, "Water the roses");
    t.project = Some("home.garden".into());
    t.priority = Some(Priority::Medium);
    t.due = Some(now() + Duration::days(2));
    t.tags = vec!["outside".into()];
    t.description = "Both beds by the fence.\nUse the rain barrel first.".into();
    tasks.push(t);
    let mut t = task(2, "File the tax return");
    t.project = Some("admin".into());
    t.priority = Some(Priority::High);
    t.due = Some(now() - Duration::days(3));
    t.tags = vec!["money".into(), "urgent".into()];
    tasks.push(t);
    let mut t = task(3, "Buy oat milk");
    t.tags = vec!["shop".into()];
    tasks.push(t);
    let mut t = task(4, "Read the ratatui book");
    t.priority = Some(Priority::Low);
    t.status = Status::Done;
    t.number = None;
    t.completed_at = Some(now() - Duration::hours(5));
    t.version = 2;
    tasks.push(t);
    let mut t = task(5, "Evil \u{1b}[2J\u{1b}]0;pwned\u{7} title");
    t.project = Some("work".into());
    t.due = Some(now() + Duration::hours(5));
    tasks.push(t);
    with_urgency(tasks)
}

/// Each task's urgency as the server would send it at [`now`].
pub fn with_urgency(mut tasks: Vec<Task>) -> Vec<Task> {
    for task in &mut tasks {
        task.urgency = common::urgency::urgency(task, now());
    }
    tasks
}

/// `n` tasks with a bit of everything, for benchmarks.
pub fn many(n: usize) -> Vec<Task> {
    let projects = ["home", "home.garden", "work", "work.reports", "admin"];
    let words = [
        "call", "write", "review", "buy", "fix", "plan", "read", "clean",
    ];
    (0..n)
        .map(|i| {
            let id = i64::try_from(i).unwrap_or(i64::MAX) + 1;
            let mut t = task(
                id,
                &format!(
                    "{} item {} for the {} list",
                    words[i % 8],
                    i,
                    projects[i % 5]
                ),
            );
            t.project = (i % 3 != 0).then(|| projects[i % 5].to_string());
            t.priority = [
                None,
                Some(Priority::Low),
                Some(Priority::Medium),
                Some(Priority::High),
            ][i % 4];
            t.due = (i % 2 == 0)
                .then(|| now() + Duration::hours(i64::try_from(i % 500).unwrap_or(0) - 100));
            t.tags = match i % 4 {
                0 => vec![],
                1 => vec!["work".into()],
                2 => vec!["home".into(), "errand".into()],
                _ => vec!["later".into()],
            };
            if i % 7 == 0 {
                t.status = Status::Done;
            }
            t.urgency = common::urgency::urgency(&t, now());
            t
        })
        .collect()
}
