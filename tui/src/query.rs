//! Which tasks are shown and in what order: the scope (`tab`), the sort (`s`)
//! and the filter (`/`), all asked of the server, which filters and sorts.

use common::api::{StatusFilter, TaskQuery};
use common::list_query::{OrderField, OrderKey};

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
    Project,
    Title,
    Updated,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Id => SortKey::Due,
            SortKey::Due => SortKey::Priority,
            SortKey::Priority => SortKey::Project,
            SortKey::Project => SortKey::Title,
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
            SortKey::Project => "project",
            SortKey::Title => "title",
            SortKey::Updated => "recently changed",
            SortKey::Urgency => "urgency",
        }
    }

    /// The API's `ordering` for this sort: the server sorts, never this side.
    pub fn ordering(self) -> Vec<OrderKey> {
        use OrderField as F;
        match self {
            SortKey::Id => vec![OrderKey::asc(F::Number)],
            SortKey::Due => vec![
                OrderKey::asc(F::Due),
                OrderKey::desc(F::Priority),
                OrderKey::asc(F::Id),
            ],
            SortKey::Priority => vec![
                OrderKey::desc(F::Priority),
                OrderKey::asc(F::Due),
                OrderKey::asc(F::Id),
            ],
            SortKey::Project => vec![
                OrderKey::asc(F::Project),
                OrderKey::desc(F::Urgency),
                OrderKey::asc(F::Id),
            ],
            SortKey::Title => vec![OrderKey::asc(F::Title), OrderKey::asc(F::Id)],
            SortKey::Updated => vec![OrderKey::desc(F::UpdatedAt), OrderKey::asc(F::Id)],
            SortKey::Urgency => vec![OrderKey::desc(F::Urgency), OrderKey::asc(F::Id)],
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_cycles_through_every_key() {
        let mut key = SortKey::Urgency;
        for _ in 0..7 {
            key = key.next();
        }
        assert_eq!(key, SortKey::Urgency);
    }

    #[test]
    fn effective_query_takes_scope_unless_the_filter_names_a_status() {
        let filter = TaskQuery {
            search: vec!["milk".into()],
            ..TaskQuery::default()
        };
        let query = effective(&filter, Scope::Pending, SortKey::Due, false);
        assert_eq!(query.status, Some(StatusFilter::Pending));
        let names: Vec<String> = query.ordering.iter().map(ToString::to_string).collect();
        assert_eq!(names, ["due", "-priority", "id"]);
        let done = TaskQuery {
            status: Some(StatusFilter::Done),
            ..filter
        };
        assert_eq!(
            effective(&done, Scope::Pending, SortKey::Id, false).status,
            Some(StatusFilter::Done)
        );
    }
}
