//! The filter and modifier words of the CLI, also used by the TUI's
//! `/` filter.
//!
//! Filters ([`TaskFilter`]), for `task list` and the TUI:
//!
//! | word | meaning |
//! |---|---|
//! | `+tag` / `-tag` | has / has not the tag |
//! | `project:P` (`pro:P`) | in project P or a sub-project (`home` matches `home.garden`); `project:` = no project |
//! | `priority:H` (`pri:`) | H, M, L (or high, medium, low); `priority:` = no priority |
//! | `status:pending\|done\|all` | |
//! | `due:DATE` | due within that day (or at that instant); `due:` = no due date |
//! | `due.before:DATE`, `due.after:DATE` | due before the day starts / after it ends |
//! | `uda.NAME:VALUE` | the user-defined attribute is exactly the value (a number, any number equal to it) |
//! | `3`, `3,5`, `4-6`, a uuid prefix | those tasks ([`TaskFilter::names`]) |
//! | `limit:N`, `limit:page` | a report of `task` shows N tasks, or as many as fit the terminal ([`TaskFilter::limit`]); refused elsewhere |
//! | `/word/` | the same search as `word` |
//! | `or`, `and`, `xor` between filter words, `(…)` around them, a regular expression, `1-` | refused: the words all apply together |
//! | anything else | words searched for in title and description |
//! | `--` | every word after it is a search word |
//!
//! Attribute names may be shortened to three letters or more (`proj:`, `prio:`).
//!
//! Modifiers ([`Modifications`]), for `task add` and `task modify`:
//! `project:P`, `priority:H`, `due:DATE` (`due:in 3 days` may be three words, `due:2026-12-24 17:00` two),
//! `wait:DATE`, `scheduled:DATE` (`sched:`), `until:DATE`, `depends:1,2`
//! (`dep:`; `depends:-2` removes 2, `depends:` removes all), `uda.NAME:VALUE` (a number-looking value
//! is kept as a number; `uda.NAME:` removes it), `+tag`, and for `modify`
//! `-tag` (remove), `/from/to/` (a substitution in the title) and empty
//! values (`due:`) that clear the field. Other
//! words make the title.
//!
//! What the API can filter goes into [`TaskQuery`]; the rest (excluded tags,
//! "no project") is checked here by [`TaskFilter::matches`].

use chrono::{Duration, TimeZone};

use crate::api::{StatusFilter, Task, TaskQuery};
use crate::dates::Clock;
use crate::task_ref::{is_ref_list, parse_refs, TaskRef};
use crate::typed_line::{self, Word};

mod modify;
#[cfg(test)]
mod tests;
mod title;
mod words;

use crate::list_query::tag_problem;
pub use modify::{Modifications, ModifyMode, Resolved, TitleWords, NEEDS_TITLE};
pub use title::Substitution;
use words::{
    check_tag, error, parse_date, parse_priority, pattern_text, refuse_algebra,
    refuse_attribute_like, refuse_bare_uda, refuse_broken_names, refuse_operator, refuse_setting,
    refuse_unclosed, refuse_unknown_modifier, refuse_unsupported, split_attribute, split_tag,
    split_uda, take_date_value, unquoted_value, virtual_tag, Attribute, Source,
};
pub use words::{is_filter_word, parse_sort, tag_list, FilterError};

/// A task filter: every part of it is a [`TaskQuery`] the server applies;
/// no client filters tasks itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskFilter {
    pub query: TaskQuery,
    /// The tasks the filter names (`task 3,5 list`), each once, in order;
    /// empty when it names none.
    pub names: Vec<TaskRef>,
    /// Taskwarrior's `limit:`: how many of the tasks a report shows.
    pub limit: Option<ReportLimit>,
}

/// How many tasks a report shows (`limit:10`, `limit:page`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportLimit {
    /// At most this many.
    Tasks(u32),
    /// As many as fit the terminal.
    Page,
}

/// The most a `limit:` may name: a page of the list.
pub const MOST_SHOWN: u32 = 1000;

impl ReportLimit {
    fn parse(value: &str) -> Result<ReportLimit, FilterError> {
        if value.eq_ignore_ascii_case("page") {
            return Ok(ReportLimit::Page);
        }
        value
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MOST_SHOWN).contains(n))
            .map(ReportLimit::Tasks)
            .ok_or_else(|| {
                error(format!(
                    "limit:{value}: give how many tasks to show, 1 to {MOST_SHOWN} (limit:10), \
                     or limit:page for as many as fit the terminal"
                ))
            })
    }
}

impl TaskFilter {
    /// Parses filter words (see the module docs). `status` stays `None`
    /// unless a `status:` word sets it: the caller picks the default.
    pub fn parse<Tz: TimeZone, S: AsRef<str>>(
        words: &[S],
        clock: &Clock<Tz>,
    ) -> Result<TaskFilter, FilterError> {
        let words = words.iter().map(|w| Word::plain(w.as_ref()));
        TaskFilter::parse_words(words, clock, Source::Arguments)
    }

    /// [`TaskFilter::parse`] of a typed line (the TUI's `/`): a word
    /// quoted whole is searched for.
    pub fn parse_line<Tz: TimeZone>(
        line: &str,
        clock: &Clock<Tz>,
    ) -> Result<TaskFilter, FilterError> {
        TaskFilter::parse_words(typed_line::split(line), clock, Source::TypedLine)
    }

    fn parse_words<Tz: TimeZone>(
        words: impl IntoIterator<Item = Word>,
        clock: &Clock<Tz>,
        source: Source,
    ) -> Result<TaskFilter, FilterError> {
        let words: Vec<Word> = words.into_iter().collect();
        refuse_unclosed(&words)?;
        let (words, quoted): (Vec<String>, Vec<bool>) = words
            .into_iter()
            .map(|w| (w.text, w.quote.is_some()))
            .unzip();
        let mut filter = TaskFilter::default();
        let mut search: Vec<String> = Vec::new();
        let mut name_words: Vec<&str> = Vec::new();
        let mut literal = false;
        let mut i = 0;
        while i < words.len() {
            let word = &words[i];
            i += 1;
            if literal || quoted[i - 1] {
                search.push(word.clone());
                continue;
            }
            if word == "--" {
                literal = true;
                continue;
            }
            let unquoted = unquoted_value(word, source);
            let word = unquoted.as_ref().unwrap_or(word);
            if is_ref_list(word) {
                // Never unquoted: task names have no `:`.
                name_words.push(words[i - 1].as_str());
                continue;
            }
            if let Some(uda) = split_uda(word) {
                let (name, _) = uda?;
                // As typed: the server matches the same text, or for a
                // number the numbers equal to it.
                let value = word.split_once(':').map_or("", |(_, value)| value);
                if value.is_empty() {
                    return Err(error(format!(
                        "{word:?}: name the value to look for (uda.{name}:VALUE)"
                    )));
                }
                filter.query.udas.push((name, value.to_string()));
                continue;
            }
            if let Some((sign, name)) = split_tag(word) {
                if virtual_tag(&mut filter.query, sign == '+', name, clock) {
                    continue;
                }
                // No task has a tag of that name: a search for it would
                // find nothing and seem to say that nothing matched.
                if tag_problem(name).is_some() {
                    return Err(error(format!(
                        "{word}: Taskwarrior's virtual tag is not supported in a filter; \
                         those that are: +ACTIVE, +BLOCKED, +UNBLOCKED, +BLOCKING, +WAITING, \
                         +READY, +SCHEDULED, -ACTIVE…, and +OVERDUE, +TODAY, +TOMORROW, \
                         +YESTERDAY, +PENDING, +COMPLETED"
                    )));
                }
                let tag = check_tag(name)?;
                match sign {
                    '+' => filter.query.tags.push(tag),
                    _ => filter.query.exclude_tags.push(tag),
                }
                continue;
            }
            if let Some(value) = word.strip_prefix("limit:") {
                filter.limit = Some(ReportLimit::parse(value)?);
                continue;
            }
            let Some((attribute, value)) = split_attribute(word) else {
                refuse_setting(word, source)?;
                refuse_unsupported(word, source)?;
                refuse_bare_uda(word, source)?;
                refuse_attribute_like(word, source)?;
                refuse_algebra(word)?;
                refuse_unknown_modifier(word)?;
                refuse_operator(&words, i - 1, source)?;
                refuse_broken_names(word, source)?;
                search.push(pattern_text(word)?.unwrap_or(word).to_string());
                continue;
            };
            match attribute {
                Attribute::Project if value.is_empty() => {
                    filter.query.has_project = Some(false);
                }
                Attribute::Project => filter.query.project = Some(value.to_string()),
                Attribute::Priority if value.is_empty() => {
                    filter.query.has_priority = Some(false);
                }
                Attribute::Priority => filter.query.priority = Some(parse_priority(value)?),
                Attribute::Status => {
                    // Taskwarrior's words for the same, too.
                    let status = match value.to_ascii_lowercase().as_str() {
                        "completed" => Some(StatusFilter::Done),
                        "waiting" => {
                            filter.query.waiting = Some(true);
                            Some(StatusFilter::Pending)
                        }
                        "deleted" => {
                            return Err(error(
                                "deleted tasks are in the trash for 30 days: task trash",
                            ))
                        }
                        other => StatusFilter::parse(other),
                    }
                    .ok_or_else(|| {
                        error(format!(
                            "invalid status {value:?}: use pending, done (completed), waiting or all"
                        ))
                    })?;
                    filter.query.status = Some(status);
                }
                Attribute::Wait | Attribute::Scheduled | Attribute::Until | Attribute::Depends => {
                    return Err(error(format!("{word:?} is a modification, not a filter")))
                }
                Attribute::Due if value.is_empty() => {
                    filter.query.has_due = Some(false);
                }
                Attribute::ScheduledBefore | Attribute::ScheduledAfter => {
                    let (value, used) = take_date_value(value, &words[i..], &quoted[i..], clock);
                    i += used;
                    let spec = parse_date(clock, "scheduled", &value)?;
                    match attribute {
                        Attribute::ScheduledBefore => {
                            filter.query.scheduled_before = Some(spec.start)
                        }
                        _ => filter.query.scheduled_after = Some(spec.end),
                    }
                }
                Attribute::Due | Attribute::DueBefore | Attribute::DueBy | Attribute::DueAfter => {
                    let (value, used) = take_date_value(value, &words[i..], &quoted[i..], clock);
                    i += used;
                    let spec = parse_date(clock, word.split(':').next().unwrap_or("due"), &value)?;
                    match attribute {
                        Attribute::DueBefore => filter.query.due_before = Some(spec.start),
                        // On or before: up to the named time's last second.
                        Attribute::DueBy => {
                            filter.query.due_before = Some(spec.end + Duration::seconds(1))
                        }
                        Attribute::DueAfter => filter.query.due_after = Some(spec.end),
                        _ => {
                            let second = Duration::seconds(1);
                            filter.query.due_after = Some(spec.start - second);
                            filter.query.due_before = Some(spec.end + second);
                        }
                    }
                }
            }
        }
        // Each word on its own, as in Taskwarrior: `pay bill` finds "Pay
        // the electricity bill"; a phrase quoted is one.
        for word in search {
            if !filter.query.search.contains(&word) {
                filter.query.search.push(word);
            }
        }
        // Parsed together, so that their number is capped as a whole.
        if !name_words.is_empty() {
            filter.names = parse_refs(&name_words).map_err(FilterError)?;
        }
        Ok(filter)
    }

    /// Refuses a `limit:`, for what is not a report of the CLI: `what`
    /// says what acts instead (`a command acts on every task it matches`).
    pub fn refuse_limit(&self, what: &str) -> Result<(), FilterError> {
        match self.limit {
            None => Ok(()),
            Some(_) => Err(error(format!(
                "limit: shapes what a report of task shows (task list limit:10); {what}"
            ))),
        }
    }

    /// The filter's query with its one named task asked of the server too;
    /// `None` when it names several, which the caller picks out of the
    /// query's answer ([`TaskRef::names`]).
    pub fn single_query(&self) -> Option<TaskQuery> {
        let mut query = self.query.clone();
        match self.names.as_slice() {
            [] => {}
            [TaskRef::Number(n)] => query.number = Some(*n),
            [TaskRef::Uuid(prefix)] => query.uuid = Some(prefix.clone()),
            _ => return None,
        }
        Some(query)
    }

    /// Whether `task` is one the filter names, when it names any: the
    /// rest of the filter is the server's to apply.
    pub fn names_task(&self, task: &Task) -> bool {
        self.names.is_empty()
            || self
                .names
                .iter()
                .any(|name| name.names(task.number, &task.uuid))
    }

    /// Sets the ordering from a `--sort` spec.
    pub fn sort_by(&mut self, spec: &str) -> Result<(), FilterError> {
        self.query.ordering = parse_sort(spec)?;
        Ok(())
    }
}
