//! A change made against one version of a task, carried over the version
//! another client's changes made meanwhile: what an edit does when its
//! save is refused for being out of date, rather than ask or give up when
//! the two touched different things.

use std::collections::BTreeMap;

use crate::api::{Task, TaskPatch, UdaValue};

/// `patch`, made against `was`, over `now`; refused, naming them, when
/// fields it sets were changed there too, differently. Attributes are taken
/// name by name, so that one changed only there is kept; notes another
/// client took away or added meanwhile are not taken away or added again.
pub fn rebased(patch: &TaskPatch, was: &Task, now: &Task) -> Result<TaskPatch, Clash> {
    // Set here, changed there, and not to the same value.
    fn clash<T: PartialEq>(mine: Option<&T>, was: &T, now: &T) -> bool {
        mine.is_some_and(|mine| was != now && mine != now)
    }
    let fields = [
        ("title", clash(patch.title.as_ref(), &was.title, &now.title)),
        (
            "description",
            clash(
                patch.description.as_ref(),
                &was.description,
                &now.description,
            ),
        ),
        (
            "status",
            clash(patch.status.as_ref(), &was.status, &now.status),
        ),
        (
            "priority",
            clash(patch.priority.as_ref(), &was.priority, &now.priority),
        ),
        ("due", clash(patch.due.as_ref(), &was.due, &now.due)),
        (
            "project",
            clash(patch.project.as_ref(), &was.project, &now.project),
        ),
        ("tags", clash(patch.tags.as_ref(), &was.tags, &now.tags)),
        ("start", clash(patch.start.as_ref(), &was.start, &now.start)),
        ("wait", clash(patch.wait.as_ref(), &was.wait, &now.wait)),
        (
            "scheduled",
            clash(patch.scheduled.as_ref(), &was.scheduled, &now.scheduled),
        ),
        ("until", clash(patch.until.as_ref(), &was.until, &now.until)),
        (
            "depends",
            clash(patch.depends.as_ref(), &was.depends, &now.depends),
        ),
    ];
    let mut names: Vec<String> = fields
        .into_iter()
        .filter(|(_, clash)| *clash)
        .map(|(name, _)| name.to_string())
        .collect();
    if let Some(mine) = &patch.udas {
        names.extend(
            udas_changed_both_ways(mine, &was.udas, &now.udas)
                .into_iter()
                .map(|name| format!("uda.{name}")),
        );
    }
    if !names.is_empty() {
        return Err(Clash { names });
    }
    let mut rebased = patch.clone();
    if let Some(mine) = &patch.udas {
        rebased.udas = Some(udas(mine, &was.udas, &now.udas));
    }
    let has = |task: &Task, text: &str| task.annotations.iter().any(|note| note.text == text);
    rebased.annotate = patch.annotate.as_ref().and_then(|texts| {
        let texts: Vec<String> = texts
            .iter()
            .filter(|text| has(was, text) || !has(now, text))
            .cloned()
            .collect();
        (!texts.is_empty()).then_some(texts)
    });
    rebased.denotate = patch.denotate.as_ref().and_then(|ids| {
        let ids: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| now.annotations.iter().any(|note| note.id == *id))
            .collect();
        (!ids.is_empty()).then_some(ids)
    });
    Ok(rebased)
}

/// Fields a change sets that were changed elsewhere too, differently, as
/// a filter names them (`due`, `uda.size`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    pub names: Vec<String>,
}

impl std::fmt::Display for Clash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.names.join(", "))
    }
}

/// `base` with what changed from `was` to `mine` applied, name by name.
pub fn udas(
    mine: &BTreeMap<String, UdaValue>,
    was: &BTreeMap<String, UdaValue>,
    base: &BTreeMap<String, UdaValue>,
) -> BTreeMap<String, UdaValue> {
    let mut merged = base.clone();
    for name in mine.keys().chain(was.keys()) {
        match (was.get(name), mine.get(name)) {
            (before, now) if before == now => {}
            (_, Some(value)) => {
                merged.insert(name.clone(), value.clone());
            }
            (_, None) => {
                merged.remove(name);
            }
        }
    }
    merged
}

/// The attributes changed both from `was` to `mine` and from `was` to
/// `theirs`, differently.
pub fn udas_changed_both_ways<'a>(
    mine: &'a BTreeMap<String, UdaValue>,
    was: &'a BTreeMap<String, UdaValue>,
    theirs: &'a BTreeMap<String, UdaValue>,
) -> Vec<&'a str> {
    let mut names: Vec<&String> = mine.keys().chain(was.keys()).chain(theirs.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|name| {
            let (before, here, there) = (was.get(*name), mine.get(*name), theirs.get(*name));
            here != before && there != before && here != there
        })
        .map(String::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Priority;

    fn clashes(rebased: Result<TaskPatch, Clash>) -> Vec<String> {
        rebased.err().map(|clash| clash.names).unwrap_or_default()
    }

    fn task(edit: impl FnOnce(&mut Task)) -> Task {
        let mut task = Task {
            title: "Fix the bike".into(),
            udas: [("size".to_string(), UdaValue::Integer(3))].into(),
            ..Task::default()
        };
        edit(&mut task);
        task
    }

    #[test]
    fn a_change_to_other_fields_is_carried_over_and_one_to_the_same_is_not() {
        let was = task(|_| {});
        let now = task(|t| {
            t.priority = Some(Priority::High);
            t.udas.insert("ratio".into(), UdaValue::Number(0.5));
        });
        let patch = TaskPatch {
            title: Some("Fix the bike today".into()),
            udas: Some(
                [
                    ("size".to_string(), UdaValue::Integer(4)),
                    ("color".to_string(), UdaValue::Text("red".into())),
                ]
                .into(),
            ),
            ..TaskPatch::default()
        };
        let carried = rebased(&patch, &was, &now).unwrap();
        assert_eq!(carried.title, patch.title);
        assert_eq!(
            carried.udas,
            Some(
                [
                    ("size".to_string(), UdaValue::Integer(4)),
                    ("color".to_string(), UdaValue::Text("red".into())),
                    ("ratio".to_string(), UdaValue::Number(0.5)),
                ]
                .into()
            )
        );
        // The same field changed there: not carried over.
        let retitled = task(|t| t.title = "Sell the bike".into());
        assert_eq!(clashes(rebased(&patch, &was, &retitled)), ["title"]);
        // Changed there to what this sets: no clash.
        let same = task(|t| t.title = "Fix the bike today".into());
        assert!(rebased(&patch, &was, &same).is_ok());
        // The same attribute changed there, differently.
        let resized = task(|t| {
            t.udas.insert("size".into(), UdaValue::Integer(5));
        });
        assert_eq!(clashes(rebased(&patch, &was, &resized)), ["uda.size"]);
        // Taken away there while changed here: asked, not lost.
        let size_gone = task(|t| {
            t.udas.remove("size");
        });
        assert_eq!(clashes(rebased(&patch, &was, &size_gone)), ["uda.size"]);
        // A priority cleared here, set there: a clash; a patch without
        // attributes keeps the server's.
        let cleared = TaskPatch {
            priority: Some(None),
            ..TaskPatch::default()
        };
        assert_eq!(clashes(rebased(&cleared, &was, &now)), ["priority"]);
        let titled = TaskPatch {
            title: Some("Oil the chain".into()),
            ..TaskPatch::default()
        };
        assert_eq!(rebased(&titled, &was, &now).map(|p| p.udas), Ok(None));
    }
}
