//! What each filter or modifier word means, for filters and modifiers
//! alike: attributes and their short names, tags, dates, priorities, sort
//! keys, and the words refused with a reason.

use chrono::{Duration, TimeZone};

use crate::api::{Priority, StatusFilter, TaskQuery, UdaValue};
use crate::dates::Clock;
use crate::list_query::{is_uda_name, tag_problem, OrderField, OrderKey, UDA_NAME_RULE};
use crate::task_ref::is_ref_list;
use crate::typed_line::Word;

/// A filter or modifier word that cannot be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError(pub String);

impl std::fmt::Display for FilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FilterError {}

pub(super) fn error(message: impl Into<String>) -> FilterError {
    FilterError(message.into())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Attribute {
    Project,
    Priority,
    Status,
    Due,
    DueBefore,
    /// Due on or before: Taskwarrior's `.by`.
    DueBy,
    DueAfter,
    Wait,
    Scheduled,
    Until,
    Depends,
    ScheduledBefore,
    ScheduledAfter,
}

/// `pro`, `proj`, … `project`: a prefix of at least three letters.
pub(super) fn attribute(key: &str) -> Option<Attribute> {
    let key = key.to_ascii_lowercase();
    let prefix_of = |full: &str| key.len() >= 3 && full.starts_with(key.as_str());
    match key.as_str() {
        "due" => Some(Attribute::Due),
        "due.before" | "due.below" | "due.under" => Some(Attribute::DueBefore),
        "due.by" => Some(Attribute::DueBy),
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
pub(super) const UNSUPPORTED: &[&str] = &[
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
pub(super) enum Source {
    Arguments,
    TypedLine,
}

impl Source {
    /// How words are kept from being read as anything but text.
    pub(super) fn keep_hint(self) -> &'static str {
        match self {
            Source::Arguments => "write `--` before words that should stay as they are",
            Source::TypedLine => "put quotes around words that should stay as they are",
        }
    }

    /// How a task is started instead.
    pub(super) fn start_hint(self) -> &'static str {
        match self {
            Source::Arguments => "use `task ID start`",
            Source::TypedLine => "start it once it is added",
        }
    }

    /// How a task's status is changed instead.
    pub(super) fn status_hint(self) -> &'static str {
        match self {
            Source::Arguments => "use `task done` / `task reopen` for the status",
            Source::TypedLine => "mark the task done, or reopen it, for the status",
        }
    }
}

/// `recur:weekly` (and `recur.any:`, `rec:`): an error naming the
/// attribute, for any word whose key is one of [`UNSUPPORTED`].
pub(super) fn refuse_unsupported(word: &str, source: Source) -> Result<(), FilterError> {
    let Some((key, _)) = word.split_once(':') else {
        return Ok(());
    };
    let name = key.split('.').next().unwrap_or(key).to_ascii_lowercase();
    let known = UNSUPPORTED.iter().find(|full| {
        **full == name || (name.len() >= 3 && full.len() > 3 && full.starts_with(name.as_str()))
    });
    match known {
        // Written whole, `limit:` shapes a report (see `TaskFilter::limit`).
        Some(&"limit") => Err(error(format!(
            "{word:?}: limit:N, written whole, says how many tasks a report shows \
             (task list limit:10); it changes no task"
        ))),
        Some(full) => Err(error(format!(
            "{word:?}: Taskwarrior's {full} attribute is not supported yet ({})",
            source.keep_hint()
        ))),
        None => Ok(()),
    }
}

/// `rc.name=value` (or `rc.name:value`): Taskwarrior's setting, which only
/// the CLI's arguments take, refused rather than kept as text. The CLI
/// reads its own before any word gets here.
pub(super) fn refuse_setting(word: &str, source: Source) -> Result<(), FilterError> {
    let setting = word
        .get(..3)
        .is_some_and(|start| start.eq_ignore_ascii_case("rc."))
        && word.contains(['=', ':']);
    if !setting {
        return Ok(());
    }
    Err(error(format!(
        "{word:?}: Taskwarrior's rc. settings are not read here ({})",
        source.keep_hint()
    )))
}

/// `start:now` among a task's modifiers: a task is started by its own
/// command, not given a start time.
pub(super) fn refuse_start(word: &str, source: Source) -> Result<(), FilterError> {
    let Some((key, _)) = word.split_once(':') else {
        return Ok(());
    };
    let key = key.split('.').next().unwrap_or(key).to_ascii_lowercase();
    if key.len() >= 3 && "start".starts_with(key.as_str()) {
        return Err(error(format!(
            "{word:?}: a task is started, not given a start ({})",
            source.start_hint()
        )));
    }
    Ok(())
}

/// `pro:"my trip"` as a shell hands over `'pro:"my trip"'`: an attribute's
/// value quoted whole loses its quotes, as in Taskwarrior. Other words keep
/// theirs (`Re:"Budget"` is a title); a typed line's quotes are gone already.
pub(super) fn unquoted_value(word: &str, source: Source) -> Option<String> {
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
pub(super) fn refuse_unclosed(words: &[Word]) -> Result<(), FilterError> {
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
pub(super) fn refuse_bare_uda(word: &str, source: Source) -> Result<(), FilterError> {
    match word.strip_prefix("uda.") {
        Some(name) if !name.is_empty() && !word.contains(':') => Err(error(format!(
            "{word:?}: give the attribute's value, uda.{name}:VALUE, or uda.{name}: for none ({})",
            source.keep_hint()
        ))),
        _ => Ok(()),
    }
}

/// `size:5`: a name and a value, which Taskwarrior takes as its attribute
/// when its rc defines one of that name. Ours need no definition and are
/// written `uda.size:5`; read as title words, it would replace the title
/// with `size:5`, and as search words find nothing. A word that only looks
/// so stays a word: an address's `https://…` or `bob@x`, a time's `10:30`,
/// a path's `std::fs` or `c:\x`, a phrase quoted whole (`"re: invoice"`),
/// a name of two letters (`re:`).
pub(super) fn refuse_attribute_like(word: &str, source: Source) -> Result<(), FilterError> {
    let Some((name, value)) = word.split_once(':') else {
        return Ok(());
    };
    let is_name = name.len() >= 3
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    let is_value = !value.is_empty()
        && !value.starts_with(['/', ':'])
        && !value.contains(|c: char| c.is_whitespace() || c == '@' || c == '\\');
    if !is_name || !is_value {
        return Ok(());
    }
    Err(error(format!(
        "{word:?}: {name} is no attribute of the grammar's; an attribute of your own is \
         uda.{name}:{value} ({})",
        source.keep_hint()
    )))
}

/// Taskwarrior's `or`, `and`, `xor` and parentheses used as operators
/// (`+home or +work`, `( +home )`, `(+home`): an error, never a search for
/// the word, which would find nothing and seem to say that nothing matched
/// the filter. As words of a phrase (`rock and roll`, `(draft)`, `f(x)`)
/// they are searched for.
pub(super) fn refuse_operator(
    words: &[String],
    at: usize,
    source: Source,
) -> Result<(), FilterError> {
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
pub(super) fn refuse_broken_names(word: &str, source: Source) -> Result<(), FilterError> {
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
pub(super) fn pattern_text(word: &str) -> Result<Option<&str>, FilterError> {
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
pub(super) fn refuse_unknown_modifier(word: &str) -> Result<(), FilterError> {
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
         due.by, due.after, scheduled.before and scheduled.after (write `--` before words that \
         should stay as they are)"
    )))
}

/// Taskwarrior's algebraic filters (`description~milk`, `project=home`,
/// `due<eow`): refused, never searched for, which would find nothing.
pub(super) fn refuse_algebra(word: &str) -> Result<(), FilterError> {
    let Some(at) = word.find(['~', '=', '<', '>']) else {
        return Ok(());
    };
    let name = word[..at].strip_suffix('!').unwrap_or(&word[..at]);
    // Whole names only: `pro>con` and `dep=prod` are words.
    let known = [
        "project",
        "priority",
        "status",
        "due",
        "wait",
        "scheduled",
        "until",
        "depends",
        "tags",
        "desc",
    ]
    .contains(&name)
        || UNSUPPORTED.contains(&name)
        || name
            .strip_prefix("uda.")
            .is_some_and(|rest| !rest.is_empty());
    if !known || at + 1 >= word.len() {
        return Ok(());
    }
    Err(error(format!(
        "{word:?}: Taskwarrior's algebraic filters (~, =, <, >) are not supported; write \
         the words to look for as they are (task list milk) or name:value \
         (project:home, due.before:eow, uda.size:L)"
    )))
}

/// Whether `word` is a filter word, not a free one: `+tag`, `-tag` or a
/// known `key:value` (`project:home`, `due.before:fri`). A command line that
/// starts with one lists with it, as Taskwarrior's does.
pub fn is_filter_word(word: &str) -> bool {
    split_tag(word).is_some() || split_attribute(word).is_some() || word.starts_with("limit:")
}

/// Taskwarrior's virtual tags (`+ACTIVE`, `-WAITING`, …): sets what `word`
/// asks of the query and says whether it was one.
pub(super) fn virtual_tag<Tz: TimeZone>(
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
        "PENDING" if has => {
            query.status = Some(StatusFilter::Pending);
            return true;
        }
        "COMPLETED" if has => {
            query.status = Some(StatusFilter::Done);
            return true;
        }
        "TODAY" | "DUETODAY" | "TOMORROW" | "YESTERDAY" if has => {
            let day = match name {
                "TOMORROW" => "tomorrow",
                "YESTERDAY" => "yesterday",
                _ => "today",
            };
            let second = Duration::seconds(1);
            if let Ok(day) = clock.parse(day) {
                query.due_after = Some(day.start - second);
                query.due_before = Some(day.end + second);
            }
            return true;
        }
        _ => return false,
    };
    *flag = Some(has);
    true
}

/// `key:value` with a known attribute name.
pub(super) fn split_attribute(word: &str) -> Option<(Attribute, &str)> {
    let (key, value) = word.split_once(':')?;
    Some((attribute(key)?, value))
}

/// `+tag` / `-tag` with a valid tag name after the sign.
pub(super) fn split_tag(word: &str) -> Option<(char, &str)> {
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
pub(super) fn tag_to_add(name: &str) -> Result<String, FilterError> {
    if let Some(problem) = tag_problem(name) {
        return Err(error(format!("+{name}: {problem}")));
    }
    check_tag(name)
}

pub(super) fn check_tag(name: &str) -> Result<String, FilterError> {
    if name.chars().count() > 64 {
        return Err(error(format!("tag {name:?} is longer than 64 characters")));
    }
    if name.chars().any(char::is_whitespace) {
        return Err(error(format!("tag {name:?} contains whitespace")));
    }
    Ok(name.to_string())
}

pub(super) fn parse_priority(value: &str) -> Result<Priority, FilterError> {
    Priority::parse(value).ok_or_else(|| {
        error(format!(
            "invalid priority {value:?}: use H, M or L (or high, medium, low)"
        ))
    })
}

pub(super) fn parse_date<Tz: TimeZone>(
    clock: &Clock<Tz>,
    key: &str,
    value: &str,
) -> Result<crate::dates::DateSpec, FilterError> {
    clock.parse(value).map_err(|e| error(format!("{key}: {e}")))
}

/// Joins `due:in` `3` `days` (three shell words) back into one value, and
/// a time of day after it; `quoted` says which of `rest` were quoted, and
/// a quoted word never joins.
pub(super) fn take_date_value<'a, Tz: TimeZone>(
    value: &'a str,
    rest: &[String],
    quoted: &[bool],
    clock: &Clock<Tz>,
) -> (std::borrow::Cow<'a, str>, usize) {
    let plain: Vec<&str> = rest
        .iter()
        .zip(quoted.iter().chain(std::iter::repeat(&false)))
        .take_while(|(_, quoted)| !**quoted)
        .map(|(word, _)| word.as_str())
        .collect();
    let mut joined = value.to_string();
    let mut used = 0;
    if value.eq_ignore_ascii_case("in")
        && plain.len() >= 2
        && plain[0].bytes().all(|b| b.is_ascii_digit())
    {
        joined = format!("in {} {}", plain[0], plain[1]);
        used = 2;
    } else if (value.eq_ignore_ascii_case("next") || value.eq_ignore_ascii_case("this"))
        && !plain.is_empty()
    {
        // `due:next week`, `due:next friday`, `wait:this sat`: the word
        // after belongs to the date when the two make one.
        let two = format!("{value} {}", plain[0]);
        if clock.parse(&two).is_ok() {
            joined = two;
            used = 1;
        }
    }
    // `due:2026-12-24 17:00`, `due:next fri 9:30`: a time of day after a
    // day is that day's, as the web app's date boxes read it, rather than a
    // title word; one that is no time (`25:00`) makes the date fail, said.
    if let Some(time) = plain
        .get(used)
        .filter(|word| crate::dates::looks_like_time(word))
    {
        joined = format!("{joined} {time}");
        used += 1;
    }
    if used == 0 {
        (value.into(), 0)
    } else {
        (joined.into(), used)
    }
}

/// Parses `--sort due,-priority` into the API's `ordering` list; Taskwarrior's
/// names (`entry`, `modified`, `description`) and `+field` are accepted too.
pub fn parse_sort(spec: &str) -> Result<Vec<OrderKey>, FilterError> {
    let mut ordering = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        // `-due` or Taskwarrior's `due-`; `+due` and `due+` ascending.
        let (descending, name) = match (part.strip_prefix('-'), part.strip_suffix('-')) {
            (Some(name), _) | (None, Some(name)) => (true, name),
            (None, None) => (
                false,
                part.strip_prefix('+')
                    .or_else(|| part.strip_suffix('+'))
                    .unwrap_or(part),
            ),
        };
        let name = name.to_ascii_lowercase();
        let field = match name.as_str() {
            // The ID a task is shown by, as in Taskwarrior.
            "id" => Some(OrderField::Number),
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

/// `uda.NAME:VALUE`: the name, and the value as the server keeps it
/// (`None` for an empty value).
pub(super) fn split_uda(word: &str) -> Option<Result<(String, Option<UdaValue>), FilterError>> {
    let (key, value) = word.split_once(':')?;
    let name = key.strip_prefix("uda.")?;
    // `uda.size.above:3`, as Taskwarrior's `size.above:3`.
    if let Some((base, modifier)) = name.split_once('.').filter(|(base, _)| is_uda_name(base)) {
        return Some(Err(error(format!(
            "{key:?}: an attribute is found by its value alone (uda.{base}:VALUE); \
             .{modifier} is not taken"
        ))));
    }
    if !is_uda_name(name) {
        return Some(Err(error(format!("{key:?}: {UDA_NAME_RULE}"))));
    }
    let value = (!value.is_empty()).then(|| UdaValue::from_typed(value));
    Some(Ok((name.to_string(), value)))
}
