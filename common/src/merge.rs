//! A change made against one version of a task, carried over the version
//! another client's changes made meanwhile: what an edit does when its
//! save is refused for being out of date, rather than ask or give up when
//! the two touched different things.

use std::collections::BTreeMap;

use crate::api::{Task, TaskPatch, UdaValue};

/// `patch`, made against `was`, over `now`: `None` when a field it sets was
/// changed there too, differently. Attributes are taken name by name, so
/// that one changed only there is kept; notes another client took away or
/// added meanwhile are not taken away or added again.
pub fn rebased(patch: &TaskPatch, was: &Task, now: &Task) -> Option<TaskPatch> {
    // Set here, changed there, and not to the same value.
    fn clash<T: PartialEq>(mine: Option<&T>, was: &T, now: &T) -> bool {
        mine.is_some_and(|mine| was != now && mine != now)
    }
    let clashes = [
        clash(patch.title.as_ref(), &was.title, &now.title),
        clash(
            patch.description.as_ref(),
            &was.description,
            &now.description,
        ),
        clash(patch.status.as_ref(), &was.status, &now.status),
        clash(patch.priority.as_ref(), &was.priority, &now.priority),
        clash(patch.due.as_ref(), &was.due, &now.due),
        clash(patch.project.as_ref(), &was.project, &now.project),
        clash(patch.tags.as_ref(), &was.tags, &now.tags),
        clash(patch.start.as_ref(), &was.start, &now.start),
        clash(patch.wait.as_ref(), &was.wait, &now.wait),
        clash(patch.scheduled.as_ref(), &was.scheduled, &now.scheduled),
        clash(patch.until.as_ref(), &was.until, &now.until),
        clash(patch.depends.as_ref(), &was.depends, &now.depends),
    ];
    if clashes.into_iter().any(|clash| clash) {
        return None;
    }
    let mut rebased = patch.clone();
    if let Some(mine) = &patch.udas {
        if udas_clash(mine, &was.udas, &now.udas) {
            return None;
        }
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
    Some(rebased)
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

fn udas_clash(
    mine: &BTreeMap<String, UdaValue>,
    was: &BTreeMap<String, UdaValue>,
    theirs: &BTreeMap<String, UdaValue>,
) -> bool {
    !udas_changed_both_ways(mine, was, theirs).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Priority;

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
        assert_eq!(rebased(&patch, &was, &retitled), None);
        // Changed there to what this sets: no clash.
        let same = task(|t| t.title = "Fix the bike today".into());
        assert!(rebased(&patch, &was, &same).is_some());
        // The same attribute changed there, differently.
        let resized = task(|t| {
            t.udas.insert("size".into(), UdaValue::Integer(5));
        });
        assert_eq!(rebased(&patch, &was, &resized), None);
        // Taken away there while changed here: asked, not lost.
        let size_gone = task(|t| {
            t.udas.remove("size");
        });
        assert_eq!(rebased(&patch, &was, &size_gone), None);
        // A priority cleared here, set there: a clash; a patch without
        // attributes keeps the server's.
        let cleared = TaskPatch {
            priority: Some(None),
            ..TaskPatch::default()
        };
        assert_eq!(rebased(&cleared, &was, &now), None);
        let titled = TaskPatch {
            title: Some("Oil the chain".into()),
            ..TaskPatch::default()
        };
        assert_eq!(rebased(&titled, &was, &now).and_then(|p| p.udas), None);
    }
}
