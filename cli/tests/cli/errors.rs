//! Server down, server problems, escaped titles.

use crate::helpers::{Cli, TestServer};

#[test]
fn server_down_says_so() {
    let mut server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    server.stop();
    for args in [&["list"][..], &["add", "x"], &["done", "1"], &["whoami"]] {
        let run = cli.run(args).failure(1);
        assert_eq!(
            run.stderr,
            format!(
                "task: cannot reach taskd at {}: is it running? (start it with taskd)\n",
                server.url
            ),
            "{args:?}"
        );
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn server_problems_show_detail_and_field_errors_on_one_line() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");

    let long = "x".repeat(501);
    let run = cli.run(&["add", &long]).failure(1);
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(run.stderr.contains("title"), "{run:?}");

    let run = cli.run(&["add", "x", "+", "--tag", "a b"]).failure(2);
    assert!(run.stderr.contains("whitespace"), "{run:?}");

    // A command on tasks given none says how, in its own words.
    for (command, example) in [
        ("delete", "task 3 delete"),
        ("done", "task 3 done"),
        ("start", "task +home start"),
        ("modify", "task 3 modify"),
    ] {
        let run = cli.run(&[command]).failure(2);
        assert!(run.stderr.contains(example), "{command}: {run:?}");
    }

    let weak = Cli::new(&server);
    let run = weak
        .run_with_stdin(&["register", "bob", "--password-stdin"], "12345678\n")
        .failure(1);
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(run.stderr.contains("password"), "{run:?}");

    let run = weak
        .run_with_stdin(
            &["register", "alice", "--password-stdin"],
            "another good one\n",
        )
        .failure(1);
    assert_eq!(
        run.stderr, "task: username: A user with that username already exists.\n",
        "said once"
    );

    let run = cli.run(&["--server", "ftp://example", "list"]).failure(1);
    assert!(run.stderr.contains("invalid server URL"), "{run:?}");
}

#[test]
fn titles_with_terminal_escapes_are_printed_escaped() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    let evil = "Pay \x1b[2J\x1b[H\x1b]0;pwned\x07rent\u{9b}31m\rover\u{202e}txt";
    let created = cli.add(&[
        evil,
        "project:a\x1b[31mb",
        "--description",
        "line\x1b[1A\nnext",
    ]);
    assert_eq!(created["title"], evil, "stored as given");

    let outputs = [
        cli.ok(&["list"]),
        cli.ok(&["show", "1"]),
        cli.ok(&["done", "1"]),
        // Done, it is named by its uuid.
        cli.ok(&[
            "reopen",
            &common::display::uuid_name(created["uuid"].as_str().unwrap_or_default()),
        ]),
        cli.ok(&["modify", "1", "+x"]),
    ];
    for out in &outputs {
        for bad in ['\x1b', '\x07', '\u{9b}', '\r', '\u{202e}'] {
            assert!(!out.contains(bad), "{bad:?} printed raw in {out:?}");
        }
    }
    assert!(
        outputs[0].contains(r"Pay \x1b[2J\x1b[H\x1b]0;pwned\x07rent\x9b31m\rover\u{202e}txt"),
        "{}",
        outputs[0]
    );
    assert!(outputs[1].contains(r"line\x1b[1A"), "{}", outputs[1]);

    // JSON stays exact: escaping is JSON's own.
    let json = cli.run(&["--json", "list"]).success().json();
    assert_eq!(json[0]["title"], evil);
}
