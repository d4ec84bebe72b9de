//! Every key of the TUI, fed through `App::update`: the state it leaves and
//! the API call it asks for.

use std::collections::BTreeMap;

use common::api::{Priority, Status, StatusFilter, TaskPatch, UdaValue};
use ratatui::crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::*;
use crate::app::Overlay;
use crate::form::Field;
use crate::msg::Change;
use crate::query::{Scope, SortKey};
use common::task_ref::TaskRef;

fn selected_id(app: &App) -> Option<i64> {
    app.selected_task().map(|t| t.id)
}

fn names(ordering: &[common::list_query::OrderKey]) -> Vec<String> {
    ordering.iter().map(ToString::to_string).collect()
}

fn only_load(commands: &[Command]) -> &common::api::TaskQuery {
    match commands {
        [Command::LoadTasks { query, .. }] => query,
        other => panic!("expected one load, got {other:?}"),
    }
}

#[test]
fn j_k_and_arrows_move_the_selection() {
    let mut app = app_with(fixtures::sample());
    assert_eq!(selected_id(&app), Some(1));
    assert!(press(&mut app, KeyCode::Char('j')).is_empty());
    assert_eq!(selected_id(&app), Some(2));
    press(&mut app, KeyCode::Down);
    assert_eq!(selected_id(&app), Some(3));
    press(&mut app, KeyCode::Char('k'));
    assert_eq!(selected_id(&app), Some(2));
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Up);
    assert_eq!(selected_id(&app), Some(1), "stops at the top");
}

#[test]
fn g_and_shift_g_jump_to_the_ends() {
    let mut app = app_with(fixtures::sample());
    // Terminals send `G` with Shift held.
    app.update(key_with(KeyModifiers::SHIFT, KeyCode::Char('G')));
    assert_eq!(selected_id(&app), Some(5));
    press(&mut app, KeyCode::Char('g'));
    assert_eq!(selected_id(&app), Some(1));
    press(&mut app, KeyCode::End);
    assert_eq!(selected_id(&app), Some(5));
    press(&mut app, KeyCode::Home);
    assert_eq!(selected_id(&app), Some(1));
}

#[test]
fn page_down_and_up_move_by_a_screenful() {
    let mut app = app_with(fixtures::many(100));
    let page = app.page_rows();
    assert_eq!(page, 19, "24 rows less status bar, border and header");
    press(&mut app, KeyCode::PageDown);
    assert_eq!(app.selected, page);
    assert!(
        app.offset > 0 && app.selected < app.offset + page,
        "selection in view"
    );
    press(&mut app, KeyCode::PageDown);
    press(&mut app, KeyCode::PageUp);
    assert_eq!(app.selected, page);
    press(&mut app, KeyCode::PageUp);
    press(&mut app, KeyCode::PageUp);
    assert_eq!((app.selected, app.offset), (0, 0));
}

#[test]
fn a_opens_the_form_and_enter_creates_the_task() {
    let mut app = app_with(fixtures::sample());
    assert!(press(&mut app, KeyCode::Char('a')).is_empty());
    assert!(matches!(&app.overlay, Overlay::Form(f) if !f.is_edit()));
    type_text(&mut app, "Call mum");
    press(&mut app, KeyCode::Tab); // description
    type_text(&mut app, "about Sunday");
    press(&mut app, KeyCode::Tab); // project
    type_text(&mut app, "family");
    press(&mut app, KeyCode::Tab); // priority
    type_text(&mut app, "h");
    press(&mut app, KeyCode::Tab); // due
    type_text(&mut app, "2026-03-12");
    press(&mut app, KeyCode::Tab); // scheduled
    type_text(&mut app, "2026-03-10");
    press(&mut app, KeyCode::Tab); // wait
    press(&mut app, KeyCode::Tab); // until
    type_text(&mut app, "2026-03-20 18:00");
    press(&mut app, KeyCode::Tab); // tags
    type_text(&mut app, "+phone weekend");
    press(&mut app, KeyCode::Tab); // attributes
    type_text(&mut app, "minutes:20 zip:02139 topic:\"the garden\"");
    let commands = press(&mut app, KeyCode::Enter);
    let [Command::CreateTask { task: new, .. }] = commands.as_slice() else {
        panic!("expected a create, got {commands:?}");
    };
    assert_eq!(new.title, "Call mum");
    assert_eq!(new.description.as_deref(), Some("about Sunday"));
    assert_eq!(new.project.as_deref(), Some("family"));
    assert_eq!(new.priority, Some(Priority::High));
    assert_eq!(
        new.due.map(|d| d.to_rfc3339()),
        Some("2026-03-12T23:59:59+00:00".to_string()),
        "a day is due at its end, as with `task add due:`"
    );
    assert_eq!(
        new.tags.as_deref(),
        Some(&["phone".to_string(), "weekend".to_string()][..])
    );
    assert_eq!(
        new.scheduled.map(|d| d.to_rfc3339()),
        Some("2026-03-10T00:00:00+00:00".to_string()),
        "a day is scheduled from its start, as with `task add sched:`"
    );
    assert_eq!(new.wait, None);
    assert_eq!(
        new.until.map(|d| d.to_rfc3339()),
        Some("2026-03-20T18:00:00+00:00".to_string())
    );
    let udas = new.udas.clone().unwrap_or_default();
    assert_eq!(udas.get("minutes"), Some(&UdaValue::Integer(20)));
    // Text that only looks like a number keeps every character.
    assert_eq!(udas.get("zip"), Some(&UdaValue::Text("02139".into())));
    assert_eq!(
        udas.get("topic"),
        Some(&UdaValue::Text("the garden".into()))
    );

    // The form waits for the server, then closes and the new task is selected.
    let mut created = fixtures::task(6, "Call mum");
    created.project = Some("family".into());
    let after = app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Form,
        created: true,
        verb: "Created",
        shown_as: None,
        result: Ok(created),
    })));
    assert_eq!(app.overlay, Overlay::None);
    assert_eq!(selected_id(&app), Some(6));
    assert!(matches!(after.as_slice(), [Command::LoadTasks { .. }]));
    assert_eq!(
        app.message.as_ref().map(|m| m.text.as_str()),
        Some("Created task 6.")
    );

    // Saved past its until date: said, or it would vanish at the next sweep.
    let mut expiring = fixtures::task(7, "Old offer");
    expiring.until = Some(app.now - chrono::Duration::hours(1));
    app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Form,
        created: false,
        verb: "Modified",
        shown_as: None,
        result: Ok(expiring),
    })));
    assert_eq!(
        app.message.as_ref().map(|m| m.text.as_str()),
        Some(format!("Modified task 7. {}", common::display::EXPIRING).as_str())
    );
}

#[test]
fn the_form_checks_fields_before_sending() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('a'));
    for _ in 0..4 {
        press(&mut app, KeyCode::Tab);
    }
    type_text(&mut app, "someday maybe");
    assert!(press(&mut app, KeyCode::Enter).is_empty(), "nothing sent");
    let Overlay::Form(form) = &app.overlay else {
        panic!("form closed");
    };
    assert_eq!(
        form.errors.get(&Field::Title).map(String::as_str),
        Some("required")
    );
    assert!(form
        .errors
        .get(&Field::Due)
        .is_some_and(|e| e.contains("invalid date")));
    assert!(!form.saving);
}

#[test]
fn the_server_s_field_errors_show_beside_the_fields() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "ok");
    assert_eq!(press(&mut app, KeyCode::Enter).len(), 1);
    let problem = common::api::Problem {
        kind: "about:blank".into(),
        title: "Bad Request".into(),
        status: 400,
        detail: "validation failed".into(),
        errors: Some([("tags".to_string(), vec!["too many".to_string()])].into()),
        code: None,
    };
    app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Form,
        created: true,
        verb: "Created",
        shown_as: None,
        result: Err(crate::msg::Failure::Problem(problem)),
    })));
    let Overlay::Form(form) = &app.overlay else {
        panic!("the form must stay open: nothing typed is lost");
    };
    assert_eq!(
        form.errors.get(&Field::Tags).map(String::as_str),
        Some("too many")
    );
    assert_eq!(form.focus, Field::Tags);
    assert_eq!(form.title.value(), "ok");
}

#[test]
fn e_edits_and_sends_only_what_changed() {
    let mut app = app_with(fixtures::sample());
    assert!(press(&mut app, KeyCode::Char('e')).is_empty());
    let Overlay::Form(form) = &app.overlay else {
        panic!("no form");
    };
    assert_eq!(form.title.value(), "Water the roses");
    assert_eq!(form.project.value(), "home.garden");
    assert_eq!(form.due.value(), "2026-03-12 12:00");
    assert_eq!(form.tags.value(), "outside");
    type_text(&mut app, " twice");
    press(&mut app, KeyCode::Down); // description
    press(&mut app, KeyCode::Down); // project
    press(&mut app, KeyCode::Down); // priority
    press(&mut app, KeyCode::Right);
    let commands = press(&mut app, KeyCode::Enter);
    assert_eq!(
        commands,
        vec![Command::UpdateTask {
            id: 1,
            version: Some(1),
            patch: TaskPatch {
                title: Some("Water the roses twice".into()),
                priority: Some(Some(Priority::High)),
                ..TaskPatch::default()
            },
            shown_as: "1".into(),
        }]
    );
}

#[test]
fn e_edits_the_dates_and_attributes_and_sends_only_what_changed() {
    let mut task = fixtures::task(1, "Plan the trip");
    task.wait = Some(at("2026-03-01T23:59:59Z"));
    task.until = Some(at("2026-04-01T23:59:59Z"));
    // Values a field of words cannot all show so that they read back the
    // same; each is kept exactly unless its own word is retyped.
    let kept: BTreeMap<String, UdaValue> = [
        ("cost", UdaValue::Number(2.5)),
        ("where", UdaValue::Text("the coast".into())),
        // Kept from before the name was reserved.
        ("entry", UdaValue::Text("old".into())),
        ("zip", UdaValue::Text("02139".into())),
        ("price", UdaValue::Text("2.50".into())),
        ("weight", UdaValue::Number(2.0)),
        ("empty", UdaValue::Text(String::new())),
        ("subject", UdaValue::Text("Re:\"Budget\"".into())),
        ("height", UdaValue::Text("5' 10\"".into())),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value))
    .collect();
    task.udas = kept.clone();
    let mut app = app_with(vec![task]);
    press(&mut app, KeyCode::Char('e'));
    let Overlay::Form(form) = &app.overlay else {
        panic!("no form");
    };
    assert_eq!(form.wait.value(), "2026-03-01");
    assert_eq!(form.scheduled.value(), "");
    assert_eq!(form.until.value(), "2026-04-01");
    let shown = form.attributes.value().to_string();
    assert!(shown.contains("where:\"the coast\""), "{shown}");

    // Saved as shown: nothing to send.
    assert!(press(&mut app, KeyCode::Enter).is_empty());

    // One word added, one date retyped: only those change.
    press(&mut app, KeyCode::Char('e'));
    focus(&mut app, Field::Until);
    clear_field(&mut app);
    type_text(&mut app, "2026-04-15");
    focus(&mut app, Field::Attributes);
    press(&mut app, KeyCode::End);
    type_text(&mut app, " uda.nights:3");
    let commands = press(&mut app, KeyCode::Enter);
    let [Command::UpdateTask { patch, .. }] = commands.as_slice() else {
        panic!("expected an update, got {commands:?}");
    };
    let mut expected = kept.clone();
    expected.insert("nights".into(), UdaValue::Integer(3));
    assert_eq!(
        patch,
        &TaskPatch {
            until: Some(Some(at("2026-04-15T23:59:59Z"))),
            udas: Some(expected),
            ..TaskPatch::default()
        }
    );

    // Retyped: where taken away (no value), zip as a number now, the rest kept.
    let Overlay::Form(form) = &mut app.overlay else {
        panic!("no form");
    };
    form.saving = false;
    let retyped = shown
        .replace("where:\"the coast\"", "where:")
        .replace("zip:02139", "zip:2139");
    form.attributes = crate::input::Input::new(retyped);
    let commands = press(&mut app, KeyCode::Enter);
    let [Command::UpdateTask { patch, .. }] = commands.as_slice() else {
        panic!("expected an update, got {commands:?}");
    };
    let mut expected = kept;
    expected.remove("where");
    expected.insert("zip".into(), UdaValue::Integer(2139));
    assert_eq!(patch.udas, Some(expected));
}

#[test]
fn the_attributes_field_names_what_it_cannot_take() {
    for (typed, expected) in [
        ("size", "size is not name:value"),
        ("size:3 size:4", "size is given twice"),
        ("due:3", "Taskwarrior's own attributes"),
        ("Size:3", "lower-case"),
        ("note:\"never closed", "its quote is not closed"),
    ] {
        let mut app = app_with(fixtures::sample());
        press(&mut app, KeyCode::Char('a'));
        type_text(&mut app, "A task");
        focus(&mut app, Field::Attributes);
        type_text(&mut app, typed);
        assert!(press(&mut app, KeyCode::Enter).is_empty(), "{typed}: sent");
        let Overlay::Form(form) = &app.overlay else {
            panic!("form closed");
        };
        let error = form
            .errors
            .get(&Field::Attributes)
            .cloned()
            .unwrap_or_default();
        assert!(error.contains(expected), "{typed}: {error}");
    }
    // The title line's attribute and the field's, differently: asked.
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "A task uda.size:3 wait:2026-05-01");
    focus(&mut app, Field::Wait);
    type_text(&mut app, "2026-05-02");
    focus(&mut app, Field::Attributes);
    type_text(&mut app, "size:4");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let Overlay::Form(form) = &app.overlay else {
        panic!("form closed");
    };
    assert!(form
        .errors
        .get(&Field::Attributes)
        .is_some_and(|e| e.starts_with("size: ") && e.contains("title line")));
    assert!(form
        .errors
        .get(&Field::Wait)
        .is_some_and(|e| e.contains("title line")));
}

/// Moves the form's focus to `field`.
fn focus(app: &mut App, field: Field) {
    for _ in 0..Field::ALL.len() {
        if matches!(&app.overlay, Overlay::Form(form) if form.focus == field) {
            return;
        }
        press(app, KeyCode::Tab);
    }
    panic!("no field {field:?}");
}

/// Empties the focused field.
fn clear_field(app: &mut App) {
    press(app, KeyCode::End);
    for _ in 0..200 {
        press(app, KeyCode::Backspace);
    }
}

#[test]
fn e_then_enter_without_changes_sends_nothing() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('e'));
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn esc_closes_the_form_without_saving() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "never mind");
    // What was typed is not dropped at the first Esc: it asks.
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    let Overlay::Form(form) = &app.overlay else {
        panic!("one Esc must not drop what was typed");
    };
    assert!(form.confirm_discard);
    let screen = screen(&app, 80, 24);
    assert!(
        screen.contains("Unsaved changes: Esc again drops them"),
        "{screen}"
    );
    // Any other key goes back to the form and asks again next time.
    type_text(&mut app, "!");
    press(&mut app, KeyCode::Esc);
    assert!(matches!(&app.overlay, Overlay::Form(form) if form.title.value() == "never mind!"));
    // A second Esc drops it, and says so.
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    assert_eq!(
        app.message.as_ref().map(|m| m.text.as_str()),
        Some("Dropped the form's changes.")
    );
    assert!(!app.quit);

    // A form left as it opened closes at once; so does one typed back to
    // what it held.
    press(&mut app, KeyCode::Char('e'));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay, Overlay::None);
    press(&mut app, KeyCode::Char('e'));
    type_text(&mut app, "x");
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn space_toggles_done_with_if_match() {
    let mut app = app_with(fixtures::sample());
    let shown = app.selected_task().cloned().unwrap();
    let commands = press(&mut app, KeyCode::Char(' '));
    // The task as shown goes with the change: its version is the If-Match.
    assert_eq!(
        commands,
        vec![Command::Change {
            task: Box::new(shown),
            change: Change::Status(Status::Done),
        }]
    );
    // The done task shows in the "all" list.
    let commands = press(&mut app, KeyCode::Tab);
    answer_load(&mut app, &commands, fixtures::sample());
    // Ordered by the numbers tasks are shown by: the done task, with none,
    // comes last.
    press(&mut app, KeyCode::Char('G'));
    assert_eq!(selected_id(&app), Some(4));
    let commands = press(&mut app, KeyCode::Char(' '));
    assert!(matches!(
        commands.as_slice(),
        [Command::Change { task, change: Change::Status(Status::Pending) }] if task.id == 4 && task.version == 2
    ));
}

#[test]
fn a_stale_toggle_reloads_and_says_so() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char(' '));
    let problem = common::api::Problem {
        kind: "about:blank".into(),
        title: "Precondition Failed".into(),
        status: 412,
        detail: "the task has changed".into(),
        errors: None,
        code: None,
    };
    let commands = app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Form,
        created: false,
        verb: "Completed",
        shown_as: None,
        result: Err(crate::msg::Failure::Problem(problem)),
    })));
    assert!(matches!(commands.as_slice(), [Command::LoadTasks { .. }]));
    assert!(app
        .message
        .as_ref()
        .is_some_and(|m| m.text.contains("changed elsewhere")));
}

#[test]
fn x_asks_then_deletes() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('j'));
    assert!(press(&mut app, KeyCode::Char('x')).is_empty());
    assert!(matches!(&app.overlay, Overlay::ConfirmDelete(task) if task.id == 2));
    // Keys other than yes/no do nothing while asking.
    assert!(press(&mut app, KeyCode::Char('j')).is_empty());
    assert!(press(&mut app, KeyCode::Char('n')).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    assert_eq!(app.tasks.len(), 4);

    press(&mut app, KeyCode::Char('x'));
    let shown = Box::new(app.selected_task().cloned().unwrap());
    assert_eq!(
        press(&mut app, KeyCode::Char('y')),
        vec![Command::DeleteTask {
            task: shown.clone()
        }],
        "deleted as the version shown"
    );
    let commands = app.update(Msg::Api(Box::new(ApiEvent::TaskDeleted {
        task: shown,
        result: Ok(()),
    })));
    assert!(matches!(commands.as_slice(), [Command::LoadTasks { .. }]));
    assert!(app.tasks.iter().all(|t| t.id != 2));
    assert_eq!(selected_id(&app), Some(3), "the next task is selected");
}

#[test]
fn slash_filters_as_typed_in_the_cli_syntax() {
    let mut app = app_with(fixtures::sample());
    assert!(press(&mut app, KeyCode::Char('/')).is_empty());
    assert!(app.filter.editing);

    let commands = type_text(&mut app, "+urgent");
    // One load per keystroke that changed the filter, each waiting for a
    // pause in the typing; the runtime sends only the last.
    let Some(Command::LoadTasks { query, after, .. }) = commands.last() else {
        panic!("no load: {commands:?}");
    };
    assert_eq!(*after, crate::app::FILTER_PAUSE);
    assert!(commands.iter().all(
        |c| matches!(c, Command::LoadTasks { after, .. } if *after == crate::app::FILTER_PAUSE)
    ));
    assert_eq!(query.tags, ["urgent"]);
    assert_eq!(query.status, Some(StatusFilter::Pending));
    // The rows stay as they were until the server answers: no client filters.
    assert_eq!(app.tasks.len(), 4);
    let urgent: Vec<Task> = fixtures::sample()
        .into_iter()
        .filter(|t| t.tags.iter().any(|tag| tag == "urgent"))
        .collect();
    answer_load(&mut app, &commands, urgent);
    assert_eq!(app.tasks.len(), 1);
    assert_eq!(selected_id(&app), Some(2));

    let commands = type_text(&mut app, " pro:admin");
    let query = match commands.last() {
        Some(Command::LoadTasks { query, .. }) => query.clone(),
        other => panic!("no load: {other:?}"),
    };
    assert_eq!(query.project.as_deref(), Some("admin"));

    // Arrows still move the selection while typing.
    press(&mut app, KeyCode::Down);
    assert!(app.filter.editing);

    // Enter keeps the filter, Esc later does not undo it.
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(!app.filter.editing);
    assert_eq!(app.filter.applied, "+urgent pro:admin");
}

#[test]
fn slash_then_esc_restores_the_previous_filter() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('/'));
    let commands = type_text(&mut app, "milk");
    assert_eq!(only_load(&commands[commands.len() - 1..]).search, ["milk"]);
    let commands = press(&mut app, KeyCode::Esc);
    assert!(only_load(&commands).search.is_empty());
    // Going back is one key, not typing: asked at once.
    assert!(matches!(commands.as_slice(), [Command::LoadTasks { after, .. }] if after.is_zero()));
    assert!(!app.quit, "Esc leaves the prompt, not the program");
    assert_eq!(app.filter.applied, "");
}

#[test]
fn a_filter_that_does_not_parse_keeps_the_last_good_one() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "pri:H");
    let commands = type_text(&mut app, "X");
    assert!(commands.is_empty(), "nothing sent for a bad filter");
    assert!(app
        .filter
        .error
        .as_ref()
        .is_some_and(|e| e.contains("priority")));
    assert_eq!(app.filter.parsed.query.priority, Some(Priority::High));
}

#[test]
fn enter_does_not_keep_a_filter_that_does_not_parse() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "pri:X due.before:garbage");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(app.filter.editing, "the line stays open");
    assert!(app.filter.error.is_some());
    // Fixed, it is kept.
    for _ in 0.."due.before:garbage".len() + 2 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "H");
    press(&mut app, KeyCode::Enter);
    assert!(!app.filter.editing);
    assert_eq!(app.filter.applied, "pri:H");
    assert_eq!(app.filter.parsed.query.priority, Some(Priority::High));
}

#[test]
fn several_task_names_show_those_tasks_in_the_views_order() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('/'));
    let commands = type_text(&mut app, "3,1");
    let Some(Command::LoadTasks { query, names, .. }) = commands.last() else {
        panic!("no load: {commands:?}");
    };
    // The rest of the filter is asked of the server, which sorts as the
    // view asks; the named tasks are picked out of its answer.
    assert_eq!(names, &[TaskRef::Number(3), TaskRef::Number(1)]);
    assert_eq!(query.number, None);
    assert!(app.filter.error.is_none(), "{:?}", app.filter.error);
    answer_load(&mut app, &commands, fixtures::sample());
    let shown: Vec<i64> = app.tasks.iter().map(|t| t.id).collect();
    assert_eq!(shown, [1, 3], "most urgent first, as the view sorts");

    // A range and a filter word together.
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('/'));
    let commands = type_text(&mut app, "2-3 +shop");
    let Some(Command::LoadTasks { query, names, .. }) = commands.last() else {
        panic!("no load: {commands:?}");
    };
    assert_eq!(names, &[TaskRef::Number(2), TaskRef::Number(3)]);
    assert_eq!(query.tags, ["shop"]);
    assert!(app.filter.error.is_none(), "{:?}", app.filter.error);
}

#[test]
fn minus_tag_is_asked_of_the_server() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('/'));
    let commands = type_text(&mut app, "-shop");
    assert_eq!(
        only_load(&commands[commands.len() - 1..]).exclude_tags,
        ["shop"]
    );
}

#[test]
fn s_cycles_the_sort_and_asks_for_that_order() {
    let mut app = app_as_started(fixtures::sample());
    assert_eq!(app.sort, SortKey::Urgency, "most urgent first by default");
    assert_eq!(names(&app.query().ordering), ["-urgency", "id"]);
    // The overdue task with high priority is the most urgent.
    assert_eq!(app.task_at(0).map(|t| t.id), Some(2));
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.sort, SortKey::Id);
    let commands = press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.sort, SortKey::Due);
    assert_eq!(
        names(&only_load(&commands).ordering),
        ["due", "-priority", "id"]
    );
    // In the server's order once it answers: the overdue task first, tasks
    // with no due date last; the selection follows its task.
    press(&mut app, KeyCode::Char('j'));
    let chosen = selected_id(&app);
    answer_load(&mut app, &commands, fixtures::sample());
    assert_eq!(app.task_at(0).map(|t| t.id), Some(2));
    assert_eq!(selected_id(&app), chosen, "the selection follows its task");
    let commands = press(&mut app, KeyCode::Char('s'));
    assert_eq!(
        names(&only_load(&commands).ordering),
        ["-priority", "due", "id"]
    );
    let commands = press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.sort, SortKey::Project);
    assert_eq!(
        names(&only_load(&commands).ordering),
        ["project", "-urgency", "id"]
    );
    for _ in 0..3 {
        press(&mut app, KeyCode::Char('s'));
    }
    assert_eq!(app.sort, SortKey::Urgency);
}

#[test]
fn shift_s_starts_and_stops_and_w_shows_waiting_tasks() {
    let mut app = app_with(fixtures::sample());
    let selected = app.selected_task().cloned().unwrap();
    let commands = app.update(key_with(KeyModifiers::SHIFT, KeyCode::Char('S')));
    assert_eq!(
        commands,
        vec![Command::Change {
            task: Box::new(selected),
            change: Change::Active(true),
        }]
    );
    assert_eq!(
        app.query().waiting,
        Some(false),
        "waiting tasks hidden by default"
    );
    press(&mut app, KeyCode::Char('s'));
    let commands = press(&mut app, KeyCode::Char('w'));
    assert!(app.show_waiting);
    assert_eq!(only_load(&commands).waiting, None);
    // Said, so that the sort's message does not seem to answer `w`.
    assert_eq!(
        app.notice().map(|(_, text)| text),
        Some("Showing waiting tasks too.".to_string())
    );
    // And kept in sight beside the scope once the message goes.
    assert!(screen(&app, 80, 24).contains(" pending+waiting  "));
    press(&mut app, KeyCode::Char('w'));
    assert!(!screen(&app, 80, 24).contains("+waiting"));
    assert_eq!(app.query().waiting, Some(false));
    assert_eq!(
        app.notice().map(|(_, text)| text),
        Some("Waiting tasks hidden.".to_string())
    );
}

#[test]
fn tab_switches_between_pending_and_all() {
    let mut app = app_with(fixtures::sample());
    let commands = press(&mut app, KeyCode::Tab);
    assert_eq!(app.scope, Scope::All);
    assert_eq!(only_load(&commands).status, Some(StatusFilter::All));
    let commands = press(&mut app, KeyCode::Tab);
    assert_eq!(app.scope, Scope::Pending);
    assert_eq!(only_load(&commands).status, Some(StatusFilter::Pending));
}

#[test]
fn enter_toggles_the_detail_pane() {
    let mut app = app_with(fixtures::sample());
    assert!(!app.show_detail);
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(app.show_detail);
    press(&mut app, KeyCode::Enter);
    assert!(!app.show_detail);
}

#[test]
fn r_reloads_now() {
    let mut app = app_with(fixtures::sample());
    let commands = press(&mut app, KeyCode::Char('r'));
    assert_eq!(only_load(&commands).status, Some(StatusFilter::Pending));
}

#[test]
fn question_mark_shows_help_and_any_key_closes_it() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.overlay, Overlay::Help { scroll: 0 });
    // `x` closes the help; it does not start a delete.
    assert!(press(&mut app, KeyCode::Char('x')).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    // F1 opens it too, and F5 reloads as `r` does.
    press(&mut app, KeyCode::F(1));
    assert_eq!(app.overlay, Overlay::Help { scroll: 0 });
    press(&mut app, KeyCode::Esc);
    assert!(matches!(
        press(&mut app, KeyCode::F(5)).as_slice(),
        [Command::LoadTasks { .. }]
    ));
    // When it all fits, `j` closes it too, as its last line says; on a
    // small screen it scrolls.
    app.update(Msg::Resize(160, 48));
    press(&mut app, KeyCode::Char('?'));
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.overlay, Overlay::None);
    app.update(Msg::Resize(80, 20));
    press(&mut app, KeyCode::Char('?'));
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.overlay, Overlay::Help { scroll: 1 });
}

#[test]
fn q_quits_and_esc_only_closes() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('q'));
    assert!(app.quit);

    // Esc closes the details pane, then clears the filter, and never quits.
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "+shop");
    press(&mut app, KeyCode::Enter);
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert!(!app.show_detail && !app.quit);
    let commands = press(&mut app, KeyCode::Esc);
    assert!(
        only_load(&commands).tags.is_empty(),
        "the filter is cleared"
    );
    assert_eq!(app.filter.applied, "");
    press(&mut app, KeyCode::Esc);
    assert!(!app.quit);
    assert!(app
        .message
        .as_ref()
        .is_some_and(|m| m.text.contains("q quits")));

    // A key that does nothing says so.
    press(&mut app, KeyCode::Char('Z'));
    assert!(app
        .message
        .as_ref()
        .is_some_and(|m| m.text == "Z does nothing here: ? lists the keys."));
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('a'));
    app.update(key_with(KeyModifiers::CONTROL, KeyCode::Char('c')));
    assert!(app.quit, "ctrl-c quits from anywhere");
}

#[test]
fn the_mouse_wheel_scrolls_and_a_click_selects() {
    let mut app = app_with(fixtures::many(50));
    let wheel = |kind| {
        Msg::Mouse(MouseEvent {
            kind,
            column: 10,
            row: 10,
            modifiers: KeyModifiers::NONE,
        })
    };
    app.update(wheel(MouseEventKind::ScrollDown));
    app.update(wheel(MouseEventKind::ScrollDown));
    assert_eq!(app.selected, 6);
    app.update(wheel(MouseEventKind::ScrollUp));
    assert_eq!(app.selected, 3);
    // Row 2 is the first task row (border, then header).
    app.update(Msg::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 10,
        row: 4,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(app.selected, 2);
}

#[test]
fn key_releases_are_ignored() {
    let mut app = app_with(fixtures::sample());
    assert!(app.update(release(KeyCode::Char('j'))).is_empty());
    app.update(release(KeyCode::Char('q')));
    assert_eq!(app.selected, 0);
    assert!(!app.quit);
}

#[test]
fn the_login_form_logs_in_then_loads() {
    let mut app = App::new("http://127.0.0.1:8000", None, false, fixtures::now(), utc());
    app.update(Msg::Resize(80, 24));
    assert!(app.start().is_empty(), "nothing to load before logging in");
    type_text(&mut app, "alice");
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "to the password"
    );
    type_text(&mut app, "s3cret-pass");
    let commands = press(&mut app, KeyCode::Enter);
    assert_eq!(
        commands,
        vec![Command::Login {
            username: "alice".into(),
            password: "s3cret-pass".into()
        }]
    );
    let commands = app.update(Msg::Api(Box::new(ApiEvent::LoggedIn {
        username: "alice".into(),
        result: Ok(()),
    })));
    assert!(app.login.is_none());
    let commands = live(&mut app, &commands);
    assert!(matches!(commands.as_slice(), [Command::LoadTasks { .. }]));
}

#[test]
fn an_untouched_login_form_takes_up_a_login_saved_elsewhere() {
    let mut app = App::new("http://127.0.0.1:8000", None, false, fixtures::now(), utc());
    app.update(Msg::Resize(80, 24));
    app.start();
    let ticks = |app: &mut App| -> usize {
        (0..8)
            .flat_map(|_| app.update(Msg::Tick(fixtures::now())))
            .filter(|c| *c == Command::AdoptSavedLogin)
            .count()
    };
    // Every two seconds (four ticks a second), while nobody types.
    assert_eq!(ticks(&mut app), 1);
    let commands = app.update(Msg::Api(Box::new(ApiEvent::LoginAdopted {
        username: "alice".into(),
    })));
    assert!(app.login.is_none());
    assert!(app
        .message
        .as_ref()
        .is_some_and(|m| m.text == "Logged in as alice (by another client)."));
    assert!(matches!(commands.as_slice(), [Command::Follow { .. }]));

    // Once a key is pressed the form is the user's: no look, and an
    // answer already on its way is not taken.
    let mut app = App::new("http://127.0.0.1:8000", None, false, fixtures::now(), utc());
    app.update(Msg::Resize(80, 24));
    app.start();
    type_text(&mut app, "a");
    assert_eq!(ticks(&mut app), 0);
    app.update(Msg::Api(Box::new(ApiEvent::LoginAdopted {
        username: "bob".into(),
    })));
    assert!(app.login.is_some());
}

#[test]
fn ctrl_r_on_the_login_form_registers_instead() {
    let mut app = App::new("http://127.0.0.1:8000", None, false, fixtures::now(), utc());
    app.update(key_with(KeyModifiers::CONTROL, KeyCode::Char('r')));
    type_text(&mut app, "bob");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "another-pass");
    // The password twice, as the CLI asks it: Enter moves on to the second.
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    type_text(&mut app, "another-pasz");
    assert!(press(&mut app, KeyCode::Enter).is_empty(), "a typo");
    let form = app.login.as_ref().expect("still the form");
    assert!(form
        .error
        .as_deref()
        .is_some_and(|e| e.contains("do not match")));
    assert_eq!(form.password.value(), "", "both typed again");
    type_text(&mut app, "another-pass");
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "another-pass");
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        vec![Command::Register {
            username: "bob".into(),
            password: "another-pass".into()
        }]
    );
}

#[test]
fn a_tiny_terminal_ignores_everything_but_quit() {
    let mut app = app_with(fixtures::sample());
    app.update(Msg::Resize(59, 20));
    assert!(press(&mut app, KeyCode::Char('x')).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    press(&mut app, KeyCode::Esc);
    assert!(!app.quit, "Esc never quits");
    press(&mut app, KeyCode::Char('q'));
    assert!(app.quit);
}

#[test]
fn paste_goes_into_the_focused_field() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('a'));
    app.update(Msg::Paste("Pasted\u{1b}[31m title".into()));
    let Overlay::Form(form) = &app.overlay else {
        panic!("no form");
    };
    assert_eq!(
        form.title.value(),
        "Pasted[31m title",
        "control characters dropped"
    );
}

#[test]
fn ctrl_j_and_alt_enter_break_lines_in_the_description_only() {
    use ratatui::crossterm::event::KeyModifiers;
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "Plan trip");
    // In the title a line break is no key at all: Ctrl-J changes nothing.
    app.update(key_with(KeyModifiers::CONTROL, KeyCode::Char('j')));
    press(&mut app, KeyCode::Tab); // description
    type_text(&mut app, "pack");
    app.update(key_with(KeyModifiers::CONTROL, KeyCode::Char('j')));
    type_text(&mut app, "book");
    app.update(key_with(KeyModifiers::ALT, KeyCode::Enter));
    app.update(Msg::Paste("train\r\nhotel".into()));
    let commands = press(&mut app, KeyCode::Enter);
    let [Command::CreateTask { task: new, .. }] = commands.as_slice() else {
        panic!("expected a create, got {commands:?}");
    };
    assert_eq!(new.title, "Plan trip");
    assert_eq!(new.description.as_deref(), Some("pack\nbook\ntrain\nhotel"));
}

#[test]
fn up_and_down_move_within_a_description_then_between_fields() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('a'));
    press(&mut app, KeyCode::Tab); // description
    app.update(Msg::Paste("one\ntwo".into()));
    let focus = |app: &App| match &app.overlay {
        Overlay::Form(form) => (form.focus, form.description.cursor()),
        other => panic!("no form: {other:?}"),
    };
    press(&mut app, KeyCode::Up);
    assert_eq!(focus(&app), (crate::form::Field::Description, 3));
    press(&mut app, KeyCode::Up);
    assert_eq!(focus(&app).0, crate::form::Field::Title);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    assert_eq!(focus(&app), (crate::form::Field::Description, 7));
    press(&mut app, KeyCode::Down);
    assert_eq!(focus(&app).0, crate::form::Field::Project);
}

#[test]
fn a_pasted_line_break_is_a_space_in_one_line_fields() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('a'));
    app.update(Msg::Paste("two\r\nlines\n".into()));
    let Overlay::Form(form) = &app.overlay else {
        panic!("no form");
    };
    assert_eq!(form.title.value(), "two lines ");
}

/// No key sequence panics, whatever state it reaches (`update` and `draw`).
#[test]
fn no_input_panics() {
    let codes = [
        KeyCode::Char('j'),
        KeyCode::Char('k'),
        KeyCode::Char('G'),
        KeyCode::Char('g'),
        KeyCode::Char('a'),
        KeyCode::Char('e'),
        KeyCode::Char(' '),
        KeyCode::Char('x'),
        KeyCode::Char('y'),
        KeyCode::Char('/'),
        KeyCode::Char('s'),
        KeyCode::Char('?'),
        KeyCode::Char('r'),
        KeyCode::Char('+'),
        KeyCode::Char(':'),
        KeyCode::Char('é'),
        KeyCode::Char('d'),
        KeyCode::Char('A'),
        KeyCode::Char('D'),
        KeyCode::Char('S'),
        KeyCode::Char('w'),
        KeyCode::Char('-'),
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Enter,
        KeyCode::Backspace,
        KeyCode::Delete,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::F(5),
        KeyCode::Esc,
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for round in 0..40 {
        let tasks = if round % 3 == 0 {
            Vec::new()
        } else {
            fixtures::sample()
        };
        let mut app = app_with(tasks);
        for step in 0..400 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let code = codes[(seed % codes.len() as u64) as usize];
            // Esc and q would end the run early; keep going instead.
            let msg = match (seed >> 8) % 10 {
                0 => key_with(KeyModifiers::CONTROL, code),
                1 => Msg::Resize(40 + (seed % 140) as u16, 10 + (seed % 50) as u16),
                2 => Msg::Tick(fixtures::now()),
                _ => key_with(KeyModifiers::NONE, code),
            };
            app.update(msg);
            app.quit = false;
            if step % 25 == 0 {
                let (w, h) = (app.size.width, app.size.height);
                draw(&app, w, h);
            }
        }
    }
}

#[test]
fn capital_a_annotates_and_capital_d_sets_dependencies() {
    let mut app = app_with(fixtures::sample());
    let shown = app.selected_task().cloned().unwrap();
    assert!(type_text(&mut app, "A").is_empty());
    assert!(matches!(&app.overlay, Overlay::Prompt(p) if p.title() == " Note for task 1 "));
    // Nothing typed: said in the prompt, nothing sent.
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(matches!(&app.overlay, Overlay::Prompt(p) if p.error.is_some()));
    type_text(&mut app, "call first");
    assert_eq!(
        press(&mut app, KeyCode::Enter),
        vec![Command::Change {
            task: Box::new(shown.clone()),
            change: Change::Annotate("call first".into()),
        }]
    );
    // The prompt waits for the answer, then goes once the note is saved.
    assert!(matches!(&app.overlay, Overlay::Prompt(p) if p.sending));
    assert!(
        press(&mut app, KeyCode::Char('x')).is_empty(),
        "keys wait too"
    );
    app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Prompt,
        created: false,
        verb: "Annotated",
        shown_as: None,
        result: Ok(shown.clone()),
    })));
    assert_eq!(app.overlay, Overlay::None);

    type_text(&mut app, "D");
    type_text(&mut app, "2,-3 0a1b2c3d");
    let commands = press(&mut app, KeyCode::Enter);
    let [Command::Change {
        task,
        change: Change::Modify(mods),
    }] = commands.as_slice()
    else {
        panic!("expected a change, got {commands:?}");
    };
    assert_eq!(task.id, shown.id);
    assert_eq!(
        mods.add_depends,
        [TaskRef::Number(2), TaskRef::Uuid("0a1b2c3d".into())]
    );
    assert_eq!(mods.remove_depends, [TaskRef::Number(3)]);
    // Refused (a task that is not there): the prompt stays with what was
    // typed and the reason, for another try.
    app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Prompt,
        created: false,
        verb: "Modified",
        shown_as: None,
        result: Err(crate::msg::Failure::Other(
            "task 0a1b2c3d: no such task".into(),
        )),
    })));
    let Overlay::Prompt(prompt) = &app.overlay else {
        panic!("the prompt went: {:?}", app.overlay);
    };
    assert!(!prompt.sending);
    assert_eq!(prompt.input.value(), "2,-3 0a1b2c3d");
    assert_eq!(prompt.error.as_deref(), Some("task 0a1b2c3d: no such task"));
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    // Esc leaves a prompt still waiting for its answer, too.
    type_text(&mut app, "A");
    type_text(&mut app, "later");
    assert_eq!(press(&mut app, KeyCode::Enter).len(), 1);
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.overlay, Overlay::None);

    // The task changed elsewhere meanwhile (412): the text stays, the rows
    // are read again, and Enter sends it over the task as it now is.
    type_text(&mut app, "A");
    type_text(&mut app, "call first");
    press(&mut app, KeyCode::Enter);
    let reload = app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Prompt,
        created: false,
        verb: "Annotated",
        shown_as: None,
        result: Err(problem(412)),
    })));
    let Overlay::Prompt(prompt) = &app.overlay else {
        panic!("the prompt went: {:?}", app.overlay);
    };
    assert_eq!(prompt.input.value(), "call first");
    assert!(prompt
        .error
        .as_deref()
        .is_some_and(|e| e.contains("changed elsewhere")));
    let mut rows = fixtures::sample();
    rows[0].version += 1;
    answer_load(&mut app, &reload, rows);
    let commands = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(commands.as_slice(), [Command::Change { task, .. }] if task.id == shown.id && task.version == shown.version + 1),
        "{commands:?}"
    );
    app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Prompt,
        created: false,
        verb: "Annotated",
        shown_as: None,
        result: Ok(shown.clone()),
    })));
    assert_eq!(app.overlay, Overlay::None);

    // A word that names no task stays in the prompt with the reason; Esc
    // leaves without sending.
    type_text(&mut app, "D");
    type_text(&mut app, "soon");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(
        matches!(&app.overlay, Overlay::Prompt(p) if p.error.as_deref().is_some_and(|e| e.contains("does not name a task")))
    );
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    assert!(!app.quit);
}

/// A toggle's answer that comes while a prompt waits for its own is the
/// toggle's: the prompt stays, and its own answer is told in it.
#[test]
fn a_toggles_answer_leaves_a_waiting_prompt_be() {
    let mut app = app_with(fixtures::sample());
    let mut done = app.selected_task().cloned().unwrap();
    let toggle = press(&mut app, KeyCode::Char(' '));
    assert!(
        matches!(
            toggle.as_slice(),
            [Command::Change {
                change: Change::Status(Status::Done),
                ..
            }]
        ),
        "{toggle:?}"
    );
    type_text(&mut app, "A");
    type_text(&mut app, "call first");
    assert_eq!(press(&mut app, KeyCode::Enter).len(), 1);
    done.status = Status::Done;
    app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Key,
        created: false,
        verb: "Completed",
        shown_as: Some("1".into()),
        result: Ok(done),
    })));
    assert!(
        matches!(&app.overlay, Overlay::Prompt(p) if p.sending),
        "{:?}",
        app.overlay
    );
    app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Prompt,
        created: false,
        verb: "Annotated",
        shown_as: Some("1".into()),
        result: Err(crate::msg::Failure::Other("refused here".into())),
    })));
    let Overlay::Prompt(prompt) = &app.overlay else {
        panic!("the prompt went: {:?}", app.overlay);
    };
    assert!(!prompt.sending);
    assert_eq!(prompt.input.value(), "call first");
    assert_eq!(prompt.error.as_deref(), Some("refused here"));
}

/// A note sent as the login ended waits under the login form with its
/// text, and is there again once the user has logged in.
#[test]
fn a_prompt_sent_as_the_login_ended_is_kept_for_after_the_login() {
    let mut app = app_with(fixtures::sample());
    type_text(&mut app, "A");
    type_text(&mut app, "call first");
    assert_eq!(press(&mut app, KeyCode::Enter).len(), 1);
    app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Prompt,
        created: false,
        verb: "Annotated",
        shown_as: None,
        result: Err(crate::msg::Failure::SessionExpired),
    })));
    assert!(app.login.is_some(), "the login form takes the screen");
    app.update(Msg::Api(Box::new(ApiEvent::LoggedIn {
        username: "alice".into(),
        result: Ok(()),
    })));
    assert!(app.login.is_none());
    let Overlay::Prompt(prompt) = &app.overlay else {
        panic!("the prompt went: {:?}", app.overlay);
    };
    assert!(!prompt.sending);
    assert_eq!(prompt.input.value(), "call first");
    assert!(prompt
        .error
        .as_deref()
        .is_some_and(|e| e.contains("login had ended")));
    let commands = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(commands.as_slice(), [Command::Change { change: Change::Annotate(text), .. }] if text == "call first"),
        "{commands:?}"
    );
}

/// The add form's title line takes the CLI's words: title words and
/// modifiers, one grammar from `common`.
#[test]
fn the_add_form_reads_the_title_line_as_the_cli_does() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('a'));
    type_text(
        &mut app,
        "Buy milk +errands due:tomorrow pri:H pro:home dep:2 uda.size:L",
    );
    let commands = press(&mut app, KeyCode::Enter);
    let [Command::CreateTask { task, depends }] = commands.as_slice() else {
        panic!("expected a create, got {commands:?}");
    };
    assert_eq!(task.title, "Buy milk");
    assert_eq!(task.tags.as_deref(), Some(&["errands".to_string()][..]));
    assert_eq!(task.priority, Some(Priority::High));
    assert_eq!(task.project.as_deref(), Some("home"));
    assert_eq!(
        task.due.map(|d| d.to_rfc3339()),
        Some("2026-03-11T23:59:59+00:00".to_string())
    );
    assert_eq!(depends, &[TaskRef::Number(2)]);
    assert_eq!(
        task.udas.as_ref().and_then(|u| u.get("size")),
        Some(&common::api::UdaValue::Text("L".into()))
    );

    // Quotes in a title are the title's, not a shell's.
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "Call Bob's dentist about \"Dune\"");
    let commands = press(&mut app, KeyCode::Enter);
    let [Command::CreateTask { task, .. }] = commands.as_slice() else {
        panic!("expected a create, got {commands:?}");
    };
    assert_eq!(task.title, "Call Bob's dentist about \"Dune\"");

    // A word the grammar refuses is said beside the title; nothing is sent.
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "Water plants recur:weekly");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let Overlay::Form(form) = &app.overlay else {
        panic!("form closed");
    };
    assert!(form
        .errors
        .get(&Field::Title)
        .is_some_and(|e| e.contains("recur")));
    assert_eq!(
        form.title.value(),
        "Water plants recur:weekly",
        "nothing typed is lost"
    );

    // A project named in the title line and, differently, in its field:
    // asked which, not one dropped unsaid. The same one twice is fine.
    for (field, sent) in [("work", false), ("home", true)] {
        let mut app = app_with(fixtures::sample());
        press(&mut app, KeyCode::Char('a'));
        type_text(&mut app, "Call mum pro:home");
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, field);
        let commands = press(&mut app, KeyCode::Enter);
        assert_eq!(!commands.is_empty(), sent, "{field}");
        if !sent {
            let Overlay::Form(form) = &app.overlay else {
                panic!("form closed");
            };
            assert!(form
                .errors
                .get(&Field::Project)
                .is_some_and(|e| e.contains("title line")));
        }
    }

    // An edit keeps its title as typed: `+` there is text.
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('e'));
    for _ in 0..40 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "C++ notes");
    let commands = press(&mut app, KeyCode::Enter);
    let [Command::UpdateTask { patch, .. }] = commands.as_slice() else {
        panic!("expected an update, got {commands:?}");
    };
    assert_eq!(patch.title.as_deref(), Some("C++ notes"));
}

/// An edit refused because the task changed elsewhere, in fields this
/// form did not change: sent again over the server's version at once, with
/// nothing asked, and the server's own changes kept.
#[test]
fn an_edit_over_changes_to_other_fields_is_sent_again_without_asking() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('e'));
    press(&mut app, KeyCode::End);
    type_text(&mut app, " twice");
    press(&mut app, KeyCode::Enter);
    let commands = app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Form,
        created: false,
        verb: "Modified",
        shown_as: None,
        result: Err(problem(412)),
    })));
    assert_eq!(commands, vec![Command::FetchTask { id: 1 }]);
    let mut server = fixtures::sample()[0].clone();
    server.version = 3;
    server.priority = Some(Priority::High);
    server.tags = vec!["front".into()];
    let commands = app.update(Msg::Api(Box::new(ApiEvent::TaskFetched {
        id: 1,
        result: Ok(server),
    })));
    assert_eq!(
        commands,
        vec![Command::UpdateTask {
            id: 1,
            version: Some(3),
            patch: TaskPatch {
                title: Some("Water the roses twice".into()),
                ..TaskPatch::default()
            },
            shown_as: "1".into(),
        }]
    );
    let Overlay::Form(form) = &app.overlay else {
        panic!("the form waits for the answer");
    };
    assert!(form.saving && form.error.is_none());
}

/// An edit of a task deleted meanwhile says so, and where it went.
#[test]
fn an_edit_of_a_task_deleted_meanwhile_says_where_it_went() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('e'));
    type_text(&mut app, "!");
    press(&mut app, KeyCode::Enter);
    app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Form,
        created: false,
        verb: "Modified",
        shown_as: None,
        result: Err(problem(404)),
    })));
    let Overlay::Form(form) = &app.overlay else {
        panic!("the form stays: what was typed is not lost");
    };
    let error = form.error.clone().unwrap_or_default();
    assert!(
        error.contains("Deleted elsewhere") && error.contains("task restore"),
        "{error}"
    );
    // Enter then saves it as a new task, with every field as it stands.
    assert!(!form.is_edit());
    let commands = press(&mut app, KeyCode::Enter);
    let [Command::CreateTask { task, depends }] = commands.as_slice() else {
        panic!("a create: {commands:?}");
    };
    assert_eq!(task.title, "Water the roses!");
    assert_eq!(task.project.as_deref(), Some("home.garden"));
    assert_eq!(task.tags.as_deref(), Some(&["outside".to_string()][..]));
    assert_eq!(
        task.description.as_deref(),
        Some("Both beds by the fence.\nUse the rain barrel first.")
    );
    assert!(task.due.is_some());
    assert!(depends.is_empty());
}

fn problem(status: u16) -> crate::msg::Failure {
    crate::msg::Failure::Problem(common::api::Problem {
        kind: "about:blank".into(),
        title: "refused".into(),
        status,
        detail: "No such resource.".into(),
        errors: None,
        code: None,
    })
}

/// An edit the server refuses because the task changed elsewhere: what was
/// typed stays, the server's version is read, and the user chooses.
#[test]
fn an_edit_conflict_shows_both_and_lets_the_user_choose() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('e'));
    press(&mut app, KeyCode::End);
    type_text(&mut app, " twice");
    let commands = press(&mut app, KeyCode::Enter);
    assert!(matches!(
        commands.as_slice(),
        [Command::UpdateTask {
            id: 1,
            version: Some(1),
            ..
        }]
    ));
    let commands = app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Form,
        created: false,
        verb: "Modified",
        shown_as: None,
        result: Err(problem(412)),
    })));
    assert_eq!(commands, vec![Command::FetchTask { id: 1 }]);
    let mut server = fixtures::sample()[0].clone();
    server.version = 3;
    server.priority = Some(Priority::High);
    server.title = "Water the roses (front)".into();
    app.update(Msg::Api(Box::new(ApiEvent::TaskFetched {
        id: 1,
        result: Ok(server.clone()),
    })));
    let Overlay::Form(form) = &app.overlay else {
        panic!("the form must stay open: nothing typed is lost");
    };
    assert_eq!(form.title.value(), "Water the roses twice");
    // A field left untouched here shows the server's value, which a save
    // keeps.
    assert_eq!(form.priority, Some(Priority::High));
    assert_eq!(
        form.conflict_rows(app.tz),
        [(
            "Title",
            "Water the roses twice".to_string(),
            "Water the roses (front)".to_string()
        )]
    );
    let screen = screen(&app, 80, 24);
    assert!(screen.contains("Esc drops all your changes"), "{screen}");
    assert!(
        screen.contains("server Water the roses (front)"),
        "{screen}"
    );

    // Enter: the user's change goes over the server's version.
    let commands = press(&mut app, KeyCode::Enter);
    let [Command::UpdateTask {
        id: 1,
        version: Some(3),
        patch,
        ..
    }] = commands.as_slice()
    else {
        panic!("expected an update over version 3, got {commands:?}");
    };
    assert_eq!(patch.title.as_deref(), Some("Water the roses twice"));
    assert_eq!(patch.priority, None, "the server's priority is kept");

    // Or Esc: the server's version is taken, the list reloaded.
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('e'));
    type_text(&mut app, "!");
    press(&mut app, KeyCode::Enter);
    app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Form,
        created: false,
        verb: "Modified",
        shown_as: None,
        result: Err(problem(412)),
    })));
    app.update(Msg::Api(Box::new(ApiEvent::TaskFetched {
        id: 1,
        result: Ok(server),
    })));
    let commands = press(&mut app, KeyCode::Esc);
    assert!(matches!(commands.as_slice(), [Command::LoadTasks { .. }]));
    assert_eq!(app.overlay, Overlay::None);
}

fn at(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .with_timezone(&chrono::Utc)
}

#[test]
fn shift_j_and_k_scroll_the_details_pane_of_the_selected_task() {
    let mut long = fixtures::task(1, "Many notes");
    long.annotations = (0..40)
        .map(|n| common::api::Annotation {
            id: n + 1,
            entry: fixtures::now(),
            text: format!("note {n}"),
        })
        .collect();
    let mut app = app_with(vec![long, fixtures::task(2, "Short")]);
    press(&mut app, KeyCode::Char('J'));
    assert_eq!(app.detail_offset(), 0, "closed: nothing to scroll");
    assert!(app
        .message
        .as_ref()
        .is_some_and(|m| m.text.contains("Enter")));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('J'));
    press(&mut app, KeyCode::Char('J'));
    assert_eq!(app.detail_offset(), 2);
    press(&mut app, KeyCode::Char('K'));
    assert_eq!(app.detail_offset(), 1);
    // No further than its last line, nor above its first.
    for _ in 0..100 {
        press(&mut app, KeyCode::Char('J'));
    }
    let pane = app.layout().detail.map_or(0, |d| d.height);
    let rows = crate::ui::detail_rows(&app, 80);
    assert_eq!(app.detail_offset(), rows - (pane - 2));
    for _ in 0..100 {
        press(&mut app, KeyCode::Char('K'));
    }
    assert_eq!(app.detail_offset(), 0);
    // Another task's details start at the top.
    press(&mut app, KeyCode::Char('J'));
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.detail_offset(), 0);
}

#[test]
fn a_new_filter_without_the_selected_task_starts_at_the_top() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('G'));
    let last = selected_id(&app);
    press(&mut app, KeyCode::Char('/'));
    let commands = type_text(&mut app, "x");
    let shown: Vec<_> = fixtures::sample()
        .into_iter()
        .filter(|t| Some(t.id) != last)
        .collect();
    answer_load(&mut app, &commands, shown.clone());
    assert_eq!(selected_id(&app), Some(shown[0].id), "the first row");
    // A reload of the same view keeps the selection where it was.
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Down);
    let second = selected_id(&app);
    let commands = press(&mut app, KeyCode::Char('r'));
    let mut fewer = shown.clone();
    fewer.retain(|t| Some(t.id) != second);
    answer_load(&mut app, &commands, fewer.clone());
    assert_eq!(selected_id(&app), Some(fewer[1].id), "the row after it");
}

/// Attributes merge name by name after a conflict: one changed only on the
/// server stays, one changed on both sides is asked about alone.
#[test]
fn attributes_changed_elsewhere_merge_name_by_name() {
    let mut task = fixtures::task(1, "Measure");
    task.udas = [
        ("ratio".to_string(), UdaValue::Integer(4)),
        ("size".to_string(), UdaValue::Text("L".into())),
    ]
    .into();
    let refused = |app: &mut App| {
        app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
            source: crate::msg::Source::Form,
            created: false,
            verb: "Modified",
            shown_as: None,
            result: Err(problem(412)),
        })))
    };
    let mut server = task.clone();
    server.version = 2;
    server.udas.insert("ratio".into(), UdaValue::Integer(5));

    // Another attribute added here: sent over the server's, its ratio kept.
    let mut app = app_with(vec![task.clone()]);
    press(&mut app, KeyCode::Char('e'));
    focus(&mut app, Field::Attributes);
    press(&mut app, KeyCode::End);
    type_text(&mut app, " color:red");
    press(&mut app, KeyCode::Enter);
    refused(&mut app);
    let commands = app.update(Msg::Api(Box::new(ApiEvent::TaskFetched {
        id: 1,
        result: Ok(server.clone()),
    })));
    let [Command::UpdateTask { patch, version, .. }] = commands.as_slice() else {
        panic!("expected an update, got {commands:?}");
    };
    assert_eq!(*version, Some(2));
    let mut expected = server.udas.clone();
    expected.insert("color".into(), UdaValue::Text("red".into()));
    assert_eq!(patch.udas, Some(expected));

    // The same attribute changed on both sides: asked about, alone.
    let mut app = app_with(vec![task]);
    press(&mut app, KeyCode::Char('e'));
    focus(&mut app, Field::Attributes);
    clear_field(&mut app);
    type_text(&mut app, "ratio:6 size:XL");
    press(&mut app, KeyCode::Enter);
    refused(&mut app);
    app.update(Msg::Api(Box::new(ApiEvent::TaskFetched {
        id: 1,
        result: Ok(server),
    })));
    let Overlay::Form(form) = &app.overlay else {
        panic!("the form asks");
    };
    assert_eq!(
        form.conflict_rows(app.tz),
        [("Attributes", "ratio:6".to_string(), "ratio:5".to_string())]
    );
    let commands = press(&mut app, KeyCode::Enter);
    let [Command::UpdateTask { patch, .. }] = commands.as_slice() else {
        panic!("expected an update, got {commands:?}");
    };
    assert_eq!(
        patch.udas,
        Some(
            [
                ("ratio".to_string(), UdaValue::Integer(6)),
                ("size".to_string(), UdaValue::Text("XL".into())),
            ]
            .into()
        )
    );
}

#[test]
fn esc_on_the_filter_line_brings_back_the_selection_too() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    let chosen = selected_id(&app);
    press(&mut app, KeyCode::Char('/'));
    let commands = type_text(&mut app, "x");
    let without: Vec<_> = fixtures::sample()
        .into_iter()
        .filter(|t| Some(t.id) != chosen)
        .collect();
    answer_load(&mut app, &commands, without);
    assert_ne!(selected_id(&app), chosen);
    let commands = press(&mut app, KeyCode::Esc);
    answer_load(&mut app, &commands, fixtures::sample());
    assert_eq!(selected_id(&app), chosen);
}

/// Just after a filter is applied, the old view's rows stay until the new
/// ones come: a key on a row then must not change a task of the old view.
#[test]
fn a_key_on_a_row_waits_for_the_new_view() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('/'));
    let typed = type_text(&mut app, "+home");
    let entered = press(&mut app, KeyCode::Enter);
    for key in [KeyCode::Char(' '), KeyCode::Char('x'), KeyCode::Char('S')] {
        let commands = press(&mut app, key);
        assert!(commands.is_empty(), "{key:?}: {commands:?}");
        assert!(matches!(app.overlay, crate::app::Overlay::None), "{key:?}");
        assert!(
            app.message
                .as_ref()
                .is_some_and(|m| m.text.contains("still loading")),
            "{key:?}"
        );
    }
    // Its rows come: the key acts on them.
    let all: Vec<Command> = typed.into_iter().chain(entered).collect();
    answer_load(&mut app, &all, fixtures::sample());
    assert!(app.rows_are_current());
    let commands = press(&mut app, KeyCode::Char(' '));
    assert!(
        matches!(commands.as_slice(), [Command::Change { .. }]),
        "{commands:?}"
    );
}

/// A filter that names a status decides what shows: the status bar says
/// that status, and `tab`, which would change nothing, says why.
#[test]
fn a_filter_naming_a_status_outranks_the_scope() {
    let mut app = app_with(fixtures::sample());
    assert!(screen(&app, 80, 24).contains(" pending  "));
    press(&mut app, KeyCode::Char('/'));
    let commands = type_text(&mut app, "status:done");
    answer_load(&mut app, &commands, Vec::new());
    press(&mut app, KeyCode::Enter);
    let shown = screen(&app, 80, 24);
    assert!(shown.contains(" done  0 tasks"), "{shown}");
    assert!(press(&mut app, KeyCode::Tab).is_empty());
    assert_eq!(app.scope, crate::query::Scope::Pending);
    assert!(app
        .message
        .as_ref()
        .is_some_and(|m| m.text.contains("status:done: tab changes nothing")));
    // Cleared, the scope is back in charge.
    press(&mut app, KeyCode::Esc);
    assert!(screen(&app, 80, 24).contains(" pending  "));
    assert_eq!(press(&mut app, KeyCode::Tab).len(), 1);
}

/// Deleting a task others wait for frees them: the question says so,
/// naming those in the view.
#[test]
fn the_delete_question_names_the_tasks_waiting_for_it() {
    let mut tasks = fixtures::sample();
    tasks[0].blocking = true;
    tasks[1].depends = vec![tasks[0].id];
    tasks[1].blocked = true;
    let mut app = app_with(tasks);
    let commands = press(&mut app, KeyCode::Char('x'));
    assert_eq!(commands, vec![Command::FindWaiting { id: 1 }]);
    // Until the server answers, from the rows shown.
    let shown = screen(&app, 80, 24);
    assert!(shown.contains("Delete task 1?"), "{shown}");
    assert!(
        shown.contains("Task 2 waits for it: it will wait no more."),
        "{shown}"
    );
    // Then as the server found them, waiting ones hidden here too, the
    // whole list wrapped in the question.
    let many: Vec<String> = [2, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 18, 20]
        .iter()
        .map(i64::to_string)
        .collect();
    app.update(Msg::Api(Box::new(ApiEvent::WaitingFound {
        id: 1,
        result: Ok(many),
    })));
    let shown = screen(&app, 80, 24);
    let flat = words(&shown);
    assert!(
        flat.contains("Tasks 2, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 18, 20 wait for it: they will wait no more."),
        "{shown}"
    );
    press(&mut app, KeyCode::Esc);
    // An answer for a question no longer asked is let go.
    app.update(Msg::Api(Box::new(ApiEvent::WaitingFound {
        id: 1,
        result: Ok(vec!["99".into()]),
    })));
    assert_eq!(app.waiting_for_deleted, None);
    // One no row shows still counts.
    app.tasks[1].depends.clear();
    press(&mut app, KeyCode::Char('x'));
    let shown = screen(&app, 80, 24);
    assert!(shown.contains("Other tasks wait for it"), "{shown}");
    press(&mut app, KeyCode::Esc);
    // A task no one waits for is asked about as before.
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('x'));
    assert!(!screen(&app, 80, 24).contains("wait for it"));
}

/// A task done through the form loses its number: the message names it
/// as the form did, and says it was completed.
#[test]
fn done_through_the_form_says_completed_with_the_number_shown() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('e'));
    press(&mut app, KeyCode::BackTab); // status, the last field
    press(&mut app, KeyCode::Char('d'));
    let commands = press(&mut app, KeyCode::Enter);
    let [Command::UpdateTask {
        patch, shown_as, ..
    }] = commands.as_slice()
    else {
        panic!("expected an update, got {commands:?}");
    };
    assert_eq!(patch.status, Some(Status::Done));
    assert_eq!(shown_as, "1");
    assert_eq!(crate::msg::form_verb(patch), "Completed");
    assert_eq!(crate::msg::form_verb(&TaskPatch::default()), "Modified");
}

/// Long values in conflict show whole (up to three lines each), so that
/// where they differ can be seen, even at the end.
#[test]
fn a_conflict_shows_long_values_where_they_differ() {
    let mut tasks = fixtures::sample();
    tasks[0].title = "Prepare the detailed migration plan for the accounting system upgrade".into();
    let mut app = app_with(tasks.clone());
    press(&mut app, KeyCode::Char('e'));
    press(&mut app, KeyCode::End);
    type_text(&mut app, " now");
    press(&mut app, KeyCode::Enter);
    app.info("Kept the version changed elsewhere.");
    app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Form,
        created: false,
        verb: "Modified",
        shown_as: None,
        result: Err(problem(412)),
    })));
    let mut server = tasks[0].clone();
    server.version = 2;
    server.title = "Prepare the detailed migration plan for the payroll system upgrade too".into();
    app.update(Msg::Api(Box::new(ApiEvent::TaskFetched {
        id: server.id,
        result: Ok(server),
    })));
    for (width, height) in [(80, 24), (60, 20)] {
        let shown = screen(&app, width, height);
        let flat = words(&shown);
        assert!(flat.contains("upgrade now"), "{shown}");
        assert!(flat.contains("upgrade too"), "{shown}");
        assert!(!shown.contains("Kept the version"), "{shown}");
    }
}

/// A view its `project:` leaves empty says which projects starting so
/// would fill it, as the CLI does.
#[test]
fn an_empty_project_view_names_the_projects_it_may_mean() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('/'));
    let commands = type_text(&mut app, "project:hom");
    let Some(Command::LoadTasks {
        seq, query, names, ..
    }) = commands.last().cloned()
    else {
        panic!("expected a load, got {commands:?}");
    };
    app.update(Msg::Api(Box::new(ApiEvent::TasksLoaded {
        seq,
        query,
        names,
        result: Ok(Vec::new()),
        hint: Some(
            "project:hom names that project and its sub-projects; did you mean project:home?"
                .into(),
        ),
    })));
    let shown = screen(&app, 80, 24);
    assert!(shown.contains("No task matches the filter."), "{shown}");
    let flat = words(&shown);
    assert!(flat.contains("did you mean project:home?"), "{shown}");
    // A later view without one shows none.
    let commands = press(&mut app, KeyCode::Esc);
    answer_load(&mut app, &commands, Vec::new());
    assert!(!screen(&app, 80, 24).contains("did you mean"));
}

/// A second conflict: fields the form took from the first server version
/// are not the user's, and take the newer version's values; a value typed
/// back to the task's first one is sent; Esc while a save is on its way
/// does not claim to drop it.
#[test]
fn a_second_conflict_and_a_value_typed_back() {
    let conflict = |app: &mut App, server: &Task| {
        app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
            source: crate::msg::Source::Form,
            created: false,
            verb: "Modified",
            shown_as: None,
            result: Err(problem(412)),
        })));
        app.update(Msg::Api(Box::new(ApiEvent::TaskFetched {
            id: server.id,
            result: Ok(server.clone()),
        })))
    };
    let original = fixtures::sample()[0].clone();
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('e'));
    for _ in 0..3 {
        press(&mut app, KeyCode::Tab); // to priority
    }
    press(&mut app, KeyCode::Right);
    assert_eq!(press(&mut app, KeyCode::Enter).len(), 1);
    // The first: another client renamed it; only the priority was changed
    // here, so the save goes again at once over the new title.
    let mut first = original.clone();
    first.version = 2;
    first.title = "Renamed once".into();
    let commands = conflict(&mut app, &first);
    let [Command::UpdateTask {
        version: Some(2),
        patch,
        ..
    }] = commands.as_slice()
    else {
        panic!("expected a save over version 2, got {commands:?}");
    };
    assert_eq!(patch.title, None, "the other client's title stays");
    // The second: renamed again. The form's title, taken from the first,
    // takes the second's too, and is no conflict.
    let mut second = first.clone();
    second.version = 3;
    second.title = "Renamed twice".into();
    second.description = "Changed there".into();
    let commands = conflict(&mut app, &second);
    let [Command::UpdateTask {
        version: Some(3),
        patch,
        ..
    }] = commands.as_slice()
    else {
        panic!("expected a save over version 3, got {commands:?}");
    };
    assert_eq!(
        (patch.title.as_deref(), patch.description.as_deref()),
        (None, None)
    );
    assert!(patch.priority.is_some());
    let Overlay::Form(form) = &app.overlay else {
        panic!("the form stays open while it saves");
    };
    assert_eq!(form.title.value(), "Renamed twice");
    // Esc now: the save is on its way, and nothing is said to be dropped.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay, Overlay::None);
    assert_eq!(
        app.message.as_ref().map(|m| m.text.as_str()),
        Some("Closed the form; the save it sent goes on.")
    );

    // A title typed back to what the form first showed, after a conflict
    // that renamed it and changed the description: sent, not taken as
    // "unchanged".
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('e'));
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, " More.");
    press(&mut app, KeyCode::Enter);
    let mut server = original.clone();
    server.version = 2;
    server.title = "Renamed".into();
    server.description = "Theirs".into();
    conflict(&mut app, &server);
    let Overlay::Form(form) = &mut app.overlay else {
        panic!("a conflict in the description keeps the form open");
    };
    assert_eq!(form.title.value(), "Renamed");
    form.title.set(original.title.clone());
    let commands = press(&mut app, KeyCode::Enter);
    let [Command::UpdateTask {
        version: Some(2),
        patch,
        ..
    }] = commands.as_slice()
    else {
        panic!("expected a save over version 2, got {commands:?}");
    };
    assert_eq!(patch.title.as_deref(), Some(original.title.as_str()));
}

/// A task just added waits at the end of the rows until the reload puts it
/// where the sort wants it; then the view follows it there with its
/// neighbours, rather than starting at it and hiding the tasks above.
#[test]
fn a_task_added_near_the_top_leaves_the_tasks_above_it_in_view() {
    let mut tasks: Vec<Task> = [1, 2]
        .into_iter()
        .chain(10..50)
        .map(|id| fixtures::task(id, &format!("Task {id}")))
        .collect();
    let mut app = app_with(tasks.clone());
    let created = fixtures::task(3, "Second place");
    let commands = app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Form,
        created: true,
        verb: "Created",
        shown_as: None,
        result: Ok(created.clone()),
    })));
    assert_eq!(selected_id(&app), Some(3));
    tasks.push(created);
    answer_load(&mut app, &commands, tasks);
    assert_eq!(selected_id(&app), Some(3));
    assert_eq!(app.offset, 0);
    let shown = words(&screen(&app, 80, 24));
    assert!(shown.contains("Task 1 "), "{shown}");
    assert!(shown.contains("Task 2 "), "{shown}");

    // Moved far down by the sort, it is found in the middle of the view.
    let mut moved = fixtures::task(3, "Second place");
    moved.id = 45;
    moved.number = Some(45);
    let mut tasks: Vec<Task> = [1, 2]
        .into_iter()
        .chain(10..50)
        .map(|id| fixtures::task(id, &format!("Task {id}")))
        .collect();
    tasks.retain(|task| task.id != 45);
    tasks.push(moved);
    let commands = vec![app.reload()];
    app.select_id = Some(45);
    answer_load(&mut app, &commands, tasks);
    let rows = app.page_rows();
    assert_eq!(app.selected, 37);
    assert_eq!(app.offset, (37 - rows / 2).min(42 - rows), "{rows} rows");
}
