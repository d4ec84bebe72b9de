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
//! | `/word/` | the same search as `word` |
//! | `or`, `and`, `xor` between filter words, `(…)` around them, a regular expression, `1-` | refused: the words all apply together |
//! | anything else | words searched for in title and description |
//! | `--` | every word after it is a search word |
//!
//! Attribute names may be shortened to three letters or more (`proj:`, `prio:`).
//!
//! Modifiers ([`Modifications`]), for `task add` and `task modify`:
//! `project:P`, `priority:H`, `due:DATE` (`due:in 3 days` may be three words),
//! `wait:DATE`, `scheduled:DATE` (`sched:`), `until:DATE`, `depends:1,2`
//! (`dep:`; `depends:-2` removes 2, `depends:` removes all), `uda.NAME:VALUE` (a number-looking value
//! is kept as a number; `uda.NAME:` removes it), `+tag`, and for `modify`
//! `-tag` (remove) and empty values (`due:`) that clear the field. Other
//! words make the title.
//!
//! What the API can filter goes into [`TaskQuery`]; the rest (excluded tags,
//! "no project") is checked here by [`TaskFilter::matches`].

use chrono::{DateTime, Duration, TimeZone, Utc};

use std::collections::BTreeMap;

use crate::api::{NewTask, Priority, StatusFilter, Task, TaskPatch, TaskQuery, UdaValue};
use crate::dates::Clock;
use crate::list_query::{
    is_uda_name, tag_problem, uda_name_problem, OrderField, OrderKey, UDA_NAME_RULE,
};
use crate::task_ref::{is_ref_list, parse_refs, TaskRef};
use crate::typed_line::{self, Word};

/// A filter or modifier word that cannot be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError(pub String);

impl std::fmt::Display for FilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FilterError {}

fn error(message: impl Into<String>) -> FilterError {
    FilterError(message.into())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attribute {
    Project,
    Priority,
    Status,
    Due,
    DueBefore,
    DueAfter,
    Wait,
    Scheduled,
    Until,
    Depends,
    ScheduledBefore,
    ScheduledAfter,
}

/// `pro`, `proj`, … `project`: a prefix of at least three letters.
fn attribute(key: &str) -> Option<Attribute> {
    let key = key.to_ascii_lowercase();
    let prefix_of = |full: &str| key.len() >= 3 && full.starts_with(key.as_str());
    match key.as_str() {
        "due" => Some(Attribute::Due),
        "due.before" | "due.by" | "due.below" => Some(Attribute::DueBefore),
        "due.after" | "due.above" => Some(Attribute::DueAfter),
        "scheduled.before" | "sched.before" => Some(Attribute::ScheduledBefore),
        "scheduled.after" | "sched.after" => Some(Attribute::ScheduledAfter),
        _ if prefix_of("project") => Some(Attribute::Project),
        _ if prefix_of("priority") => Some(Attribute::Priority),
        _ if prefix_of("status") => Some(Attribute::Status),
        _ if prefix_of("wait") => Some(Attribute::Wait),
        _ if prefix_of("scheduled") => Some(Attribute::Scheduled),
        _ if prefix_of("until") => Some(Attribute::Until),
        _ if prefix_of("depends") => Some(Attribute::Depends),
        _ => None,
    }
}

/// Taskwarrior's attributes this tool has no use for yet: written
/// `recur:weekly` they are refused, never kept as title or search words.
const UNSUPPORTED: &[&str] = &[
    "recur",
    "limit",
    "mask",
    "imask",
    "parent",
    "rtype",
    "template",
    "entry",
    "end",
    "modified",
    "start",
    "description",
    "tags",
    "annotations",
    "urgency",
    "id",
    "uuid",
];

/// Where words come from: a shell's arguments or a line typed into a box.
/// Error messages tell each how to say what it meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Arguments,
    TypedLine,
}

impl Source {
    /// How words are kept from being read as anything but text.
    fn keep_hint(self) -> &'static str {
        match self {
            Source::Arguments => "write `--` before words that should stay as they are",
            Source::TypedLine => "put quotes around words that should stay as they are",
        }
    }

    /// How a task's status is changed instead.
    fn status_hint(self) -> &'static str {
        match self {
            Source::Arguments => "use `task done` / `task reopen` for the status",
            Source::TypedLine => "mark the task done, or reopen it, for the status",
        }
    }
}

/// `recur:weekly` (and `recur.any:`, `rec:`): an error naming the
/// attribute, for any word whose key is one of [`UNSUPPORTED`].
fn refuse_unsupported(word: &str, source: Source) -> Result<(), FilterError> {
    let Some((key, _)) = word.split_once(':') else {
        return Ok(());
    };
    let name = key.split('.').next().unwrap_or(key).to_ascii_lowercase();
    let known = UNSUPPORTED.iter().find(|full| {
        **full == name || (name.len() >= 3 && full.len() > 3 && full.starts_with(name.as_str()))
    });
    match known {
        Some(full) => Err(error(format!(
            "{word:?}: Taskwarrior's {full} attribute is not supported yet ({})",
            source.keep_hint()
        ))),
        None => Ok(()),
    }
}

/// `pro:"my trip"` as a shell hands over `'pro:"my trip"'`: an attribute's
/// value quoted whole loses its quotes, as in Taskwarrior. Other words keep
/// theirs (`Re:"Budget"` is a title); a typed line's quotes are gone already.
fn unquoted_value(word: &str, source: Source) -> Option<String> {
    if source != Source::Arguments {
        return None;
    }
    let (key, value) = word.split_once(':')?;
    if attribute(key).is_none() && !key.starts_with("uda.") {
        return None;
    }
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = value.strip_prefix(quote)?.strip_suffix(quote)?;
    Some(format!("{key}:{inner}"))
}

/// A quote that opened a value or a tag's name and never closed
/// (`pro:"my trip`), before any `--`: named rather than kept as text.
fn refuse_unclosed(words: &[Word]) -> Result<(), FilterError> {
    let before_literal = words
        .iter()
        .take_while(|word| word.text != "--" || word.quote.is_some());
    match before_literal.into_iter().find(|word| word.unclosed) {
        Some(word) => Err(error(format!(
            "{:?}: its quote is not closed (close it before a space, or leave the quotes out)",
            word.text
        ))),
        None => Ok(()),
    }
}

/// `uda.size` with no colon: a user-defined attribute without its value,
/// not a title or search word.
fn refuse_bare_uda(word: &str, source: Source) -> Result<(), FilterError> {
    match word.strip_prefix("uda.") {
        Some(name) if !name.is_empty() && !word.contains(':') => Err(error(format!(
            "{word:?}: give the attribute's value, uda.{name}:VALUE, or uda.{name}: for none ({})",
            source.keep_hint()
        ))),
        _ => Ok(()),
    }
}

/// Taskwarrior's `or`, `and`, `xor` and parentheses used as operators
/// (`+home or +work`, `( +home )`, `(+home`): an error, never a search for
/// the word, which would find nothing and seem to say that nothing matched
/// the filter. As words of a phrase (`rock and roll`, `(draft)`, `f(x)`)
/// they are searched for.
fn refuse_operator(words: &[String], at: usize, source: Source) -> Result<(), FilterError> {
    let word = words[at].as_str();
    // A filter word, or task names, inside any parentheses.
    let operand = |word: &str| {
        let bare = word.trim_start_matches('(').trim_end_matches(')');
        is_filter_word(bare) || is_ref_list(bare)
    };
    let joins = matches!(word, "or" | "and" | "xor")
        && at > 0
        && words.get(at + 1).is_some_and(|next| operand(next))
        && operand(&words[at - 1]);
    let groups = matches!(word, "(" | ")")
        || (word.starts_with('(') || word.ends_with(')')) && operand(word);
    if joins || groups {
        return Err(error(format!(
            "{word:?}: Taskwarrior's or, and, xor and parentheses are not supported: a \
             filter's words all apply together; for tasks matching either of two, list \
             each ({})",
            source.keep_hint()
        )));
    }
    Ok(())
}

/// A word made only of digits, commas and dashes that names no task
/// (`1-`, `1,,2`, `5-3-1`): a mistyped list of task names, not a search.
/// A negative number (`-5`) stays a word.
fn refuse_broken_names(word: &str, source: Source) -> Result<(), FilterError> {
    let like_names = !word.starts_with('-')
        && word.bytes().any(|b| b.is_ascii_digit())
        && word
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'-');
    if like_names && !is_ref_list(word) {
        return Err(error(format!(
            "{word:?} does not name a task: use numbers, lists and ranges such as 3, 3,5 or \
             4-6 ({})",
            source.keep_hint()
        )));
    }
    Ok(())
}

/// Taskwarrior's `/text/`: a search for the text, when it is plain text;
/// `None` for any other word. A regular expression is refused: the search
/// would take it letter for letter.
fn pattern_text(word: &str) -> Result<Option<&str>, FilterError> {
    let Some(inner) = word
        .strip_prefix('/')
        .and_then(|w| w.strip_suffix('/'))
        .filter(|inner| !inner.is_empty())
    else {
        return Ok(None);
    };
    if inner.contains([
        '\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}',
    ]) {
        return Err(error(format!(
            "{word:?}: regular expressions are not supported: a word searches titles and \
             descriptions for itself, as /word/ does"
        )));
    }
    Ok(Some(inner))
}

/// `project.not:home`, `priority.above:L`: a modifier of Taskwarrior's on
/// a known attribute that this filter does not have is an error, never a
/// search for the word.
fn refuse_unknown_modifier(word: &str) -> Result<(), FilterError> {
    let Some((key, _)) = word.split_once(':') else {
        return Ok(());
    };
    let Some((name, modifier)) = key.split_once('.') else {
        return Ok(());
    };
    if attribute(name).is_none() {
        return Ok(());
    }
    Err(error(format!(
        "{word:?}: the .{modifier} modifier is not supported; a filter has due.before, \
         due.after, scheduled.before and scheduled.after (write `--` before words that \
         should stay as they are)"
    )))
}

/// Whether `word` is a filter word, not a free one: `+tag`, `-tag` or a
/// known `key:value` (`project:home`, `due.before:fri`). A command line that
/// starts with one lists with it, as Taskwarrior's does.
pub fn is_filter_word(word: &str) -> bool {
    split_tag(word).is_some() || split_attribute(word).is_some()
}

/// Taskwarrior's virtual tags (`+ACTIVE`, `-WAITING`, …): sets what `word`
/// asks of the query and says whether it was one.
fn virtual_tag<Tz: TimeZone>(
    query: &mut TaskQuery,
    has: bool,
    name: &str,
    clock: &Clock<Tz>,
) -> bool {
    let flag = match name {
        "ACTIVE" => &mut query.active,
        "BLOCKED" => &mut query.blocked,
        "UNBLOCKED" => {
            query.blocked = Some(!has);
            return true;
        }
        "BLOCKING" => &mut query.blocking,
        "WAITING" => &mut query.waiting,
        "READY" => &mut query.ready,
        "SCHEDULED" => &mut query.has_scheduled,
        "OVERDUE" if has => {
            query.status = Some(StatusFilter::Pending);
            query.due_before = Some(clock.now_utc());
            return true;
        }
        "TODAY" if has => {
            let second = Duration::seconds(1);
            if let Ok(today) = clock.parse("today") {
                query.due_after = Some(today.start - second);
                query.due_before = Some(today.end + second);
            }
            return true;
        }
        _ => return false,
    };
    *flag = Some(has);
    true
}

/// `key:value` with a known attribute name.
fn split_attribute(word: &str) -> Option<(Attribute, &str)> {
    let (key, value) = word.split_once(':')?;
    Some((attribute(key)?, value))
}

/// `+tag` / `-tag` with a valid tag name after the sign.
fn split_tag(word: &str) -> Option<(char, &str)> {
    let mut chars = word.chars();
    let sign = chars.next().filter(|c| *c == '+' || *c == '-')?;
    let name = chars.as_str();
    let first = name.chars().next()?;
    // `-5` is a number and `--x` a flag, not tags.
    if first.is_ascii_digit() || first == '-' || first == '+' {
        return None;
    }
    Some((sign, name))
}

/// The tags a form's Tags box lists (`home errands`, `+home, errands`),
/// each once. A `+` before a name is the CLI's habit and dropped; a `-`
/// before one is the CLI's way to remove it, which a list says by leaving
/// the tag out.
pub fn tag_list(text: &str) -> Result<Vec<String>, FilterError> {
    let mut tags = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || c == ',') {
        if let Some(name) = word.strip_prefix('-').filter(|name| !name.is_empty()) {
            return Err(error(format!(
                "{word}: to remove the tag {name}, leave it out of the list"
            )));
        }
        let name = word.trim_start_matches(['+', '-']);
        if name.is_empty() {
            continue;
        }
        // A virtual tag's name is the server's to judge: a task may have
        // one from before it was refused.
        let tag = check_tag(name)?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Ok(tags)
}

/// A tag to add: also refused when it is one of Taskwarrior's virtual tags.
fn tag_to_add(name: &str) -> Result<String, FilterError> {
    if let Some(problem) = tag_problem(name) {
        return Err(error(format!("+{name}: {problem}")));
    }
    check_tag(name)
}

fn check_tag(name: &str) -> Result<String, FilterError> {
    if name.chars().count() > 64 {
        return Err(error(format!("tag {name:?} is longer than 64 characters")));
    }
    if name.chars().any(char::is_whitespace) {
        return Err(error(format!("tag {name:?} contains whitespace")));
    }
    Ok(name.to_string())
}

fn parse_priority(value: &str) -> Result<Priority, FilterError> {
    Priority::parse(value).ok_or_else(|| {
        error(format!(
            "invalid priority {value:?}: use H, M or L (or high, medium, low)"
        ))
    })
}

fn parse_date<Tz: TimeZone>(
    clock: &Clock<Tz>,
    key: &str,
    value: &str,
) -> Result<crate::dates::DateSpec, FilterError> {
    clock.parse(value).map_err(|e| error(format!("{key}: {e}")))
}

/// Joins `due:in` `3` `days` (three shell words) back into one value.
fn take_date_value<'a, Tz: TimeZone>(
    value: &'a str,
    rest: &[String],
    clock: &Clock<Tz>,
) -> (std::borrow::Cow<'a, str>, usize) {
    if value.eq_ignore_ascii_case("in")
        && rest.len() >= 2
        && rest[0].bytes().all(|b| b.is_ascii_digit())
    {
        let joined = format!("in {} {}", rest[0], rest[1]);
        return (joined.into(), 2);
    }
    // `due:next week`, `due:next friday`, `wait:this sat`: the word after
    // belongs to the date when the two make one.
    if (value.eq_ignore_ascii_case("next") || value.eq_ignore_ascii_case("this"))
        && !rest.is_empty()
    {
        let joined = format!("{value} {}", rest[0]);
        if clock.parse(&joined).is_ok() {
            return (joined.into(), 1);
        }
    }
    (value.into(), 0)
}

/// Parses `--sort due,-priority` into the API's `ordering` list; Taskwarrior's
/// names (`entry`, `modified`, `description`) and `+field` are accepted too.
pub fn parse_sort(spec: &str) -> Result<Vec<OrderKey>, FilterError> {
    let mut ordering = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (descending, name) = match part.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, part.strip_prefix('+').unwrap_or(part)),
        };
        let name = name.to_ascii_lowercase();
        let field = match name.as_str() {
            "created" | "entry" => Some(OrderField::CreatedAt),
            "updated" | "modified" => Some(OrderField::UpdatedAt),
            "end" | "completed" => Some(OrderField::CompletedAt),
            "pri" | "prio" => Some(OrderField::Priority),
            "desc" | "description" => Some(OrderField::Title),
            other => OrderField::parse(other),
        };
        let Some(field) = field else {
            let names: Vec<&str> = OrderField::ALL.iter().map(|(n, _)| *n).collect();
            return Err(error(format!(
                "cannot sort by {name:?}: use {}",
                names.join(", ")
            )));
        };
        ordering.push(OrderKey { field, descending });
    }
    if ordering.is_empty() {
        return Err(error("--sort needs a field, e.g. --sort due,-priority"));
    }
    Ok(ordering)
}

/// A task filter: every part of it is a [`TaskQuery`] the server applies;
/// no client filters tasks itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskFilter {
    pub query: TaskQuery,
    /// The tasks the filter names (`task 3,5 list`), each once, in order;
    /// empty when it names none.
    pub names: Vec<TaskRef>,
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
                let tag = check_tag(name)?;
                match sign {
                    '+' => filter.query.tags.push(tag),
                    _ => filter.query.exclude_tags.push(tag),
                }
                continue;
            }
            let Some((attribute, value)) = split_attribute(word) else {
                refuse_unsupported(word, source)?;
                refuse_bare_uda(word, source)?;
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
                    let (value, used) = take_date_value(value, &words[i..], clock);
                    i += used;
                    let spec = parse_date(clock, "scheduled", &value)?;
                    match attribute {
                        Attribute::ScheduledBefore => {
                            filter.query.scheduled_before = Some(spec.start)
                        }
                        _ => filter.query.scheduled_after = Some(spec.end),
                    }
                }
                Attribute::Due | Attribute::DueBefore | Attribute::DueAfter => {
                    let (value, used) = take_date_value(value, &words[i..], clock);
                    i += used;
                    let spec = parse_date(clock, word.split(':').next().unwrap_or("due"), &value)?;
                    match attribute {
                        Attribute::DueBefore => filter.query.due_before = Some(spec.start),
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
        if !search.is_empty() {
            filter.query.search = Some(search.join(" "));
        }
        // Parsed together, so that their number is capped as a whole.
        if !name_words.is_empty() {
            filter.names = parse_refs(&name_words).map_err(FilterError)?;
        }
        Ok(filter)
    }

    /// The list queries that together find the filter's tasks: its query,
    /// or, when it names tasks, its query once for each of them (a number
    /// among the tasks it looks at, a uuid prefix among them too).
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

    /// The filter as one list query, for a view that shows one list (the
    /// TUI's): it may name one task at most.
    pub fn into_query(self) -> Result<TaskQuery, FilterError> {
        self.single_query().ok_or_else(|| {
            error("this filter names one task at most: name several with task 3,5 list")
        })
    }

    /// Sets the ordering from a `--sort` spec.
    pub fn sort_by(&mut self, spec: &str) -> Result<(), FilterError> {
        self.query.ordering = parse_sort(spec)?;
        Ok(())
    }
}

/// Why words make no new task: they have no title.
pub const NEEDS_TITLE: &str =
    "a task needs a title: words besides its +tags and attributes (Buy milk +errands)";

/// Whether [`Modifications::parse`] reads words for a new task or for a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModifyMode {
    /// `task add`: `-word` is a title word.
    Add,
    /// `task modify`: `-tag` removes a tag, empty values clear fields.
    Modify,
}

/// The changes `task add` / `task modify` words ask for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Modifications {
    /// Title words, in order.
    pub words: Vec<String>,
    /// `Some(None)` clears the field.
    pub project: Option<Option<String>>,
    pub priority: Option<Option<Priority>>,
    pub due: Option<Option<DateTime<Utc>>>,
    pub description: Option<String>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
    pub wait: Option<Option<DateTime<Utc>>>,
    pub scheduled: Option<Option<DateTime<Utc>>>,
    pub until: Option<Option<DateTime<Utc>>>,
    /// `depends:1,2` adds; `depends:-2` removes. Tasks as named (numbers,
    /// uuid prefixes): the caller looks up their ids ([`Resolved`]).
    pub add_depends: Vec<TaskRef>,
    /// `depends:` (no value) removes every dependency the task has; a
    /// `depends:3` after it in the same command adds 3 again.
    pub clear_depends: bool,
    pub remove_depends: Vec<TaskRef>,
    /// `uda.NAME:VALUE` sets (a number-looking value as a number);
    /// `uda.NAME:` removes (`None`).
    pub udas: BTreeMap<String, Option<UdaValue>>,
}

/// `uda.NAME:VALUE`: the name, and the value as the server keeps it
/// (`None` for an empty value).
fn split_uda(word: &str) -> Option<Result<(String, Option<UdaValue>), FilterError>> {
    let (key, value) = word.split_once(':')?;
    let name = key.strip_prefix("uda.")?;
    if !is_uda_name(name) {
        return Some(Err(error(format!("{key:?}: {UDA_NAME_RULE}"))));
    }
    let value = (!value.is_empty()).then(|| UdaValue::from_typed(value));
    Some(Ok((name.to_string(), value)))
}

/// The API ids of the tasks a modification names (`depends:3`), as the
/// caller looked them up.
pub type Resolved = BTreeMap<TaskRef, i64>;

/// `depends:` values: `1,2` adds, `-2` removes; a task is named by its
/// number or a uuid prefix.
fn parse_depends(value: &str) -> Result<(Vec<TaskRef>, Vec<TaskRef>), FilterError> {
    let mut add = Vec::new();
    let mut remove = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (list, name) = match part.strip_prefix('-') {
            Some(name) => (&mut remove, name),
            None => (&mut add, part),
        };
        let task = TaskRef::parse(name).ok_or_else(|| {
            error(format!(
                "depends: {part:?} does not name a task (a number, or 8 or more characters of a uuid)"
            ))
        })?;
        list.push(task);
    }
    Ok((add, remove))
}

impl Modifications {
    /// Parses modifier words (see the module docs).
    pub fn parse<Tz: TimeZone, S: AsRef<str>>(
        words: &[S],
        clock: &Clock<Tz>,
        mode: ModifyMode,
    ) -> Result<Modifications, FilterError> {
        let words = words.iter().map(|w| Word::plain(w.as_ref()));
        Modifications::parse_words(words, clock, mode, Source::Arguments)
    }

    /// [`Modifications::parse`] of a typed line (the web app's quick add,
    /// the TUI's title line): a word quoted whole is title text.
    pub fn parse_line<Tz: TimeZone>(
        line: &str,
        clock: &Clock<Tz>,
        mode: ModifyMode,
    ) -> Result<Modifications, FilterError> {
        Modifications::parse_words(typed_line::split(line), clock, mode, Source::TypedLine)
    }

    fn parse_words<Tz: TimeZone>(
        words: impl IntoIterator<Item = Word>,
        clock: &Clock<Tz>,
        mode: ModifyMode,
        source: Source,
    ) -> Result<Modifications, FilterError> {
        let words: Vec<Word> = words.into_iter().collect();
        refuse_unclosed(&words)?;
        let (words, typed): (Vec<String>, Vec<Option<String>>) = words
            .iter()
            .map(|w| (w.text.clone(), w.quote.map(|_| w.as_typed())))
            .unzip();
        let mut mods = Modifications::default();
        let mut literal = false;
        let mut i = 0;
        while i < words.len() {
            let word = &words[i];
            i += 1;
            if literal {
                mods.words.push(word.clone());
                continue;
            }
            if let Some(typed) = &typed[i - 1] {
                // Quotes that protect nothing are the title's (`about
                // "Dune"`); around words the grammar would read they only
                // protect them (`"project:x"`).
                let inner: Vec<&str> = word.split_whitespace().collect();
                let title = Modifications::parse(&inner, clock, mode)
                    .is_ok_and(|alone| alone.words == inner);
                mods.words
                    .push(if title { typed.clone() } else { word.clone() });
                continue;
            }
            if word == "--" {
                literal = true;
                continue;
            }
            let unquoted = unquoted_value(word, source);
            let word = unquoted.as_ref().unwrap_or(word);
            if let Some((sign, name)) = split_tag(word) {
                match (sign, mode) {
                    ('+', _) => {
                        let tag = tag_to_add(name)?;
                        mods.remove_tags.retain(|t| *t != tag);
                        if !mods.add_tags.contains(&tag) {
                            mods.add_tags.push(tag);
                        }
                    }
                    (_, ModifyMode::Modify) => {
                        let tag = check_tag(name)?;
                        mods.add_tags.retain(|t| *t != tag);
                        if !mods.remove_tags.contains(&tag) {
                            mods.remove_tags.push(tag);
                        }
                    }
                    (_, ModifyMode::Add) => mods.words.push(word.clone()),
                }
                continue;
            }
            if let Some(uda) = split_uda(word) {
                let (name, value) = uda?;
                // A name not free for a new value may still be removed: a
                // task may have it from before it was refused.
                if let Some(problem) = uda_name_problem(&name).filter(|_| value.is_some()) {
                    return Err(error(format!("\"uda.{name}\": {problem}")));
                }
                mods.udas.insert(name, value);
                continue;
            }
            let Some((attribute, value)) = split_attribute(word) else {
                refuse_unsupported(word, source)?;
                refuse_bare_uda(word, source)?;
                mods.words.push(word.clone());
                continue;
            };
            match attribute {
                Attribute::Wait | Attribute::Scheduled | Attribute::Until => {
                    let field = match attribute {
                        Attribute::Wait => &mut mods.wait,
                        Attribute::Scheduled => &mut mods.scheduled,
                        _ => &mut mods.until,
                    };
                    if value.is_empty() {
                        *field = Some(None);
                    } else {
                        let (value, used) = take_date_value(value, &words[i..], clock);
                        i += used;
                        let key = word.split(':').next().unwrap_or("date");
                        *field = Some(Some(parse_date(clock, key, &value)?.due()));
                    }
                }
                Attribute::Depends if value.trim().is_empty() => {
                    mods.clear_depends = true;
                    mods.add_depends.clear();
                    mods.remove_depends.clear();
                }
                Attribute::Depends => {
                    let (add, remove) = parse_depends(value)?;
                    mods.add_depends.retain(|id| !remove.contains(id));
                    mods.remove_depends.retain(|id| !add.contains(id));
                    mods.add_depends.extend(add);
                    mods.remove_depends.extend(remove);
                }
                Attribute::Project if value.trim().is_empty() => mods.project = Some(None),
                Attribute::Project => mods.project = Some(Some(value.trim().to_string())),
                Attribute::Priority if value.is_empty() => mods.priority = Some(None),
                Attribute::Priority => mods.priority = Some(Some(parse_priority(value)?)),
                Attribute::Due if value.is_empty() => mods.due = Some(None),
                Attribute::Due => {
                    let (value, used) = take_date_value(value, &words[i..], clock);
                    i += used;
                    mods.due = Some(Some(parse_date(clock, "due", &value)?.due()));
                }
                Attribute::Status
                | Attribute::DueBefore
                | Attribute::DueAfter
                | Attribute::ScheduledBefore
                | Attribute::ScheduledAfter => {
                    return Err(error(format!(
                        "{word:?} is a filter, not a modification ({})",
                        source.status_hint()
                    )))
                }
            }
        }
        Ok(mods)
    }

    /// The title the words make, if they make one that is not blank.
    pub fn title(&self) -> Option<String> {
        let title = self.words.join(" ");
        (!title.trim().is_empty()).then_some(title)
    }

    /// The tasks named in `depends:`, for the caller to look up.
    pub fn named_tasks(&self) -> impl Iterator<Item = &TaskRef> {
        self.add_depends.iter().chain(&self.remove_depends)
    }

    /// Whether the tags change.
    pub fn touches_tags(&self) -> bool {
        !self.add_tags.is_empty() || !self.remove_tags.is_empty()
    }

    /// Whether a list or map changes (tags, dependencies, attributes): then
    /// the task as it is now is needed for a patch.
    pub fn needs_current(&self) -> bool {
        self.touches_tags() || self.touches_depends() || !self.udas.is_empty()
    }

    /// Whether the dependencies change.
    fn touches_depends(&self) -> bool {
        self.clear_depends || !self.add_depends.is_empty() || !self.remove_depends.is_empty()
    }

    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.title().is_none()
            && self.project.is_none()
            && self.priority.is_none()
            && self.due.is_none()
            && self.description.is_none()
            && self.wait.is_none()
            && self.scheduled.is_none()
            && self.until.is_none()
            && !self.needs_current()
    }

    /// The body of `POST /api/tasks/`; fails without title words.
    /// `resolved` holds the ids of [`Modifications::named_tasks`].
    pub fn to_new_task(&self, resolved: &Resolved) -> Result<NewTask, FilterError> {
        let title = self.title().ok_or_else(|| error(NEEDS_TITLE))?;
        Ok(NewTask {
            title,
            description: self.description.clone(),
            status: None,
            priority: self.priority.flatten(),
            due: self.due.flatten(),
            project: self.project.clone().flatten(),
            tags: (!self.add_tags.is_empty()).then(|| self.add_tags.clone()),
            wait: self.wait.flatten(),
            scheduled: self.scheduled.flatten(),
            until: self.until.flatten(),
            depends: (!self.add_depends.is_empty())
                .then(|| ids(&self.add_depends, resolved).collect()),
            udas: (!self.udas.is_empty()).then(|| self.udas_over(&BTreeMap::new())),
            ..Default::default()
        })
    }

    /// `current` with this command's attributes set and removed.
    fn udas_over(&self, current: &BTreeMap<String, UdaValue>) -> BTreeMap<String, UdaValue> {
        let mut udas = current.clone();
        for (name, value) in &self.udas {
            match value {
                Some(value) => udas.insert(
                    name.clone(),
                    UdaValue::typed_over(current.get(name), &value.to_string()),
                ),
                None => udas.remove(name),
            };
        }
        udas
    }

    /// The body of `PATCH /api/tasks/{id}/`. `current` is the task as it is
    /// now; it matters only when [`Modifications::needs_current`].
    /// `resolved` holds the ids of [`Modifications::named_tasks`].
    pub fn to_patch(&self, current: &Task, resolved: &Resolved) -> TaskPatch {
        let depends = self.touches_depends().then(|| {
            let removed: Vec<i64> = ids(&self.remove_depends, resolved).collect();
            let kept: &[i64] = if self.clear_depends {
                &[]
            } else {
                &current.depends
            };
            let mut depends: Vec<i64> = kept
                .iter()
                .copied()
                .filter(|id| !removed.contains(id))
                .collect();
            for id in ids(&self.add_depends, resolved) {
                if !depends.contains(&id) {
                    depends.push(id);
                }
            }
            depends
        });
        let tags = self.touches_tags().then(|| {
            let mut tags: Vec<String> = current
                .tags
                .iter()
                .filter(|t| !self.remove_tags.contains(t))
                .cloned()
                .collect();
            for tag in &self.add_tags {
                if !tags.contains(tag) {
                    tags.push(tag.clone());
                }
            }
            tags
        });
        TaskPatch {
            title: self.title(),
            description: self.description.clone(),
            status: None,
            priority: self.priority,
            due: self.due,
            project: self.project.clone(),
            tags,
            wait: self.wait,
            scheduled: self.scheduled,
            until: self.until,
            depends,
            udas: (!self.udas.is_empty()).then(|| self.udas_over(&current.udas)),
            ..Default::default()
        }
    }
}

/// The ids of `tasks` that were looked up.
fn ids<'a>(tasks: &'a [TaskRef], resolved: &'a Resolved) -> impl Iterator<Item = i64> + 'a {
    tasks.iter().filter_map(|task| resolved.get(task).copied())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn clock() -> Clock<FixedOffset> {
        let tz = FixedOffset::east_opt(0).unwrap();
        Clock::at(tz.with_ymd_and_hms(2026, 3, 4, 10, 30, 0).unwrap())
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn taskwarriors_status_words_and_unknown_modifiers() {
        let status = |word: &str| TaskFilter::parse(&[word], &clock()).map(|f| f.query);
        assert_eq!(
            status("status:completed").unwrap().status,
            Some(StatusFilter::Done)
        );
        let waiting = status("status:waiting").unwrap();
        assert_eq!(waiting.status, Some(StatusFilter::Pending));
        assert_eq!(waiting.waiting, Some(true));
        assert!(status("status:deleted")
            .unwrap_err()
            .0
            .contains("task trash"));
        for word in [
            "project.not:home",
            "priority.above:L",
            "pro.is:x",
            "due.on:today",
        ] {
            let refused = status(word).unwrap_err();
            assert!(
                refused.0.contains("modifier is not supported"),
                "{word}: {refused}"
            );
        }
        // A word that only looks like one is still searched for.
        assert_eq!(
            status("foo.bar:baz").unwrap().search.as_deref(),
            Some("foo.bar:baz")
        );
        assert!(status("due.before:tomorrow").unwrap().due_before.is_some());
    }

    #[test]
    fn taskwarriors_operators_patterns_and_broken_names_are_refused_not_searched() {
        let parse = |words: &[&str]| TaskFilter::parse(words, &clock());
        for (words, said) in [
            (&["+errands", "or", "+outdoor"][..], "all apply together"),
            (&["+errands", "and", "pri:H"], "all apply together"),
            (&["(", "+errands", ")"], "all apply together"),
            (&["(+errands", "or", "3)"], "all apply together"),
            (&["/^fix/"], "regular expressions"),
            (&["/a.b/"], "regular expressions"),
            (&["1-"], "does not name a task"),
            (&["1,,2"], "does not name a task"),
            (&[",1"], "does not name a task"),
            (&["5-3-1"], "does not name a task"),
            (&["0-0"], "does not name a task"),
        ] {
            let err = parse(words).unwrap_err().to_string();
            assert!(err.contains(said), "{words:?}: {err}");
        }
        // Words of a phrase are searched for, as before.
        for words in [
            &["rock", "and", "roll"][..],
            &["salt", "or", "pepper"],
            &["(draft)"],
            &["f(x)"],
            &["+home", "or"],
        ] {
            let search = parse(words).unwrap().query.search;
            assert!(search.is_some(), "{words:?}");
        }
        // `/word/` is the search for the word; after `--` any word is one.
        assert_eq!(
            parse(&["/fence/"]).unwrap().query.search.as_deref(),
            Some("fence")
        );
        assert_eq!(
            parse(&["--", "or", "1-"]).unwrap().query.search.as_deref(),
            Some("or 1-")
        );
    }

    #[test]
    fn names_in_a_filter_are_tasks_and_udas_their_values() {
        let f = TaskFilter::parse(
            &["3,1", "4-5", "a1b2c3d4", "3", "uda.size:L", "+x"],
            &clock(),
        )
        .unwrap();
        assert_eq!(
            f.names,
            [
                TaskRef::Number(3),
                TaskRef::Number(1),
                TaskRef::Number(4),
                TaskRef::Number(5),
                TaskRef::Uuid("a1b2c3d4".into())
            ]
        );
        assert_eq!(f.query.udas, [("size".to_string(), "L".to_string())]);
        assert_eq!(f.query.search, None);
        assert_eq!(f.single_query(), None);
        let one = TaskFilter::parse(&["a1b2c3d4", "+x"], &clock()).unwrap();
        let query = one.single_query().unwrap();
        assert_eq!(query.uuid.as_deref(), Some("a1b2c3d4"));
        assert_eq!(query.tags, ["x"]);
        // Capped as a whole, however many words name them.
        assert!(TaskFilter::parse(&["1-6000", "6001-12000"], &clock()).is_err());
        // One view, one query: one name folds into it, two are refused.
        let one = TaskFilter::parse(&["7"], &clock()).unwrap().into_query();
        assert_eq!(one.unwrap().number, Some(7));
        assert!(TaskFilter::parse(&["7,8"], &clock())
            .unwrap()
            .into_query()
            .is_err());
        // After `--`, digits are searched for.
        let searched = TaskFilter::parse(&["--", "2027"], &clock()).unwrap();
        assert!(searched.names.is_empty());
        assert_eq!(searched.query.search.as_deref(), Some("2027"));
        assert!(TaskFilter::parse(&["uda.size:"], &clock()).is_err());
        assert!(TaskFilter::parse(&["uda.Size:L"], &clock()).is_err());
    }

    #[test]
    fn filter_words() {
        let f = TaskFilter::parse(
            &[
                "+work",
                "-later",
                "pro:home",
                "priority:H",
                "status:all",
                "buy",
                "due.before:tomorrow",
                "due.after:2026-03-01",
                "milk",
            ],
            &clock(),
        )
        .unwrap();
        assert_eq!(f.query.tags, ["work"]);
        assert_eq!(f.query.exclude_tags, ["later"]);
        assert_eq!(f.query.project.as_deref(), Some("home"));
        assert_eq!(f.query.priority, Some(Priority::High));
        assert_eq!(f.query.status, Some(StatusFilter::All));
        assert_eq!(f.query.search.as_deref(), Some("buy milk"));
        assert_eq!(f.query.due_before, Some(utc("2026-03-05T00:00:00Z")));
        assert_eq!(f.query.due_after, Some(utc("2026-03-01T23:59:59Z")));
    }

    #[test]
    fn due_on_a_day_and_multi_word_dates() {
        let f = TaskFilter::parse(&["due:in", "3", "days"], &clock()).unwrap();
        assert_eq!(f.query.due_after, Some(utc("2026-03-06T23:59:59Z")));
        assert_eq!(f.query.due_before, Some(utc("2026-03-08T00:00:00Z")));
        assert_eq!(f.query.search, None);
    }

    #[test]
    fn bad_filter_values_are_errors() {
        for bad in [
            &["priority:X"][..],
            &["status:open"],
            &["due.before:whenever"],
            &["+a b"],
        ] {
            assert!(TaskFilter::parse(bad, &clock()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn unknown_keys_and_numbers_are_words() {
        let f = TaskFilter::parse(&["http://x", "-5", "pr:x", "--", "+notatag"], &clock()).unwrap();
        assert_eq!(f.query.search.as_deref(), Some("http://x -5 pr:x +notatag"));
        assert!(f.query.tags.is_empty() && f.query.exclude_tags.is_empty());
    }

    #[test]
    fn taskwarriors_other_modifiers() {
        let words = [
            "x",
            "wait:2026-03-10",
            "sched:tomorrow",
            "until:",
            "dep:3,4",
            "depends:-5",
            "uda.estimate:3",
            "uda.ratio:1.5",
            "uda.size:L",
            "uda.gone:",
        ];
        let mods = Modifications::parse(&words, &clock(), ModifyMode::Modify).unwrap();
        assert_eq!(mods.wait, Some(Some(utc("2026-03-10T23:59:59Z"))));
        assert_eq!(mods.scheduled, Some(Some(utc("2026-03-05T23:59:59Z"))));
        assert_eq!(mods.until, Some(None));
        let current = Task {
            depends: vec![5, 6],
            udas: BTreeMap::from([
                ("gone".to_string(), UdaValue::Integer(1)),
                ("kept".to_string(), UdaValue::Text("k".into())),
            ]),
            ..Task::default()
        };
        // Numbers 3, 4 and 5 are the tasks with ids 13, 14 and 5.
        let resolved = Resolved::from([
            (TaskRef::Number(3), 13),
            (TaskRef::Number(4), 14),
            (TaskRef::Number(5), 5),
        ]);
        let patch = mods.to_patch(&current, &resolved);
        assert_eq!(patch.depends, Some(vec![6, 13, 14]));
        // `depends:` alone removes them all; a value after it adds again.
        for (words, depends) in [
            (&["depends:"][..], vec![]),
            (&["dep:", "dep:4"][..], vec![14]),
            (&["dep:3", "depends:"][..], vec![]),
        ] {
            let mods = Modifications::parse(words, &clock(), ModifyMode::Modify).unwrap();
            assert!(!mods.is_empty(), "{words:?}");
            assert_eq!(mods.to_patch(&current, &resolved).depends, Some(depends));
        }
        assert_eq!(
            patch.udas,
            Some(BTreeMap::from([
                ("estimate".to_string(), UdaValue::Integer(3)),
                ("kept".to_string(), UdaValue::Text("k".into())),
                ("ratio".to_string(), UdaValue::Number(1.5)),
                ("size".to_string(), UdaValue::Text("L".into())),
            ]))
        );
        for bad in ["uda.Size:L", "dep:x", "dep:0"] {
            assert!(
                Modifications::parse(&[bad], &clock(), ModifyMode::Modify).is_err(),
                "{bad}"
            );
        }
        assert!(TaskFilter::parse(&["wait:today"], &clock()).is_err());
    }

    #[test]
    fn exclusions_are_asked_of_the_server() {
        let f = TaskFilter::parse(&["-later", "project:"], &clock()).unwrap();
        assert_eq!(f.query.exclude_tags, ["later"]);
        assert_eq!(f.query.has_project, Some(false));
    }

    #[test]
    fn sort_specs() {
        let names = |spec: &str| -> Vec<String> {
            parse_sort(spec)
                .unwrap()
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        assert_eq!(names("due,-priority"), ["due", "-priority"]);
        assert_eq!(names("-created"), ["-created_at"]);
        assert!(parse_sort("colour").is_err());
        assert!(parse_sort(",").is_err());
    }

    #[test]
    fn add_words() {
        let mods = Modifications::parse(
            &[
                "Buy",
                "milk",
                "+errands",
                "due:tomorrow",
                "pri:H",
                "project:home.kitchen",
                "-x",
            ],
            &clock(),
            ModifyMode::Add,
        )
        .unwrap();
        let new = mods.to_new_task(&Resolved::new()).unwrap();
        assert_eq!(new.title, "Buy milk -x");
        assert_eq!(new.tags, Some(vec!["errands".to_string()]));
        assert_eq!(new.priority, Some(Priority::High));
        assert_eq!(new.project.as_deref(), Some("home.kitchen"));
        assert_eq!(new.due, Some(utc("2026-03-05T23:59:59Z")));
    }

    #[test]
    fn a_blank_title_is_no_title() {
        let c = clock();
        let mods = Modifications::parse(&["   "], &c, ModifyMode::Add).unwrap();
        assert!(mods.to_new_task(&Resolved::new()).is_err());
        let mods = Modifications::parse(&["   "], &c, ModifyMode::Modify).unwrap();
        assert!(mods.is_empty(), "nothing to change");
    }

    #[test]
    fn add_needs_a_title() {
        let mods = Modifications::parse(&["+x"], &clock(), ModifyMode::Add).unwrap();
        assert!(mods.to_new_task(&Resolved::new()).is_err());
    }

    #[test]
    fn modify_words_clear_and_remove() {
        let mods = Modifications::parse(
            &["due:", "pri:", "project:", "-old", "+new", "New", "title"],
            &clock(),
            ModifyMode::Modify,
        )
        .unwrap();
        let current = Task {
            tags: vec!["old".to_string(), "keep".to_string()],
            ..Task::default()
        };
        let patch = mods.to_patch(&current, &Resolved::new());
        assert_eq!(patch.due, Some(None));
        assert_eq!(patch.priority, Some(None));
        assert_eq!(patch.project, Some(None));
        assert_eq!(patch.title.as_deref(), Some("New title"));
        assert_eq!(
            patch.tags,
            Some(vec!["keep".to_string(), "new".to_string()])
        );
    }

    #[test]
    fn a_virtual_tag_is_not_added_but_may_be_removed_from_old_data() {
        for mode in [ModifyMode::Add, ModifyMode::Modify] {
            let refused = Modifications::parse(&["x", "+ACTIVE"], &clock(), mode).unwrap_err();
            assert!(refused.0.contains("virtual tags"), "{refused}");
        }
        let mods = Modifications::parse(&["-TODAY"], &clock(), ModifyMode::Modify).unwrap();
        assert_eq!(mods.remove_tags, ["TODAY"]);
    }

    #[test]
    fn a_typed_line_is_told_its_own_way_out() {
        let c = clock();
        let typed = Modifications::parse_line("x recur:weekly", &c, ModifyMode::Add).unwrap_err();
        assert!(typed.0.contains("put quotes around"), "{typed}");
        let argv = Modifications::parse(&["x", "recur:weekly"], &c, ModifyMode::Add).unwrap_err();
        assert!(argv.0.contains("write `--`"), "{argv}");
        let typed = Modifications::parse_line("status:done", &c, ModifyMode::Add).unwrap_err();
        assert!(typed.0.contains("mark the task done"), "{typed}");
        assert!(!typed.0.contains("task done`"), "{typed}");
        let typed = TaskFilter::parse_line("+a or +b", &c).unwrap_err();
        assert!(typed.0.contains("put quotes around"), "{typed}");
        // And quotes do keep them: searched for, taken as title words.
        let kept = TaskFilter::parse_line(r#"+a "or" +b"#, &c).unwrap();
        assert_eq!(kept.query.search.as_deref(), Some("or"));
        let kept = Modifications::parse_line(r#"x "recur:weekly""#, &c, ModifyMode::Add).unwrap();
        assert_eq!(kept.title().as_deref(), Some("x recur:weekly"));
    }

    #[test]
    fn a_tags_box_lists_tags() {
        assert_eq!(
            tag_list("+home, errands  home,+x ,").unwrap(),
            ["home", "errands", "x"]
        );
        assert!(tag_list("").unwrap().is_empty());
        assert!(tag_list("+ -").unwrap().is_empty());
        let refused = tag_list("a -home").unwrap_err();
        assert!(refused.0.contains("leave it out"), "{refused}");
        assert_eq!(tag_list("TODAY").unwrap(), ["TODAY"]);
        assert!(tag_list(&"x".repeat(65)).is_err());
    }

    #[test]
    fn an_attribute_s_value_quoted_inside_an_argument_loses_its_quotes() {
        let c = clock();
        let mods = Modifications::parse(
            &[
                r#"pro:"my trip""#,
                "due:'tomorrow'",
                r#"Re:"Budget""#,
                r#"uda.x:"a b""#,
            ],
            &c,
            ModifyMode::Add,
        )
        .unwrap();
        assert_eq!(mods.project, Some(Some("my trip".into())));
        assert!(matches!(mods.due, Some(Some(_))));
        assert_eq!(mods.title().as_deref(), Some(r#"Re:"Budget""#));
        assert_eq!(mods.udas["x"], Some(UdaValue::Text("a b".into())));
        // After `--`, every word as it came.
        let mods = Modifications::parse(&["--", r#"pro:"x""#], &c, ModifyMode::Add).unwrap();
        assert_eq!(mods.title().as_deref(), Some(r#"pro:"x""#));
        let filter = TaskFilter::parse(&["pro:'my trip'"], &c).unwrap();
        assert_eq!(filter.query.project.as_deref(), Some("my trip"));
    }

    #[test]
    fn a_quote_left_open_in_a_typed_line_is_named() {
        let c = clock();
        let open =
            Modifications::parse_line(r#"Trip pro:"my trip"#, &c, ModifyMode::Add).unwrap_err();
        assert!(open.0.contains("quote is not closed"), "{open}");
        assert!(TaskFilter::parse_line(r#"+"a"#, &c).is_err());
        // An apostrophe is no quote, and after `--` all is text.
        for line in ["'tis the season", r#"x -- pro:"open"#] {
            assert!(
                Modifications::parse_line(line, &c, ModifyMode::Add).is_ok(),
                "{line}"
            );
        }
    }

    #[test]
    fn a_uda_without_its_colon_is_refused_not_a_title() {
        let refused =
            Modifications::parse(&["uda.size"], &clock(), ModifyMode::Modify).unwrap_err();
        assert!(refused.0.contains("uda.size:VALUE"), "{refused}");
        assert!(TaskFilter::parse(&["uda.size"], &clock()).is_err());
        // After `--`, or quoted in a typed line, it is a word like any other.
        let mods = Modifications::parse(&["--", "uda.size"], &clock(), ModifyMode::Add).unwrap();
        assert_eq!(mods.title().as_deref(), Some("uda.size"));
        let mods = Modifications::parse_line(r#"x "uda.size""#, &clock(), ModifyMode::Add).unwrap();
        assert_eq!(mods.title().as_deref(), Some("x uda.size"));
    }

    #[test]
    fn status_is_not_a_modification() {
        assert!(Modifications::parse(&["status:done"], &clock(), ModifyMode::Modify).is_err());
    }

    #[test]
    fn a_word_quoted_whole_is_text() {
        let c = clock();
        let mods = Modifications::parse_line(
            r#"Don't forget "project:x" project:home "+y" +z due:"in 3 days""#,
            &c,
            ModifyMode::Add,
        )
        .unwrap();
        assert_eq!(mods.title().as_deref(), Some("Don't forget project:x +y"));
        assert_eq!(mods.project, Some(Some("home".into())));
        assert_eq!(mods.add_tags, ["z"]);
        assert!(matches!(mods.due, Some(Some(_))));
        let filter = TaskFilter::parse_line(r#""pro:x" +a"#, &c).unwrap();
        assert_eq!(filter.query.search.as_deref(), Some("pro:x"));
        assert_eq!(filter.query.tags, ["a"]);
        assert_eq!(filter.query.project, None);
        // Quotes around words the grammar leaves alone are the title's.
        let mods =
            Modifications::parse_line(r#"Read "Dune" 'a b' "c +d""#, &c, ModifyMode::Add).unwrap();
        assert_eq!(mods.title().as_deref(), Some(r#"Read "Dune" 'a b' c +d"#));
    }
}
