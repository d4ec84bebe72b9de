//! The README's quick start, followed word for word on a terminal.

use crate::helpers::{Cli, TestServer, PASSWORD};

#[test]
fn readme_quick_start() {
    let server = TestServer::start();
    let cli = Cli::new(&server);

    // task register alice
    let mut tty = cli.on_tty(&["register", "alice"]);
    tty.expect("Password: ");
    tty.send_line(PASSWORD);
    tty.expect("Repeat it: ");
    tty.send_line(PASSWORD);
    let (code, screen) = tty.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("Registered alice. Log in with: task login alice"),
        "{screen}"
    );

    // task login alice
    let mut tty = cli.on_tty(&["login", "alice"]);
    tty.expect("Password: ");
    tty.send_line(PASSWORD);
    let (code, screen) = tty.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains(&format!("Logged in to {} as alice.", server.url)),
        "{screen}"
    );

    // task add Buy milk +errands due:tomorrow pri:H
    let out = cli.ok(&["add", "Buy", "milk", "+errands", "due:tomorrow", "pri:H"]);
    assert_eq!(out, "Created task 1.\n");

    // task list
    let out = cli.ok(&["list"]);
    assert_eq!(
        out,
        "ID Pri Due   Tags     Title\n 1 H   in 1d +errands Buy milk\n\n1 task\n"
    );

    // task 1 done
    let out = cli.ok(&["1", "done"]);
    assert_eq!(out, "Completed task 1 \"Buy milk\".\n");
    assert_eq!(cli.ok(&["list"]), "No matching tasks.\n");
}
