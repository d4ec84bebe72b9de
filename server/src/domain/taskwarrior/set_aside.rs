//! What of a Taskwarrior task's project and tags a task here cannot hold:
//! a project past its length or with an empty sub-project, a tag past its
//! length, with a space, or named as one of Taskwarrior's virtual tags, and
//! tags past the most a task has. Taskwarrior allows them; refusing the
//! whole file over one would leave a user unable to move at all, so they
//! are kept in the task's description instead, each said in the summary.

use common::list_query::tag_problem;
use serde_json::Value;

use crate::task_input::{
    project_problem, tag_shape_problem, MAX_DESCRIPTION, MAX_PROJECT, MAX_TAG, MAX_TAGS,
};

/// The lines set aside for one task's description, and what to say of them.
#[derive(Debug, Default)]
pub(super) struct SetAside {
    lines: Vec<String>,
    pub notes: Vec<String>,
}

impl SetAside {
    /// The project if a task can hold it; else `None`, the project set aside.
    /// Anything but a string is left to the field's own checks.
    pub(super) fn project(&mut self, value: Value) -> Option<Value> {
        let Value::String(project) = &value else {
            return Some(value);
        };
        if project_problem(project).is_none() {
            return Some(value);
        }
        self.notes.push(format!(
            "project kept in the task's description: a project here has at most {MAX_PROJECT} \
             characters and no empty sub-project"
        ));
        self.lines.push(format!("Project: {project}"));
        None
    }

    /// The tags a task can hold, the first so many of them; the others set
    /// aside. Anything but a list of strings is left to the field's checks.
    pub(super) fn tags(&mut self, value: Value) -> Value {
        let Value::Array(items) = value else {
            return value;
        };
        if items.iter().any(|item| !item.is_string()) {
            return Value::Array(items);
        }
        let mut kept: Vec<String> = Vec::new();
        let mut unfit = Vec::new();
        let mut beyond = Vec::new();
        for tag in items.into_iter().filter_map(|item| match item {
            // An empty tag holds nothing to keep.
            Value::String(tag) if !tag.is_empty() => Some(tag),
            _ => None,
        }) {
            if kept.contains(&tag) || unfit.contains(&tag) || beyond.contains(&tag) {
                continue;
            }
            if !fits(&tag) {
                unfit.push(tag);
            } else if kept.len() < MAX_TAGS {
                kept.push(tag);
            } else {
                beyond.push(tag);
            }
        }
        if !unfit.is_empty() {
            self.notes.push(format!(
                "{} tag(s) kept in the task's description: a tag here has 1 to {MAX_TAG} \
                 characters, no space, and is none of Taskwarrior's virtual tags",
                unfit.len()
            ));
        }
        if !beyond.is_empty() {
            self.notes.push(format!(
                "{} tag(s) past the first {MAX_TAGS} kept in the task's description: a task here \
                 has at most {MAX_TAGS}",
                beyond.len()
            ));
        }
        unfit.append(&mut beyond);
        if !unfit.is_empty() {
            self.lines.push(format!("Tags: {}", unfit.join(", ")));
        }
        Value::Array(kept.into_iter().map(Value::String).collect())
    }

    /// `description` with what was set aside after it, on lines of its own;
    /// or, when the description has no room for them, the description as it
    /// came and the lines as the text of a note; and what to say of them.
    pub(super) fn into_description(
        mut self,
        description: Option<Value>,
    ) -> (Option<Value>, Option<String>, Vec<String>) {
        if self.lines.is_empty() {
            return (description, None, self.notes);
        }
        let aside = self.lines.join("\n");
        let joined = match &description {
            None | Some(Value::Null) => Some(aside.clone()),
            Some(Value::String(text)) if text.is_empty() => Some(aside.clone()),
            Some(Value::String(text)) => Some(format!("{text}\n\n{aside}")),
            // Not text: the description's own checks say so.
            Some(_) => None,
        };
        match joined {
            Some(joined) if joined.chars().count() <= MAX_DESCRIPTION => {
                (Some(Value::String(joined)), None, self.notes)
            }
            _ => {
                self.notes
                    .push("the description had no room for them: they are kept in a note".into());
                (description, Some(aside), self.notes)
            }
        }
    }
}

/// Whether a task here can hold `tag` (a NUL is left to the field's checks,
/// which refuse it anywhere).
fn fits(tag: &str) -> bool {
    tag.contains('\0') || (tag_shape_problem(tag).is_none() && tag_problem(tag).is_none())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn what_a_task_cannot_hold_goes_to_its_description() {
        let mut aside = SetAside::default();
        assert_eq!(
            aside.project(json!("home.garden")),
            Some(json!("home.garden"))
        );
        assert_eq!(aside.project(json!("p".repeat(101))), None);
        assert_eq!(aside.project(json!("home..garden")), None);
        let long = "t".repeat(65);
        let mut tags: Vec<String> = (0..40).map(|n| format!("t{n}")).collect();
        tags.insert(3, long.clone());
        tags.insert(5, "two words".into());
        tags.insert(7, "ACTIVE".into());
        tags.insert(9, "t1".into());
        let kept = aside.tags(json!(tags));
        let kept: Vec<&str> = kept
            .as_array()
            .unwrap()
            .iter()
            .map(|tag| tag.as_str().unwrap())
            .collect();
        assert_eq!(kept.len(), MAX_TAGS);
        assert_eq!(kept[..3], ["t0", "t1", "t2"]);
        let (description, note, notes) = aside.into_description(Some(json!("Why it matters")));
        assert_eq!(notes.len(), 4, "{notes:?}");
        assert_eq!(note, None);
        let description = description.unwrap();
        let description = description.as_str().unwrap();
        assert!(
            description.starts_with(&format!(
                "Why it matters\n\nProject: {}\nProject: home..garden\nTags: {long}, two words, ACTIVE, t32,",
                "p".repeat(101)
            )),
            "{description}"
        );
        assert!(description.ends_with(", t39"), "{description}");
        // Nothing set aside: the description as it came.
        assert_eq!(SetAside::default().into_description(None).0, None);
        // No room left in the description: a note holds them. An empty tag
        // holds nothing; one named twice is kept once.
        let mut aside = SetAside::default();
        aside.tags(json!(["", "two words", "two words", "fine"]));
        let full = "d".repeat(MAX_DESCRIPTION - 5);
        let (description, note, notes) = aside.into_description(Some(json!(full)));
        assert_eq!(description, Some(json!(full)));
        assert_eq!(note.as_deref(), Some("Tags: two words"));
        assert_eq!(notes.len(), 2, "{notes:?}");
    }
}
