//! How people name tasks, as Taskwarrior users type them: a pending task by
//! its short `number` (`3`, lists `3,5` and ranges `4-6`), any task by its
//! uuid or a prefix of at least 8 characters of it (`a1b2c3d4`). The API's
//! `id` is never typed; these are looked up with the list query.

use std::fmt;

use crate::list_query::{uuid_prefix, StatusFilter, TaskQuery, MIN_UUID_PREFIX};

/// More tasks than this in one command is surely a typo (`1-100000`).
pub const MAX_REFS: usize = 10_000;

/// One task, as named.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TaskRef {
    /// A pending task's short number.
    Number(i64),
    /// A uuid, or a prefix of one, lower case.
    Uuid(String),
}

impl fmt::Display for TaskRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskRef::Number(n) => write!(f, "{n}"),
            TaskRef::Uuid(prefix) => f.write_str(prefix),
        }
    }
}

impl TaskRef {
    /// What to add to "no such task" for `names`: a number names only a
    /// pending task, so one that was done or deleted a moment ago is
    /// found by its uuid, which a Taskwarrior user may not expect.
    pub fn missing_hint(names: &[TaskRef]) -> &'static str {
        if names.iter().any(|name| matches!(name, TaskRef::Number(_))) {
            " (a number names a pending task: a done or deleted one goes by its uuid)"
        } else {
            ""
        }
    }

    /// `3` or a uuid (prefix). Digits are always a number, as in Taskwarrior:
    /// a uuid that starts with 8 digits is named with one more character.
    pub fn parse(word: &str) -> Option<TaskRef> {
        if !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()) {
            return word
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .map(TaskRef::Number);
        }
        uuid_prefix(word).map(TaskRef::Uuid)
    }

    /// Whether this names the task whose number and uuid are these.
    pub fn names(&self, number: Option<i64>, uuid: &str) -> bool {
        match self {
            TaskRef::Number(n) => number == Some(*n),
            TaskRef::Uuid(prefix) => uuid.starts_with(prefix.as_str()),
        }
    }

    /// The list query that finds this task: a number among the pending
    /// tasks, a uuid among all of them. Two rows are asked for, so that a
    /// prefix naming several tasks is told apart from one naming one.
    pub fn query(&self) -> TaskQuery {
        let mut query = TaskQuery {
            limit: Some(2),
            ..TaskQuery::default()
        };
        match self {
            TaskRef::Number(n) => {
                query.number = Some(*n);
                query.status = Some(StatusFilter::Pending);
            }
            TaskRef::Uuid(prefix) => {
                query.uuid = Some(prefix.clone());
                query.status = Some(StatusFilter::All);
            }
        }
        query
    }
}

/// `3` or `4-6` (or `6-4`) as an inclusive range of numbers. Eight
/// characters then a dash is a uuid's start, never a range.
fn parse_range(part: &str) -> Option<(i64, i64)> {
    if part.len() > 8 && part.as_bytes().get(8) == Some(&b'-') {
        return None;
    }
    let number = |text: &str| match TaskRef::parse(text) {
        Some(TaskRef::Number(n)) => Some(n),
        _ => None,
    };
    match part.split_once('-') {
        None => number(part).map(|n| (n, n)),
        Some((a, b)) => {
            let (a, b) = (number(a)?, number(b)?);
            Some((a.min(b), a.max(b)))
        }
    }
}

/// Whether `word` names tasks: numbers, ranges and uuid prefixes joined by
/// commas.
pub fn is_ref_list(word: &str) -> bool {
    !word.is_empty()
        && word.split(',').all(|part| {
            parse_range(part).is_some() || matches!(TaskRef::parse(part), Some(TaskRef::Uuid(_)))
        })
}

/// The tasks named by `words`, in order, each once.
pub fn parse_refs<S: AsRef<str>>(words: &[S]) -> Result<Vec<TaskRef>, String> {
    let mut refs: Vec<TaskRef> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut push = |r: TaskRef, refs: &mut Vec<TaskRef>| {
        if seen.insert(r.clone()) {
            refs.push(r);
        }
    };
    for word in words {
        let word = word.as_ref();
        for part in word.split(',') {
            if parse_range(part).is_none() {
                if let Some(uuid @ TaskRef::Uuid(_)) = TaskRef::parse(part) {
                    push(uuid, &mut refs);
                    continue;
                }
            }
            let (low, high) = parse_range(part).ok_or_else(|| {
                format!(
                    "{word:?} does not name a task: use numbers, lists and ranges such as 3, 3,5 \
                     or 4-6, or {MIN_UUID_PREFIX} or more characters of a uuid"
                )
            })?;
            let span = usize::try_from(high - low).unwrap_or(usize::MAX);
            if span >= MAX_REFS || refs.len().saturating_add(span) >= MAX_REFS {
                return Err(format!(
                    "{word:?} names too many tasks (at most {MAX_REFS} at once)"
                ));
            }
            for n in low..=high {
                push(TaskRef::Number(n), &mut refs);
            }
        }
    }
    if refs.is_empty() {
        return Err("name at least one task".to_string());
    }
    Ok(refs)
}

/// `11-13, 20, a1b2c3d4` for the refs given, consecutive numbers folded
/// into ranges, in the order given.
pub fn describe(refs: &[TaskRef]) -> String {
    let mut runs: Vec<String> = Vec::new();
    let mut run: Option<(i64, i64)> = None;
    let close = |run: &mut Option<(i64, i64)>, runs: &mut Vec<String>| {
        if let Some((first, last)) = run.take() {
            runs.push(if first == last {
                first.to_string()
            } else {
                format!("{first}-{last}")
            });
        }
    };
    for r in refs {
        match (r, &mut run) {
            (TaskRef::Number(n), Some((_, last))) if last.checked_add(1) == Some(*n) => {
                *last = *n;
            }
            (TaskRef::Number(n), _) => {
                close(&mut run, &mut runs);
                run = Some((*n, *n));
            }
            (TaskRef::Uuid(prefix), _) => {
                close(&mut run, &mut runs);
                runs.push(prefix.clone());
            }
        }
    }
    close(&mut run, &mut runs);
    runs.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(words: &[&str]) -> Vec<i64> {
        parse_refs(words)
            .unwrap()
            .into_iter()
            .map(|r| match r {
                TaskRef::Number(n) => n,
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn lists_and_ranges() {
        assert_eq!(numbers(&["3"]), [3]);
        assert_eq!(numbers(&["3,5"]), [3, 5]);
        assert_eq!(numbers(&["4-6"]), [4, 5, 6]);
        assert_eq!(numbers(&["6-4"]), [4, 5, 6]);
        assert_eq!(numbers(&["1,3-4", "3", "9"]), [1, 3, 4, 9]);
    }

    #[test]
    fn uuids_and_their_prefixes() {
        let full = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
        assert_eq!(
            parse_refs(&["0A1B2C3D", full, "2"]).unwrap(),
            [
                TaskRef::Uuid("0a1b2c3d".into()),
                TaskRef::Uuid(full.into()),
                TaskRef::Number(2)
            ]
        );
        // Eight digits are a number, as in Taskwarrior.
        assert_eq!(TaskRef::parse("12345678"), Some(TaskRef::Number(12345678)));
        assert_eq!(
            TaskRef::parse("12345678-"),
            Some(TaskRef::Uuid("12345678-".into()))
        );
        assert!(is_ref_list("0a1b2c3d,3"));
        assert_eq!(
            parse_refs(&["12345678-1234"]).unwrap(),
            [TaskRef::Uuid("12345678-1234".into())]
        );
        assert!(
            parse_refs(&["1-9999,10000-19998"]).is_err(),
            "too many at once"
        );
        assert!(!is_ref_list("0a1b2c3"));
    }

    #[test]
    fn bad_names_are_errors() {
        for bad in [
            "",
            "x",
            "0",
            "-3",
            "3-",
            "3,,4",
            "1-999999",
            "99999999999999999999",
            "abcdefg",
        ] {
            assert!(parse_refs(&[bad]).is_err(), "{bad:?}");
            assert!(!is_ref_list(bad) || bad == "1-999999", "{bad:?}");
        }
    }

    #[test]
    fn consecutive_numbers_fold_into_ranges() {
        let refs = parse_refs(&["11-13,20", "abcdef01", "7,8"]).unwrap();
        assert_eq!(describe(&refs), "11-13, 20, abcdef01, 7-8");
        assert_eq!(describe(&[TaskRef::Number(i64::MAX)]), i64::MAX.to_string());
    }
}
