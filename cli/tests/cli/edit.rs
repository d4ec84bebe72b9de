//! `task ID edit` with a scripted editor: a change, no change, a form that
//! does not read and is fixed, and a task changed on the server meanwhile.

use std::path::Path;

use crate::helpers::{task_bin, Cli, TestServer};

/// An executable shell script at `dir/name`.
fn script(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\nset -e\n{body}\n")).expect("write script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .expect("chmod script");
    }
    path.display().to_string()
}

fn task(cli: &Cli) -> serde_json::Value {
    cli.run(&["--json", "show", "1"]).success().json()[0].clone()
}

#[test]
fn the_editor_changes_what_the_form_says() {
    let server = TestServer::start();
    let mut cli = Cli::logged_in(&server, "alice");
    cli.add(&["Fix", "bike", "+old", "project:home", "uda.size:L"]);
    cli.add(&["Buy", "tyre"]);
    let dir = tempfile::tempdir().expect("temp dir");
    let editor = script(
        dir.path(),
        "edit.sh",
        "sed -i -e 's/^Priority:.*/Priority:  H/' -e 's/^Tags:.*/Tags:      new +shiny/' \
         -e 's/^Depends:.*/Depends:   2/' -e 's/^Title:.*/Title:     Fix: the bike/' \
         -e 's/^uda.size:.*/uda.size: XL/' -e '/^uda.size:/a uda.colour: \"dark red\"' \
         -e '/^Annotations/a - ask Sam first' -e '/^Annotations/a Due: call back first' \"$1\"\n\
         echo 'Two tyres.' >> \"$1\"",
    );
    cli.extra_env.push(("EDITOR".into(), editor));
    let out = cli.ok(&["1", "edit"]);
    assert_eq!(out, "Edited task 1 \"Fix: the bike\".\n");
    let edited = task(&cli);
    assert_eq!(edited["priority"], "high");
    assert_eq!(edited["tags"], serde_json::json!(["new", "shiny"]));
    assert_eq!(edited["project"], "home", "left as it was");
    assert_eq!(edited["depends"], serde_json::json!([2]));
    // Quotes around a value typed afresh group it, as on the command line.
    assert_eq!(
        edited["udas"],
        serde_json::json!({"size": "XL", "colour": "dark red"})
    );
    assert_eq!(edited["description"], "Two tyres.");
    // A note's line with `- ` before it or not.
    assert_eq!(edited["annotations"][0]["text"], "ask Sam first");
    assert_eq!(edited["annotations"][1]["text"], "Due: call back first");

    // Taking the note's line away takes the note away; VISUAL wins.
    let visual = script(dir.path(), "denote.sh", "sed -i '/ask Sam first/d' \"$1\"");
    cli.extra_env.push(("VISUAL".into(), visual));
    cli.ok(&["edit", "1"]);
    let notes = &task(&cli)["annotations"];
    assert_eq!(notes.as_array().map(Vec::len), Some(1), "{notes}");
    assert_eq!(notes[0]["text"], "Due: call back first");

    // An until date that has passed is said, as by add and modify; a `-tag`
    // in the Tags line is refused, the form opened again to fix it.
    let count = dir.path().join("count");
    let expire = script(
        dir.path(),
        "expire.sh",
        &format!(
            "n=$(cat '{count}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '{count}'\n\
             case $n in\n\
             1) sed -i -e 's/^Until:.*/Until:     yesterday/' -e 's/^Tags:.*/Tags:      -new/' \"$1\" ;;\n\
             2) grep -q '^# ERROR: Tags: -new: to remove the tag new, leave it out' \"$1\"\n\
                sed -i -e 's/^Tags:.*/Tags:      shiny/' \"$1\" ;;\n\
             esac",
            count = count.display()
        ),
    );
    cli.extra_env.push(("VISUAL".into(), expire));
    let out = cli.ok(&["edit", "1"]);
    assert!(out.contains("Its until date has passed"), "{out}");
    assert_eq!(std::fs::read_to_string(&count).unwrap().trim(), "2");
    assert_eq!(task(&cli)["tags"], serde_json::json!(["shiny"]));
}

#[test]
fn no_change_changes_nothing() {
    let server = TestServer::start();
    let mut cli = Cli::logged_in(&server, "alice");
    cli.add(&["Plan", "trip", "due:tomorrow"]);
    let version = task(&cli)["version"].clone();
    cli.extra_env.push(("EDITOR".into(), "true".into()));
    let out = cli.ok(&["1", "edit"]);
    assert_eq!(out, "Task 1 \"Plan trip\": nothing changed.\n");
    assert_eq!(task(&cli)["version"], version, "nothing sent");
    // An emptied file gives up.
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = script(dir.path(), "empty.sh", ": > \"$1\"");
    cli.extra_env.push(("EDITOR".into(), empty));
    assert_eq!(cli.ok(&["1", "edit"]), "Empty file: nothing changed.\n");
    // A failing editor changes nothing either.
    cli.extra_env.push(("EDITOR".into(), "false".into()));
    cli.run(&["1", "edit"]).failure(1);
    assert_eq!(task(&cli)["version"], version);
}

#[test]
fn a_form_that_does_not_read_is_opened_again_with_the_error() {
    let server = TestServer::start();
    let mut cli = Cli::logged_in(&server, "alice");
    cli.add(&["Call", "mum"]);
    let dir = tempfile::tempdir().expect("temp dir");
    let count = dir.path().join("count");
    let editor = script(
        dir.path(),
        "twice.sh",
        &format!(
            "n=$(cat '{count}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '{count}'\n\
             if [ $n = 1 ]; then sed -i 's/^Due:.*/Due:       whenever/' \"$1\"; exit 0; fi\n\
             grep -q '^# ERROR: Due' \"$1\"\n\
             grep -q '^Due: *whenever' \"$1\"\n\
             sed -i 's/^Due:.*/Due:       2026-03-10/' \"$1\"",
            count = count.display()
        ),
    );
    cli.extra_env.push(("EDITOR".into(), editor));
    cli.ok(&["1", "edit"]);
    assert_eq!(std::fs::read_to_string(&count).unwrap().trim(), "2");
    assert!(task(&cli)["due"]
        .as_str()
        .unwrap()
        .starts_with("2026-03-10"));
}

#[test]
fn a_task_changed_meanwhile_is_not_overwritten_and_the_text_is_kept() {
    let server = TestServer::start();
    let mut cli = Cli::logged_in(&server, "alice");
    cli.add(&["Pay", "rent", "uda.size:3"]);
    let dir = tempfile::tempdir().expect("temp dir");
    // While the form is open, another field changes through another
    // `task`: the edit is saved over it, and both changes stay.
    let editor = script(
        dir.path(),
        "other.sh",
        &format!(
            "'{bin}' 1 modify +elsewhere uda.ratio:0.5 > /dev/null\n\
             sed -i -e 's/^Priority:.*/Priority:  H/' -e 's/^uda.size:.*/uda.size: 4/' \"$1\"",
            bin = task_bin()
        ),
    );
    cli.extra_env.push(("EDITOR".into(), editor));
    let out = cli.ok(&["1", "edit"]);
    assert!(out.starts_with("Edited task 1"), "{out}");
    let now = task(&cli);
    assert_eq!(now["tags"], serde_json::json!(["elsewhere"]));
    assert_eq!(now["priority"], "high");
    assert_eq!(now["udas"], serde_json::json!({"size": 4, "ratio": 0.5}));

    // The same field changed there too: nothing is overwritten, and the
    // text is kept.
    let editor = script(
        dir.path(),
        "race.sh",
        &format!(
            "'{bin}' 1 modify pri:L > /dev/null\n\
             sed -i 's/^Priority:.*/Priority:  M/' \"$1\"",
            bin = task_bin()
        ),
    );
    cli.extra_env.push(("EDITOR".into(), editor));
    let run = cli.run(&["1", "edit"]).failure(1);
    assert!(
        run.stderr.contains(
            "changed on the server while you edited it (changed there and here: priority)"
        ),
        "{run:?}"
    );
    let now = task(&cli);
    assert_eq!(now["priority"], "low", "not overwritten");
    let kept = run
        .stderr
        .split("Your text is in ")
        .nth(1)
        .and_then(|rest| rest.split(": run").next())
        .expect("the kept file is named");
    let text = std::fs::read_to_string(kept.trim()).expect("the text was kept");
    assert!(text.contains("Priority:  M"), "{text}");
    let _ = std::fs::remove_file(kept.trim());

    // Deleted meanwhile: said so, and how to bring it back; the text is kept.
    let uuid = task(&cli)["uuid"].as_str().expect("a uuid").to_string();
    let editor = script(
        dir.path(),
        "gone.sh",
        &format!(
            "'{bin}' 1 delete > /dev/null 2>&1\n\
             sed -i 's/^Priority:.*/Priority:  H/' \"$1\"",
            bin = task_bin()
        ),
    );
    cli.extra_env.push(("EDITOR".into(), editor));
    let run = cli.run(&["1", "edit"]).failure(1);
    assert!(
        run.stderr
            .contains("task 1 was deleted while you edited it; nothing was saved"),
        "{run:?}"
    );
    assert!(
        run.stderr.contains(&format!("`task restore {uuid}`")),
        "{run:?}"
    );
    let kept = run
        .stderr
        .split("Your text is in ")
        .nth(1)
        .and_then(|rest| rest.split(". `task restore").next())
        .expect("the kept file is named");
    let text = std::fs::read_to_string(kept.trim()).expect("the text was kept");
    assert!(text.contains("Priority:  H"), "{text}");
    let _ = std::fs::remove_file(kept.trim());
}

/// What only the server (or a lookup) can refuse reopens the form too, the
/// text kept: an unknown dependency, a tag the server does not take.
#[test]
fn a_refused_value_reopens_the_form() {
    let server = TestServer::start();
    let mut cli = Cli::logged_in(&server, "alice");
    cli.add(&["Fix", "roof"]);
    let dir = tempfile::tempdir().expect("temp dir");
    let count = dir.path().join("count");
    let many_tags: Vec<String> = (1..=33).map(|n| format!("t{n}")).collect();
    let many_tags = many_tags.join(" ");
    let editor = script(
        dir.path(),
        "refused.sh",
        &format!(
            "n=$(cat '{count}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '{count}'\n\
             case $n in\n\
             1) sed -i 's/^Depends:.*/Depends:   99/' \"$1\" ;;\n\
             2) grep -q '^# ERROR: Depends: task 99: no such task' \"$1\"\n\
                sed -i -e 's/^Depends:.*/Depends:/' -e 's/^Tags:.*/Tags:      {many_tags}/' \"$1\" ;;\n\
             3) grep -q '^# ERROR: tags' \"$1\"\n\
                sed -i -e 's/^Tags:.*/Tags:      short/' \"$1\" ;;\n\
             esac",
            count = count.display()
        ),
    );
    cli.extra_env.push(("EDITOR".into(), editor));
    cli.ok(&["1", "edit"]);
    assert_eq!(std::fs::read_to_string(&count).unwrap().trim(), "3");
    assert_eq!(task(&cli)["tags"], serde_json::json!(["short"]));
}

#[test]
fn a_value_with_a_line_break_stays_on_its_line_and_is_kept() {
    let server = TestServer::start();
    let mut cli = Cli::logged_in(&server, "alice");
    cli.add(&["Write", "memo", "uda.ratio:0.5"]);
    cli.ok(&["1", "modify", "uda.memo:first\nsecond"]);
    let dir = tempfile::tempdir().expect("temp dir");
    // The form shows the break as `\n`; the title changed, the rest kept.
    let editor = script(
        dir.path(),
        "title.sh",
        "grep -q '^uda.memo: first\\\\nsecond$' \"$1\"\n\
         sed -i 's/^Title:.*/Title:     Write the memo/' \"$1\"",
    );
    cli.extra_env.push(("EDITOR".into(), editor));
    cli.ok(&["1", "edit"]);
    let edited = task(&cli);
    assert_eq!(edited["title"], "Write the memo");
    assert_eq!(edited["udas"]["memo"], "first\nsecond");

    // The same number written another way is no change.
    let version = edited["version"].clone();
    let same = script(
        dir.path(),
        "same.sh",
        "sed -i 's/^uda.ratio:.*/uda.ratio: 0.50/' \"$1\"",
    );
    cli.extra_env.push(("EDITOR".into(), same));
    assert_eq!(
        cli.ok(&["1", "edit"]),
        "Task 1 \"Write the memo\": nothing changed.\n"
    );
    assert_eq!(task(&cli)["version"], version);

    // An editor that gives back an erroneous form unchanged is not asked
    // again for ever (the script fails its fourth run, should it come).
    let count = dir.path().join("count");
    let bad = script(
        dir.path(),
        "bad.sh",
        &format!(
            "n=$(cat '{count}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '{count}'\n\
             [ $n -lt 4 ]\n\
             sed -i 's/^Due:.*/Due:       whenever/' \"$1\"",
            count = count.display()
        ),
    );
    cli.extra_env.push(("EDITOR".into(), bad));
    let out = cli.run(&["1", "edit"]).failure(1);
    assert!(out.stderr.contains("came back unchanged"), "{out:?}");
    assert_eq!(std::fs::read_to_string(&count).unwrap().trim(), "2");

    // The value of several lines itself edited: its escapes read back.
    let lines = script(
        dir.path(),
        "lines.sh",
        "sed -i 's/^uda.memo:.*/uda.memo: first\\\\nsecond\\\\nthird/' \"$1\"",
    );
    cli.extra_env.push(("EDITOR".into(), lines));
    cli.ok(&["1", "edit"]);
    assert_eq!(task(&cli)["udas"]["memo"], "first\nsecond\nthird");
}

#[test]
fn notes_are_taken_away_and_added_over_changes_made_meanwhile() {
    let server = TestServer::start();
    let mut cli = Cli::logged_in(&server, "alice");
    cli.add(&["Pay", "rent"]);
    cli.ok(&["1", "annotate", "ask the bank"]);
    let dir = tempfile::tempdir().expect("temp dir");
    // Meanwhile: the priority set, the same note added, the old one taken
    // away; here: a note added and the old one taken away.
    let editor = script(
        dir.path(),
        "notes.sh",
        &format!(
            "'{bin}' 1 modify pri:H > /dev/null\n\
             '{bin}' 1 annotate 'call the landlord' > /dev/null\n\
             '{bin}' 1 denotate 'ask the bank' > /dev/null\n\
             sed -i -e '/ask the bank/d' -e '/^Annotations/a - call the landlord' \"$1\"",
            bin = task_bin()
        ),
    );
    cli.extra_env.push(("EDITOR".into(), editor));
    let out = cli.ok(&["1", "edit"]);
    assert!(out.starts_with("Edited task 1"), "{out}");
    let now = task(&cli);
    assert_eq!(now["priority"], "high");
    let notes: Vec<&str> = now["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|note| note["text"].as_str().unwrap())
        .collect();
    assert_eq!(notes, ["call the landlord"], "added once");
}

/// Stopped by a signal while the editor is open, `task edit` removes its
/// file, passes the signal on to the editor and changes nothing; an
/// interrupt while the editor runs is the editor's.
#[test]
fn a_stopped_edit_leaves_no_file_behind() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let server = TestServer::start();
    let mut cli = Cli::logged_in(&server, "alice");
    cli.add(&["Fix", "bike"]);
    let dir = tempfile::tempdir().expect("temp dir");
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).expect("temp dir");
    let started = dir.path().join("started");
    // The editor says who it is and which file it has, then waits (with no
    // pipe of the test's held open, should it outlive the command).
    let editor = script(
        dir.path(),
        "slow.sh",
        &format!(
            "echo \"$$ $1\" > '{}'\nexec sleep 20 < /dev/null > /dev/null 2>&1",
            started.display()
        ),
    );
    cli.extra_env.push(("EDITOR".into(), editor));
    cli.extra_env
        .push(("TMPDIR".into(), tmp.display().to_string()));
    for (signal, code) in [("INT", None), ("TERM", Some(143)), ("HUP", Some(129))] {
        let _ = std::fs::remove_file(&started);
        let child = cli
            .command(&["1", "edit"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("task runs");
        let deadline = Instant::now() + Duration::from_secs(20);
        let (editor, file) = loop {
            match std::fs::read_to_string(&started) {
                Ok(line) if line.ends_with('\n') => match line.trim().split_once(' ') {
                    Some((pid, path)) => break (pid.to_string(), path.to_string()),
                    None => panic!("the editor wrote {line:?}"),
                },
                _ if Instant::now() > deadline => panic!("the editor never started"),
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        assert!(Path::new(&file).exists(), "{file} is there while editing");
        let kill = format!("kill -{signal} {}", child.id());
        assert!(std::process::Command::new("sh")
            .args(["-c", &kill])
            .status()
            .expect("kill runs")
            .success());
        let Some(code) = code else {
            // Left to the editor: the command waits on.
            std::thread::sleep(Duration::from_millis(300));
            assert!(Path::new(&file).exists(), "still editing after SIGINT");
            let kill = format!("kill -TERM {}", child.id());
            std::process::Command::new("sh")
                .args(["-c", &kill])
                .status()
                .expect("kill runs");
            let out = child.wait_with_output().expect("task finishes");
            assert_eq!(out.status.code(), Some(143));
            continue;
        };
        let out = child.wait_with_output().expect("task finishes");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{stderr}");
        assert!(
            stderr.contains(&format!("stopped by SIG{signal}; nothing changed")),
            "{stderr}"
        );
        assert!(!Path::new(&file).exists(), "{file} was left behind");
        // The editor had the signal too, and is gone (or a zombie not yet
        // reaped by whoever took it in).
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let stat = std::fs::read_to_string(format!("/proc/{editor}/stat")).unwrap_or_default();
            let state = stat.rsplit(')').next().unwrap_or("").trim_start();
            if stat.is_empty() || state.starts_with('Z') {
                break;
            }
            assert!(Instant::now() < deadline, "the editor still runs: {stat}");
            std::thread::sleep(Duration::from_millis(20));
        }
        let left: Vec<_> = std::fs::read_dir(&tmp).expect("temp dir").collect();
        assert!(left.is_empty(), "left in the temp dir: {left:?}");
    }
    assert_eq!(task(&cli)["title"], "Fix bike");
}

/// A number the form's Depends line showed still means the task it named
/// then: done meanwhile, and its number given to a new task, it is not
/// swapped for the new task.
#[test]
fn depends_keeps_the_tasks_it_showed_when_they_are_renumbered_meanwhile() {
    let server = TestServer::start();
    let mut cli = Cli::logged_in(&server, "alice");
    cli.add(&["Draw", "plans"]);
    cli.add(&["Get", "permit"]);
    cli.add(&["Build", "shed", "depends:1"]);
    let id_of =
        |number: &str| cli.run(&["--json", "show", number]).success().json()[0]["id"].clone();
    let (plans, permit) = (id_of("1"), id_of("2"));
    let dir = tempfile::tempdir().expect("temp dir");
    let editor = script(
        dir.path(),
        "renumber.sh",
        &format!(
            "'{bin}' 1 done > /dev/null\n\
             '{bin}' add Buy paint > /dev/null\n\
             sed -i 's/^Depends:.*/Depends:   1 2/' \"$1\"",
            bin = task_bin()
        ),
    );
    cli.extra_env.push(("EDITOR".into(), editor));
    let out = cli.ok(&["3", "edit"]);
    assert!(out.starts_with("Edited task 3"), "{out}");
    let shed = cli.run(&["--json", "show", "3"]).success().json()[0].clone();
    assert_eq!(
        shed["depends"],
        serde_json::json!([plans, permit]),
        "{shed}"
    );
}

/// Fields and notes changed in one edit are one change: one `task undo`
/// takes all of it back.
#[test]
fn an_edit_of_fields_and_notes_is_one_undo_step() {
    let server = TestServer::start();
    let mut cli = Cli::logged_in(&server, "alice");
    cli.add(&["Pay", "rent"]);
    cli.ok(&["1", "annotate", "ask the bank"]);
    let dir = tempfile::tempdir().expect("temp dir");
    let editor = script(
        dir.path(),
        "both.sh",
        "sed -i -e 's/^Priority:.*/Priority:  H/' -e '/ask the bank/d' \
         -e '/^Annotations/a - by transfer' -e '/^Annotations/a - receipt filed' \"$1\"",
    );
    cli.extra_env.push(("EDITOR".into(), editor));
    let out = cli.ok(&["1", "edit"]);
    assert!(out.starts_with("Edited task 1"), "{out}");
    let edited = task(&cli);
    assert_eq!(edited["priority"], "high");
    assert_eq!(edited["annotations"].as_array().map(Vec::len), Some(2));
    assert_eq!(edited["version"], 3, "one version for the whole edit");
    assert_eq!(cli.ok(&["undo"]), "Undone: changed task 1 \"Pay rent\".\n");
    let back = task(&cli);
    assert_eq!(back["priority"], serde_json::Value::Null);
    let notes: Vec<&str> = back["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|note| note["text"].as_str().unwrap())
        .collect();
    assert_eq!(notes, ["ask the bank"]);
}

/// An editor setting that sets a variable first (`TERM=xterm vim`) runs
/// with it.
#[test]
fn an_editor_with_a_variable_before_it_runs() {
    let server = TestServer::start();
    let mut cli = Cli::logged_in(&server, "alice");
    cli.add(&["Pay", "rent"]);
    let dir = tempfile::tempdir().expect("temp dir");
    let editor = script(
        dir.path(),
        "env.sh",
        "sed -i \"s/^Title:.*/Title:     $WORD rent/\" \"$1\"",
    );
    cli.extra_env
        .push(("EDITOR".into(), format!("WORD=Paid {editor}")));
    let out = cli.ok(&["1", "edit"]);
    assert_eq!(out, "Edited task 1 \"Paid rent\".\n");
}
