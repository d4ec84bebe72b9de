//! Snapshots of every screen at 80×24 and 160×48, drawn into a `TestBackend`.
//! "Now" is pinned and the time zone is UTC, so relative dates never drift.

use common::api::Problem;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};

use super::*;
use crate::app::Overlay;
use crate::form::Field;
use crate::msg::Failure;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

/// Snapshots `app` at both sizes as `{name}_{w}x{h}`.
fn snapshot_both(name: &str, app: &mut App) {
    for (width, height) in SIZES {
        app.update(Msg::Resize(width, height));
        let terminal = draw(app, width, height);
        insta::assert_snapshot!(format!("{name}_{width}x{height}"), terminal.backend());
    }
}

#[test]
fn table() {
    let mut app = app_as_started(fixtures::sample());
    press(&mut app, KeyCode::Tab);
    let commands = press(&mut app, KeyCode::Char('r'));
    answer_load(&mut app, &commands, fixtures::sample());
    snapshot_both("table", &mut app);
}

#[test]
fn detail_pane() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Enter);
    snapshot_both("detail", &mut app);
}

#[test]
fn detail_pane_of_a_taskwarrior_task() {
    let mut tasks = fixtures::sample();
    let now = fixtures::now();
    let rich = &mut tasks[0];
    rich.start = Some(now - chrono::Duration::hours(2));
    rich.scheduled = Some(now - chrono::Duration::days(1));
    rich.depends = vec![3];
    rich.blocked = true;
    rich.blocking = true;
    rich.udas = [
        ("size".to_string(), common::api::UdaValue::Integer(3)),
        (
            "a_long_attribute_name".to_string(),
            common::api::UdaValue::Text("wide".into()),
        ),
    ]
    .into();
    rich.annotations = vec![common::api::Annotation {
        id: 1,
        entry: now - chrono::Duration::days(1),
        text: "called the nursery".into(),
    }];
    let mut app = app_with(tasks);
    press(&mut app, KeyCode::Enter);
    snapshot_both("detail_rich", &mut app);
    let terminal = draw(&app, 160, 48);
    let screen = format!("{:?}", terminal.backend());
    for expected in [
        "Active",
        "Scheduled",
        "size      3",
        "a_long_attribute_name wide",
        "Depends",
        "blocked",
        "blocking",
        "called the nursery",
        "Urgency",
        "active +4.00",
    ] {
        assert!(screen.contains(expected), "no {expected:?} in {screen}");
    }
}

#[test]
fn the_detail_pane_and_the_edit_form_name_a_task_as_the_table_does() {
    // The API's id is never shown: a pending task by its number, a done
    // one by the start of its uuid.
    let mut tasks = fixtures::sample();
    for task in &mut tasks {
        task.id += 7000;
    }
    let mut app = app_with(tasks);
    let number = app.selected_task().and_then(|t| t.number).unwrap();
    press(&mut app, KeyCode::Enter);
    let screen = format!("{:?}", draw(&app, 160, 48).backend());
    assert!(screen.contains(&format!(" Task {number} ")), "{screen}");
    assert!(!screen.contains("700"), "{screen}");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('e'));
    let screen = format!("{:?}", draw(&app, 160, 48).backend());
    assert!(
        screen.contains(&format!(" Edit task {number} ")),
        "{screen}"
    );
    assert!(!screen.contains("700"), "{screen}");
}

#[test]
fn form_with_a_multi_line_description() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "Plan trip");
    press(&mut app, KeyCode::Tab);
    // Six lines, the cursor in the fifth: the four rows shown end there.
    app.update(Msg::Paste("one\ntwo\nthree\nfour\nfive\nsix".into()));
    for _ in 0..4 {
        press(&mut app, KeyCode::Left);
    }
    snapshot_both("form_multi_line", &mut app);
    let terminal = draw(&app, 80, 24);
    let screen = format!("{:?}", terminal.backend());
    assert!(
        screen.contains("five") && !screen.contains("six"),
        "{screen}"
    );
}

#[test]
fn form_with_a_validation_error() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('e'));
    // Clear the title, type a bad date, then save.
    app.update(key_with(
        ratatui::crossterm::event::KeyModifiers::CONTROL,
        KeyCode::Char('u'),
    ));
    for _ in 0..4 {
        press(&mut app, KeyCode::Tab);
    }
    app.update(key_with(
        ratatui::crossterm::event::KeyModifiers::CONTROL,
        KeyCode::Char('u'),
    ));
    type_text(&mut app, "next blursday");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    snapshot_both("form_error", &mut app);
}

/// A form taller than the screen (errors on several fields, a short
/// terminal): the fields scroll to the focused one, and the error and the
/// keys below them stay in view.
#[test]
fn a_form_taller_than_the_screen_scrolls_to_its_focused_field() {
    let mut app = app_with(fixtures::sample());
    app.update(Msg::Resize(60, 20));
    press(&mut app, KeyCode::Char('e'));
    for (field, text) in [
        (Field::Due, "next blursday"),
        (Field::Until, "xx"),
        (Field::Attributes, "Due:1 a b"),
    ] {
        while !matches!(&app.overlay, Overlay::Form(form) if form.focus == field) {
            press(&mut app, KeyCode::Tab);
        }
        type_text(&mut app, text);
    }
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    // The first field in error has the focus; move to the last.
    while !matches!(&app.overlay, Overlay::Form(form) if form.focus == Field::Attributes) {
        press(&mut app, KeyCode::Tab);
    }
    let terminal = draw(&app, 60, 20);
    let screen = format!("{:?}", terminal.backend());
    assert!(screen.contains("›Attributes"), "{screen}");
    assert!(screen.contains("enter save"), "{screen}");
    insta::assert_snapshot!("form_scrolled_60x20", terminal.backend());
}

/// The details pane below the table is sized for its lines as they wrap,
/// so that a long note is not what a narrow screen cuts.
#[test]
fn the_details_pane_counts_its_lines_as_they_wrap() {
    let mut task = fixtures::task(1, "Long");
    task.description = "word ".repeat(60);
    let app = app_with(vec![task]);
    let wide = crate::ui::detail_rows(&app, 400);
    let narrow = crate::ui::detail_rows(&app, 64);
    // 300 characters at 60 a row: 4 more rows than on one line.
    assert_eq!(narrow, wide + 4);
}

#[test]
fn add_form() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "Plant tulips");
    snapshot_both("form_add", &mut app);
}

#[test]
fn help() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('?'));
    snapshot_both("help", &mut app);
    // Every line whole where the screen has room for it.
    app.update(Msg::Resize(120, 35));
    let screen = format!("{:?}", draw(&app, 120, 35).backend());
    for (_, what) in crate::ui::KEYS {
        assert!(screen.contains(what.trim()), "{what:?} cut in {screen}");
    }
}

#[test]
fn login_form() {
    let mut app = App::new("http://127.0.0.1:8000", None, false, fixtures::now(), utc());
    type_text(&mut app, "alice");
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "secret");
    snapshot_both("login", &mut app);
}

#[test]
fn server_down_status_bar() {
    let mut app = app_with(fixtures::sample());
    let commands = press(&mut app, KeyCode::Char('r'));
    let Some(Command::LoadTasks { seq, query, .. }) = commands.first() else {
        panic!("no load");
    };
    app.update(Msg::Api(Box::new(ApiEvent::TasksLoaded {
        seq: *seq,
        query: query.clone(),
        names: Vec::new(),
        result: Err(Failure::Unreachable(
            "cannot reach taskd at http://127.0.0.1:8000: is it running? (start it with taskd)"
                .into(),
        )),
        hint: None,
    })));
    snapshot_both("server_down", &mut app);
}

#[test]
fn empty_list() {
    let mut app = app_with(Vec::new());
    snapshot_both("empty", &mut app);
}

#[test]
fn filter_prompt_and_no_match() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('/'));
    let commands = type_text(&mut app, "+nothing-has-this");
    answer_load(&mut app, &commands, Vec::new());
    snapshot_both("filter_no_match", &mut app);
}

#[test]
fn dependencies_prompt() {
    let mut app = app_with(fixtures::sample());
    type_text(&mut app, "D");
    type_text(&mut app, "2,-3");
    snapshot_both("dependencies_prompt", &mut app);
}

#[test]
fn confirm_delete() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('x'));
    snapshot_both("confirm_delete", &mut app);
}

#[test]
fn terminal_too_small() {
    let mut app = app_with(fixtures::sample());
    for (width, height) in [(59, 20), (60, 19), (40, 10), (10, 3), (1, 1)] {
        app.update(Msg::Resize(width, height));
        let text = screen(&app, width, height);
        if width >= 20 {
            assert!(
                text.contains("terminal too small"),
                "{width}×{height}:\n{text}"
            );
            assert!(!text.contains("Tasks"), "no table behind it");
        }
    }
    app.update(Msg::Resize(50, 15));
    insta::assert_snapshot!("too_small_50x15", draw(&app, 50, 15).backend());
    // Growing back redraws the table.
    app.update(Msg::Resize(60, 20));
    assert!(screen(&app, 60, 20).contains("Water the roses"));
}

/// The smallest terminal it runs in: the table, the details pane, the help
/// (scrolled) and the add form all fit.
#[test]
fn sixty_by_twenty() {
    let mut app = app_with(fixtures::sample());
    app.update(Msg::Resize(60, 20));
    insta::assert_snapshot!("table_60x20", draw(&app, 60, 20).backend());
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!("detail_60x20", draw(&app, 60, 20).backend());
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('?'));
    for _ in 0..30 {
        press(&mut app, KeyCode::Char('j'));
    }
    let help = screen(&app, 60, 20);
    assert!(
        help.contains("quit") && help.contains("j/k scroll"),
        "{help}"
    );
    insta::assert_snapshot!("help_scrolled_60x20", draw(&app, 60, 20).backend());
    press(&mut app, KeyCode::Char('x'));
    assert_eq!(app.overlay, crate::app::Overlay::None);
    press(&mut app, KeyCode::Char('a'));
    insta::assert_snapshot!("form_add_60x20", draw(&app, 60, 20).backend());
    press(&mut app, KeyCode::Esc);
    // The filter in force stays in sight: the counts' detail and the sort
    // give way to it.
    app.filter.applied = "+garden pro:home.garden".into();
    let shown = screen(&app, 60, 20);
    assert!(shown.contains("filter: +garden pro:home.garden"), "{shown}");
    assert!(!shown.contains("sort:"), "{shown}");
    app.filter.applied = "+x".into();
    let shown = screen(&app, 60, 20);
    assert!(
        shown.contains("sort: ") && shown.contains("filter: +x"),
        "{shown}"
    );
    // Typing one: the hint keeps its keys, and names tasks by number.
    app.filter.editing = true;
    let shown = screen(&app, 60, 20);
    assert!(
        shown.contains("esc restore") && shown.contains("1,3 words"),
        "{shown}"
    );
}

#[test]
fn control_characters_in_titles_are_escaped() {
    let mut app = app_with(fixtures::sample());
    app.update(Msg::Resize(160, 48));
    let terminal = draw(&app, 160, 48);
    let buffer = terminal.backend().buffer();
    for cell in buffer.content() {
        assert!(
            !cell.symbol().chars().any(char::is_control),
            "raw control character {:?} drawn",
            cell.symbol()
        );
    }
    assert!(screen(&app, 160, 48).contains(r"Evil \x1b[2J\x1b]0;pwned\x07 title"));
}

fn find(buffer: &Buffer, text: &str) -> (u16, u16) {
    let area = buffer.area;
    for y in 0..area.height {
        let line: String = (0..area.width).map(|x| buffer[(x, y)].symbol()).collect();
        if let Some(col) = line.find(text) {
            let x = line[..col].chars().count();
            return (u16::try_from(x).unwrap_or(0), y);
        }
    }
    panic!("{text:?} not on screen");
}

#[test]
fn done_tasks_are_dimmed_and_overdue_ones_highlighted() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Tab);
    let commands = press(&mut app, KeyCode::Char('r'));
    answer_load(&mut app, &commands, fixtures::sample());
    let terminal = draw(&app, 80, 24);
    let buffer = terminal.backend().buffer();
    let (x, y) = find(buffer, "Read the ratatui");
    assert!(buffer[(x, y)].modifier.contains(Modifier::DIM));
    let (x, y) = find(buffer, "3d ago");
    assert_eq!(buffer[(x, y)].fg, Color::Red);
    assert!(buffer[(x, y)].modifier.contains(Modifier::BOLD));
    let (x, y) = find(buffer, "in 2d");
    assert_ne!(buffer[(x, y)].fg, Color::Red);
}

#[test]
fn server_problem_beside_its_field() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "Too many tags");
    press(&mut app, KeyCode::Enter);
    app.update(Msg::Api(Box::new(ApiEvent::TaskSaved {
        source: crate::msg::Source::Form,
        created: true,
        verb: "Created",
        shown_as: None,
        result: Err(Failure::Problem(Problem {
            kind: "about:blank".into(),
            title: "Bad Request".into(),
            status: 400,
            detail: "validation failed".into(),
            errors: Some([("tags".to_string(), vec!["at most 32 tags".to_string()])].into()),
            code: None,
        })),
    })));
    let text = screen(&app, 80, 24);
    let tags_row = text
        .lines()
        .position(|l| l.contains("›Tags"))
        .unwrap_or_else(|| panic!("no Tags row:\n{text}"));
    let next = text.lines().nth(tags_row + 1).unwrap_or_default();
    assert!(next.contains("✗ at most 32 tags"), "{text}");
}

/// Wide characters take two columns each: the project column makes room.
#[test]
fn wide_characters_are_measured_in_columns() {
    let mut task = fixtures::task(7, "Shop");
    task.project = Some("買い物リスト".into());
    let mut app = app_with(vec![task]);
    app.update(Msg::Resize(160, 48));
    let terminal = draw(&app, 160, 48);
    let screen = format!("{:?}", terminal.backend());
    assert!(screen.contains("買い物リスト"), "{screen}");
}

/// A filter being typed that does not parse says why in full, wrapped
/// under it, rather than in what the filter line leaves.
#[test]
fn a_filter_error_is_told_in_full_under_the_filter() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "due.before:notadate");
    let text = screen(&app, 80, 24);
    let error = app.filter.error.clone().unwrap_or_default();
    assert!(error.ends_with("(eom-1d)"), "{error}");
    let filter_row = text
        .lines()
        .position(|l| l.starts_with("/ due.before:notadate"))
        .unwrap_or_else(|| panic!("no filter line:\n{text}"));
    let below: String = text
        .lines()
        .skip(filter_row + 1)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(below.contains("✗ due.before: invalid date"), "{text}");
    assert!(below.contains("(eom-1d)"), "{text}");
}

/// `limit:` shapes the CLI's reports; here the list scrolls, and the
/// filter line says so rather than drop the word.
#[test]
fn a_limit_on_the_filter_line_is_refused_saying_why() {
    let mut app = app_with(fixtures::sample());
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "limit:5");
    let error = app.filter.error.clone().unwrap_or_default();
    assert!(
        error.contains("the list here scrolls through every task"),
        "{error}"
    );
}

/// A field away from the cursor reads from its start, its cut end marked.
#[test]
fn a_long_field_away_from_the_cursor_shows_its_start() {
    let mut task = fixtures::task(1, "Long attributes");
    task.udas = (0..12)
        .map(|n| (format!("name{n:02}"), common::api::UdaValue::Integer(n)))
        .collect();
    let mut app = app_with(vec![task]);
    app.update(Msg::Resize(60, 20));
    press(&mut app, KeyCode::Char('e'));
    let terminal = draw(&app, 60, 20);
    let screen = format!("{:?}", terminal.backend());
    assert!(screen.contains("Attributes  name00:0 name01:1"), "{screen}");
    assert!(screen.contains('…'), "{screen}");
}

/// The details of a task that holds others up name them, as `task info`
/// does.
#[test]
fn the_details_of_a_blocking_task_name_the_tasks_it_holds_up() {
    let mut first = fixtures::task(1, "Buy paint");
    first.blocking = true;
    let mut second = fixtures::task(2, "Paint the fence");
    second.depends = vec![1];
    second.blocked = true;
    let mut app = app_with(vec![first, second]);
    press(&mut app, KeyCode::Enter);
    let screen = format!("{:?}", draw(&app, 80, 24).backend());
    assert!(screen.contains("Depends   none · blocking 2"), "{screen}");
}

#[test]
fn tags_and_projects_take_the_room_short_titles_leave() {
    let mut tasks = fixtures::sample();
    tasks.truncate(3);
    tasks[0].tags = vec!["outside".into(), "weekend".into(), "garden".into()];
    tasks[0].project = Some("home.garden.front-beds".into());
    let mut app = app_with(tasks.clone());
    app.update(Msg::Resize(100, 24));
    let shown = screen(&app, 100, 24);
    assert!(shown.contains("+outside +weekend +garden "), "{shown}");
    assert!(shown.contains("home.garden.front-beds "), "{shown}");
    assert!(shown.contains("File the tax return"), "{shown}");

    // A title that needs the room keeps it, as before: the tags are cut.
    tasks[1].title =
        "File the tax return, with every receipt of the year, before the end of the month".into();
    let mut app = app_with(tasks);
    app.update(Msg::Resize(100, 24));
    let shown = screen(&app, 100, 24);
    assert!(!shown.contains("+outside +weekend +garden "), "{shown}");
    assert!(shown.contains("+outside +wee…"), "{shown}");

    // Titles shorter than the title column's least: it gives way to them.
    let mut tasks = fixtures::sample();
    tasks.truncate(2);
    tasks[0].title = "Tax".into();
    tasks[0].tags = vec!["money".into(), "urgent".into(), "paperwork".into()];
    tasks[0].project = Some("admin.papers.2026".into());
    tasks[1].title = "Roses".into();
    let mut app = app_with(tasks);
    app.update(Msg::Resize(80, 24));
    let shown = screen(&app, 80, 24);
    assert!(shown.contains("+money +urgent +paperwork "), "{shown}");
    assert!(shown.contains("admin.papers.2026 "), "{shown}");
}

/// A prompt's error is read whole, wrapped under what was typed, where one
/// line cut it off at the box's edge.
#[test]
fn a_prompts_long_error_is_wrapped_whole() {
    let mut app = app_with(fixtures::sample());
    type_text(&mut app, "D");
    type_text(&mut app, "abc");
    press(&mut app, KeyCode::Enter);
    let Overlay::Prompt(prompt) = &app.overlay else {
        panic!("the prompt went: {:?}", app.overlay);
    };
    let error = prompt.error.clone().unwrap_or_default();
    assert!(error.len() > 80, "{error}");
    let shown = screen(&app, 100, 30);
    assert!(error.starts_with(
        "depends: \"abc\" does not name a task (a number, or 8 or more characters of a uuid"
    ));
    // At 100 columns, on two lines of the box.
    assert!(
        shown.contains(
            "│✗ depends: \"abc\" does not name a task (a number, or 8 or more characters  │"
        ),
        "{shown}"
    );
    assert!(shown.contains("│of a uuid"), "{shown}");
}
