//! Taskwarrior's urgency with its default coefficients: a sum of terms, each
//! a coefficient times a factor. The server computes it for every task it
//! sends; clients use the same terms to show how a task's urgency is made.

use chrono::{DateTime, Utc};

use crate::api::{Priority, Status, Task};

/// One term of the sum: its name, coefficient and factor.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub name: &'static str,
    pub coefficient: f64,
    pub factor: f64,
}

impl Term {
    pub fn value(&self) -> f64 {
        self.coefficient * self.factor
    }
}

const DAY_SECONDS: f64 = 86_400.0;

/// The terms that count for `task` at `now` (those with a factor of 0 are
/// left out). A done task has none: its urgency is 0.
pub fn terms(task: &Task, now: DateTime<Utc>) -> Vec<Term> {
    if task.status == Status::Done {
        return Vec::new();
    }
    let days = |from: DateTime<Utc>, to: DateTime<Utc>| {
        (to - from).num_milliseconds() as f64 / 1000.0 / DAY_SECONDS
    };
    let count_factor = |n: usize| match n {
        0 => 0.0,
        1 => 0.8,
        2 => 0.9,
        _ => 1.0,
    };
    let mut terms = vec![
        Term {
            name: "next",
            coefficient: 15.0,
            factor: flag(task.tags.iter().any(|t| t == "next")),
        },
        Term {
            name: "due",
            coefficient: 12.0,
            factor: task.due.map_or(0.0, |due| {
                let overdue = days(due, now);
                if overdue >= 7.0 {
                    1.0
                } else if overdue >= -14.0 {
                    (overdue + 14.0) * 0.8 / 21.0 + 0.2
                } else {
                    0.2
                }
            }),
        },
        Term {
            name: "blocking",
            coefficient: 8.0,
            factor: flag(task.blocking),
        },
        Term {
            name: "priority",
            coefficient: 1.0,
            factor: match task.priority {
                Some(Priority::High) => 6.0,
                Some(Priority::Medium) => 3.9,
                Some(Priority::Low) => 1.8,
                None => 0.0,
            },
        },
        Term {
            name: "scheduled",
            coefficient: 5.0,
            factor: flag(task.scheduled.is_some_and(|at| at < now)),
        },
        Term {
            name: "active",
            coefficient: 4.0,
            factor: flag(task.start.is_some()),
        },
        Term {
            name: "age",
            coefficient: 2.0,
            factor: (days(task.created_at, now) / 365.0).clamp(0.0, 1.0),
        },
        Term {
            name: "annotations",
            coefficient: 1.0,
            factor: count_factor(task.annotations.len()),
        },
        Term {
            name: "tags",
            coefficient: 1.0,
            factor: count_factor(task.tags.len()),
        },
        Term {
            name: "project",
            coefficient: 1.0,
            factor: flag(task.project.is_some()),
        },
        Term {
            name: "waiting",
            coefficient: -3.0,
            factor: flag(task.wait.is_some_and(|at| at > now)),
        },
        Term {
            name: "blocked",
            coefficient: -5.0,
            factor: flag(task.blocked),
        },
    ];
    terms.retain(|term| term.factor != 0.0);
    terms
}

fn flag(on: bool) -> f64 {
    if on {
        1.0
    } else {
        0.0
    }
}

/// The urgency of `task` at `now`, rounded to 4 decimals as Taskwarrior
/// shows it.
pub fn urgency(task: &Task, now: DateTime<Utc>) -> f64 {
    let total: f64 = terms(task, now).iter().map(Term::value).sum();
    // Adding zero turns -0.0 (the sum of no terms, or a tiny negative one
    // rounded) into 0.0, which is what JSON should say.
    (total * 10_000.0).round() / 10_000.0 + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap()
    }

    /// A pending task made just now, with nothing set.
    fn task() -> Task {
        Task {
            created_at: now(),
            ..Task::default()
        }
    }

    #[test]
    fn nothing_to_weigh_is_zero_not_minus_zero() {
        let fresh = urgency(&task(), now());
        assert!(fresh == 0.0 && fresh.is_sign_positive(), "{fresh:?}");
        assert_eq!(serde_json::to_string(&fresh).unwrap(), "0.0");
    }

    /// Each expected value worked out by hand from Taskwarrior's formula
    /// and default coefficients.
    #[test]
    fn matches_taskwarriors_defaults() {
        let days = Duration::days;
        let cases: Vec<(&str, Task, f64)> = vec![
            ("nothing set", task(), 0.0),
            (
                "priority H",
                Task {
                    priority: Some(Priority::High),
                    ..task()
                },
                6.0,
            ),
            (
                "priority M",
                Task {
                    priority: Some(Priority::Medium),
                    ..task()
                },
                3.9,
            ),
            (
                "priority L",
                Task {
                    priority: Some(Priority::Low),
                    ..task()
                },
                1.8,
            ),
            // 12 × 1.0
            (
                "due 7 days ago",
                Task {
                    due: Some(now() - days(7)),
                    ..task()
                },
                12.0,
            ),
            // 12 × ((0 + 14) × 0.8 / 21 + 0.2) = 12 × 0.733333 = 8.8
            (
                "due now",
                Task {
                    due: Some(now()),
                    ..task()
                },
                8.8,
            ),
            // 12 × ((-7 + 14) × 0.8 / 21 + 0.2) = 12 × 0.466667 = 5.6
            (
                "due in 7 days",
                Task {
                    due: Some(now() + days(7)),
                    ..task()
                },
                5.6,
            ),
            // 12 × 0.2
            (
                "due in 30 days",
                Task {
                    due: Some(now() + days(30)),
                    ..task()
                },
                2.4,
            ),
            // 15 (next) + 1 × 0.8 (one tag)
            (
                "tag next",
                Task {
                    tags: vec!["next".into()],
                    ..task()
                },
                15.8,
            ),
            // 1 × 0.9 (two tags) + 1 (project)
            (
                "two tags and a project",
                Task {
                    tags: vec!["a".into(), "b".into()],
                    project: Some("home".into()),
                    ..task()
                },
                1.9,
            ),
            // 4 (active) + 5 (scheduled in the past)
            (
                "active and scheduled",
                Task {
                    start: Some(now() - days(1)),
                    scheduled: Some(now() - days(1)),
                    ..task()
                },
                9.0,
            ),
            // 2 × 182.5 / 365 = 1.0
            (
                "half a year old",
                Task {
                    created_at: now() - Duration::hours(182 * 24 + 12),
                    ..task()
                },
                1.0,
            ),
            // 2 × 1.0, capped
            (
                "two years old",
                Task {
                    created_at: now() - days(730),
                    ..task()
                },
                2.0,
            ),
            // 1 × 1.0 for 3 annotations
            (
                "three annotations",
                Task {
                    annotations: vec![Default::default(); 3],
                    ..task()
                },
                1.0,
            ),
            // 8 (blocking) − 5 (blocked)
            (
                "blocking and blocked",
                Task {
                    blocking: true,
                    blocked: true,
                    ..task()
                },
                3.0,
            ),
            // −3 (waiting) + 6 (H)
            (
                "waiting, priority H",
                Task {
                    wait: Some(now() + days(3)),
                    priority: Some(Priority::High),
                    ..task()
                },
                3.0,
            ),
            (
                "a wait that has passed",
                Task {
                    wait: Some(now() - days(1)),
                    ..task()
                },
                0.0,
            ),
            (
                "scheduled in the future",
                Task {
                    scheduled: Some(now() + days(1)),
                    ..task()
                },
                0.0,
            ),
            (
                "done",
                Task {
                    status: Status::Done,
                    priority: Some(Priority::High),
                    tags: vec!["next".into()],
                    ..task()
                },
                0.0,
            ),
        ];
        for (name, task, expected) in cases {
            let got = urgency(&task, now());
            assert!((got - expected).abs() < 1e-9, "{name}: {got} != {expected}");
        }
    }
}
