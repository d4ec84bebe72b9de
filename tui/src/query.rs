//! Which tasks are shown and in what order: the scope (`tab`), the sort (`s`)
//! and a local preview of the server's filter, used while a new list loads.

use std::cmp::Ordering;

use common::api::{Status, StatusFilter, Task, TaskQuery};

/// `tab` switches between pending tasks and all tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Pending,
    All,
}

impl Scope {
    pub fn toggle(self) -> Scope {
        match self {
            Scope::Pending => Scope::All,
            Scope::All => Scope::Pending,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Scope::Pending => "pending",
            Scope::All => "all",
        }
    }
}

/// `s` cycles through these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Most urgent first: the default, as in Taskwarrior's `next`.
    Urgency,
    Id,
    Due,
    Priority,
    Title,
    Updated,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Id => SortKey::Due,
            SortKey::Due => SortKey::Priority,
            SortKey::Priority => SortKey::Title,
            SortKey::Title => SortKey::Updated,
            SortKey::Updated => SortKey::Urgency,
            SortKey::Urgency => SortKey::Id,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Id => "id",
            SortKey::Due => "due",
            SortKey::Priority => "priority",
            SortKey::Title => "title",
            SortKey::Updated => "recently changed",
            SortKey::Urgency => "urgency",
        }
    }

    /// The API's `ordering` for this sort.
    pub fn ordering(self) -> Vec<String> {
        let fields: &[&str] = match self {
            SortKey::Id => &["id"],
            SortKey::Due => &["due", "-priority", "id"],
            SortKey::Priority => &["-priority", "due", "id"],
            SortKey::Title => &["title", "id"],
            SortKey::Updated => &["-updated_at", "id"],
            SortKey::Urgency => &["-urgency", "id"],
        };
        fields.iter().map(|f| f.to_string()).collect()
    }

    /// The same order as [`SortKey::ordering`] asks of the server (nulls last).
    pub fn compare(self, a: &Task, b: &Task) -> Ordering {
        let by_id = a.id.cmp(&b.id);
        match self {
            SortKey::Id => by_id,
            SortKey::Due => nulls_last(a.due, b.due, false)
                .then_with(|| nulls_last(a.priority, b.priority, true))
                .then(by_id),
            SortKey::Priority => nulls_last(a.priority, b.priority, true)
                .then_with(|| nulls_last(a.due, b.due, false))
                .then(by_id),
            // Without regard to case, as the server orders titles.
            SortKey::Title => a
                .title
                .to_lowercase()
                .cmp(&b.title.to_lowercase())
                .then(by_id),
            SortKey::Updated => b.updated_at.cmp(&a.updated_at).then(by_id),
            SortKey::Urgency => b.urgency.total_cmp(&a.urgency).then(by_id),
        }
    }
}

fn nulls_last<T: Ord>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) if descending => b.cmp(&a),
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// The query sent to the server: the filter, the scope unless the filter names a
/// status, waiting tasks left out unless they are asked for, and the sort.
/// Every page is fetched, so no limit or offset here.
pub fn effective(filter: &TaskQuery, scope: Scope, sort: SortKey, show_waiting: bool) -> TaskQuery {
    let mut query = filter.clone();
    query.limit = None;
    query.offset = None;
    if query.status.is_none() {
        query.status = Some(match scope {
            Scope::Pending => StatusFilter::Pending,
            Scope::All => StatusFilter::All,
        });
    }
    if !show_waiting {
        query.waiting.get_or_insert(false);
    }
    query.ordering = sort.ordering();
    query
}

/// Whether two queries select the same tasks (the order aside).
pub fn same_selection(a: &TaskQuery, b: &TaskQuery) -> bool {
    let strip = |q: &TaskQuery| TaskQuery {
        ordering: Vec::new(),
        limit: None,
        offset: None,
        ..q.clone()
    };
    strip(a) == strip(b)
}

/// A task with its search text lower-cased once, so that filtering as the user
/// types is a scan, not an allocation per task.
#[derive(Debug, Clone)]
pub struct Entry {
    pub task: Task,
    haystack: String,
}

impl Entry {
    pub fn new(task: Task) -> Entry {
        let mut haystack = task.title.to_lowercase();
        haystack.push('\n');
        haystack.push_str(&task.description.to_lowercase());
        Entry { task, haystack }
    }

    /// Whether the local preview of `query` keeps this task.
    pub fn matches(&self, query: &TaskQuery) -> bool {
        Preview::new(query).matches(self)
    }
}

/// The local preview of the server's filter: an approximation shown only until
/// the server's own answer for the query arrives. Built once per query, so the
/// search words are lower-cased once, not once per task.
pub struct Preview<'a> {
    query: &'a TaskQuery,
    search: Option<String>,
}

impl<'a> Preview<'a> {
    pub fn new(query: &'a TaskQuery) -> Preview<'a> {
        Preview {
            query,
            search: query.search.as_ref().map(|s| s.to_lowercase()),
        }
    }

    pub fn matches(&self, entry: &Entry) -> bool {
        let query = self.query;
        let task = &entry.task;
        match query.status {
            Some(StatusFilter::Pending) if task.status != Status::Pending => return false,
            Some(StatusFilter::Done) if task.status != Status::Done => return false,
            _ => {}
        }
        if query.priority.is_some() && task.priority != query.priority {
            return false;
        }
        if let Some(project) = &query.project {
            let Some(own) = &task.project else {
                return false;
            };
            let inside = own
                .strip_prefix(project.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'));
            if !inside {
                return false;
            }
        }
        if !query.tags.iter().all(|tag| task.tags.contains(tag)) {
            return false;
        }
        if let Some(before) = query.due_before {
            if task.due.is_none_or(|due| due >= before) {
                return false;
            }
        }
        if let Some(after) = query.due_after {
            if task.due.is_none_or(|due| due <= after) {
                return false;
            }
        }
        match &self.search {
            Some(words) => entry.haystack.contains(words.as_str()),
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::task;
    use common::api::Priority;

    #[test]
    fn sort_keeps_nulls_last() {
        let mut a = task(1, "a");
        let mut b = task(2, "b");
        let c = task(3, "c");
        a.priority = Some(Priority::Low);
        b.priority = Some(Priority::High);
        let mut tasks = [c.clone(), a.clone(), b.clone()];
        tasks.sort_by(|x, y| SortKey::Priority.compare(x, y));
        assert_eq!(tasks.iter().map(|t| t.id).collect::<Vec<_>>(), [2, 1, 3]);
        tasks.sort_by(|x, y| SortKey::Due.compare(x, y));
        assert_eq!(tasks.iter().map(|t| t.id).collect::<Vec<_>>(), [2, 1, 3]);
    }

    #[test]
    fn sort_cycles_through_every_key() {
        let mut key = SortKey::Urgency;
        for _ in 0..6 {
            key = key.next();
        }
        assert_eq!(key, SortKey::Urgency);
    }

    #[test]
    fn effective_query_takes_scope_unless_the_filter_names_a_status() {
        let filter = TaskQuery {
            search: Some("milk".into()),
            ..TaskQuery::default()
        };
        let query = effective(&filter, Scope::Pending, SortKey::Due, false);
        assert_eq!(query.status, Some(StatusFilter::Pending));
        assert_eq!(query.ordering, ["due", "-priority", "id"]);
        let done = TaskQuery {
            status: Some(StatusFilter::Done),
            ..filter
        };
        assert_eq!(
            effective(&done, Scope::Pending, SortKey::Id, false).status,
            Some(StatusFilter::Done)
        );
    }

    #[test]
    fn local_preview_matches_projects_tags_and_words() {
        let mut t = task(1, "Water the Roses");
        t.project = Some("home.garden".into());
        t.tags = vec!["outside".into()];
        let entry = Entry::new(t);
        let q = |f: fn(&mut TaskQuery)| {
            let mut query = TaskQuery::default();
            f(&mut query);
            query
        };
        assert!(entry.matches(&q(|q| q.project = Some("home".into()))));
        assert!(!entry.matches(&q(|q| q.project = Some("hom".into()))));
        assert!(entry.matches(&q(|q| q.tags = vec!["outside".into()])));
        assert!(!entry.matches(&q(|q| q.tags = vec!["inside".into()])));
        assert!(entry.matches(&q(|q| q.search = Some("ROSES".into()))));
        assert!(!entry.matches(&q(|q| q.status = Some(StatusFilter::Done))));
        assert!(!entry.matches(&q(|q| q.due_before = Some(chrono::Utc::now()))));
    }
}
