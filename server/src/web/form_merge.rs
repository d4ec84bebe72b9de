//! What a task page's save keeps of changes made elsewhere since the page
//! was shown: only the fields the user changed are saved, over the task as
//! it is by then; tags are taken one by one and attributes name by name;
//! a field changed both ways, differently, is named for the user to choose.

use std::collections::{BTreeMap, BTreeSet};

use common::filter::tag_list;

use super::{
    field_label,
    task_form::{sent_as, shown_depends, TaskForm, FIELDS},
};

/// The fields the user changed: those that differ from what the page
/// showed, or, for a form that does not say (a script's), all of them.
pub(super) fn touched(
    typed: &TaskForm,
    was: Option<&BTreeMap<String, String>>,
) -> Vec<&'static str> {
    FIELDS
        .into_iter()
        .filter(|field| {
            was.is_none_or(|was| {
                was.get(*field).map(|before| sent_as(before)) != Some(sent_as(typed.field(field)))
            })
        })
        .collect()
}

/// What the user typed (the `touched` fields), over the task as it is now:
/// a field left as the page showed it takes the task's value now, so that a
/// save never undoes what another client changed meanwhile. A field changed
/// both here and there is a conflict, named with the value it has now.
pub(super) fn merged(
    typed: &TaskForm,
    touched: &[&str],
    was: &BTreeMap<String, String>,
    now: &TaskForm,
) -> (TaskForm, Vec<String>) {
    let mut merged = TaskForm {
        csrf: typed.csrf.clone(),
        back: typed.back.clone(),
        ..TaskForm::default()
    };
    let mut conflicts = Vec::new();
    let now_was = serde_json::from_str::<BTreeMap<String, String>>(&now.was).ok();
    let ids = |shown: BTreeMap<String, i64>| shown.into_values().collect::<BTreeSet<i64>>();
    // Renamed meanwhile (a task done loses its number) is not changed.
    let depends_changed = ids(shown_depends(Some(was))) != ids(shown_depends(now_was.as_ref()));
    for field in FIELDS {
        let theirs = sent_as(now.field(field));
        // Tags one by one, attributes name by name: what changed only there
        // stays, and only what changed both ways, differently, is named.
        let by_item = match field {
            "tags" if touched.contains(&field) => {
                merged_tags(typed.field(field), was.get(field), &theirs)
            }
            "udas" if touched.contains(&field) => {
                merged_attributes(typed.field(field), was.get(field), &theirs)
            }
            _ => None,
        };
        if let Some((value, clashes)) = by_item {
            conflicts.extend(clashes.into_iter().map(|(name, theirs)| {
                let there = match theirs {
                    Some(theirs) => format!("changed elsewhere to “{theirs}”"),
                    None => "taken away elsewhere".to_string(),
                };
                format!(
                    "{}: {name} {there} since you opened this page. Yours is below; save again \
                     to keep it.",
                    field_label(field)
                )
            }));
            *merged.field_mut(field) = value;
            continue;
        }
        let value = if touched.contains(&field) {
            let mine = sent_as(typed.field(field));
            let before = was.get(field).map(|w| sent_as(w));
            let changed = if field == "depends" {
                depends_changed
            } else {
                before.is_some_and(|before| theirs != before)
            };
            if changed && theirs != mine {
                conflicts.push(format!(
                    "{}: changed elsewhere to “{}” since you opened this page. Yours is below; save again to keep it.",
                    field_label(field),
                    theirs
                ));
            }
            mine
        } else {
            theirs
        };
        *merged.field_mut(field) = value;
    }
    (merged, conflicts)
}

/// A box merged item by item: its text, and the items changed both ways,
/// differently, each with its value there (`None`: taken away there).
type Merged = (String, Vec<(String, Option<String>)>);

/// The Tags box: tags added here and taken away here, over the task's tags
/// now; `None` when a box does not read (the field is then taken whole).
fn merged_tags(mine: &str, was: Option<&String>, theirs: &str) -> Option<Merged> {
    let (mine, was, theirs) = (
        tag_list(mine).ok()?,
        tag_list(was?).ok()?,
        tag_list(theirs).ok()?,
    );
    let mut tags: Vec<String> = theirs
        .into_iter()
        .filter(|tag| mine.contains(tag) || !was.contains(tag))
        .collect();
    for tag in mine {
        if !was.contains(&tag) && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Some((tags.join(" "), Vec::new()))
}

/// The "Other attributes" box, name by name: a line changed here over the
/// task's attributes now, and the names changed both here and there,
/// differently, with their value there. `None` when a box does not read.
fn merged_attributes(mine: &str, was: Option<&String>, theirs: &str) -> Option<Merged> {
    fn lines(text: &str) -> Option<BTreeMap<String, String>> {
        let mut map = BTreeMap::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (name, value) = line.split_once([':', '='])?;
            if map
                .insert(name.trim().to_string(), value.trim().to_string())
                .is_some()
            {
                return None;
            }
        }
        Some(map)
    }
    let (mine, was, theirs) = (lines(mine)?, lines(was?)?, lines(theirs)?);
    let mut merged = theirs.clone();
    let mut clashes = Vec::new();
    let names: BTreeSet<&String> = mine.keys().chain(was.keys()).collect();
    for name in names {
        let (before, here, there) = (was.get(name), mine.get(name), theirs.get(name));
        if before == here {
            continue;
        }
        if before != there && here != there {
            clashes.push((name.clone(), there.cloned()));
        }
        match here {
            Some(value) => merged.insert(name.clone(), value.clone()),
            None => merged.remove(name),
        };
    }
    let text: Vec<String> = merged
        .iter()
        .map(|(name, value)| format!("{name}: {value}"))
        .collect();
    Some((text.join("\n"), clashes))
}
