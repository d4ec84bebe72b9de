//! What a modification does to a title: the words that replace, follow
//! or precede it, and Taskwarrior's `/from/to/` substitutions over it.

use crate::api::Task;

use super::modify::{Modifications, TitleWords};

/// `/from/to/` replaces the first `from` in the title with `to`;
/// `/from/to/g` replaces every one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substitution {
    pub from: String,
    pub to: String,
    pub every: bool,
}

impl Substitution {
    /// `/from/to/` or `/from/to/g`, `from` not empty; no other word.
    pub(super) fn parse(word: &str) -> Option<Substitution> {
        let (body, every) = match word.strip_suffix("/g") {
            Some(body) => (body, true),
            None => (word.strip_suffix('/')?, false),
        };
        let (from, to) = body.strip_prefix('/')?.split_once('/')?;
        if from.is_empty() || to.contains('/') {
            return None;
        }
        Some(Substitution {
            from: from.to_string(),
            to: to.to_string(),
            every,
        })
    }

    /// `//to/` or `//to/g`: a substitution's shape with nothing to find,
    /// which Taskwarrior reads as putting `to` before the title.
    pub(super) fn finds_nothing(word: &str) -> bool {
        let body = word.strip_suffix("/g").or_else(|| word.strip_suffix('/'));
        body.and_then(|body| body.strip_prefix("//"))
            .is_some_and(|to| !to.contains('/'))
    }

    pub(super) fn apply(&self, text: &str) -> String {
        if self.every {
            text.replace(&self.from, &self.to)
        } else {
            text.replacen(&self.from, &self.to, 1)
        }
    }
}

impl Modifications {
    /// The title the words make of `current`'s (replacing, appended,
    /// prepended), before any substitution; `None` without title words.
    pub(super) fn worded_title(&self, current: &Task) -> Option<String> {
        self.title().map(|words| match self.title_words {
            TitleWords::Replace => words,
            TitleWords::Append => format!("{} {words}", current.title),
            TitleWords::Prepend => format!("{words} {}", current.title),
        })
    }

    /// The texts of the substitutions that find nothing in the title they
    /// go over for `current`, each in its turn: they change nothing there.
    pub fn not_found(&self, current: &Task) -> Vec<&str> {
        let mut text = self
            .worded_title(current)
            .unwrap_or_else(|| current.title.clone());
        let mut missing = Vec::new();
        for substitution in &self.substitutions {
            if text.contains(&substitution.from) {
                text = substitution.apply(&text);
            } else {
                missing.push(substitution.from.as_str());
            }
        }
        missing
    }
}
