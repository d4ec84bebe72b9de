//! Taskwarrior's task format, as `task export` writes it and `task import`
//! reads it: what `GET /api/export/` sends and `POST /api/import/` takes.

mod export;
pub mod import;
mod set_aside;

pub use export::export;

use chrono::{DateTime, NaiveDateTime, Utc};

/// Where a task's description (its longer text) goes: Taskwarrior's own
/// `description` is the title, and it keeps an attribute it does not know
/// and exports it again, so the text makes the round trip.
pub const DESCRIPTION: &str = "taskd_description";

/// `20261201T153000Z`.
pub fn date(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A date as Taskwarrior writes it (`20261201T153000Z`) or as RFC 3339.
pub fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(naive) = NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%SZ") {
        return Some(naive.and_utc());
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_description_attribute_is_no_uda_s_name() {
        assert!(common::list_query::uda_name_problem(DESCRIPTION).is_some());
    }

    #[test]
    fn dates_are_read_in_both_forms() {
        let at = parse_date("20261201T153000Z").unwrap();
        assert_eq!(date(at), "20261201T153000Z");
        assert_eq!(parse_date("2026-12-01T16:30:00+01:00"), Some(at));
        for bad in ["", "20261301T153000Z", "2026-12-01", "tomorrow"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
