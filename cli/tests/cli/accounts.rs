//! register, login, whoami, logout, passwd; passwords without echo or from
//! stdin; a 0600 credentials file; no token ever printed.

use crate::helpers::{Cli, TestServer, PASSWORD};

/// Every token the credentials file holds now.
fn tokens(cli: &Cli) -> Vec<String> {
    let creds = cli.credentials();
    let tokens = &creds["tokens"];
    ["access", "refresh"]
        .iter()
        .filter_map(|k| tokens[k].as_str().map(str::to_string))
        .collect()
}

#[track_caller]
fn assert_no_token(outputs: &[&str], tokens: &[String]) {
    for output in outputs {
        for token in tokens {
            assert!(
                !output.contains(token.as_str()),
                "a token was printed: {output}"
            );
            // Not even a recognisable piece of one.
            assert!(
                !output.contains(&token[..20.min(token.len())]),
                "token piece printed: {output}"
            );
        }
    }
}

#[test]
fn register_login_whoami_logout() {
    let server = TestServer::start();
    let cli = Cli::new(&server);

    let register = cli
        .run_with_stdin(
            &["register", "alice", "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .success();
    assert!(register.stdout.contains("Registered alice"), "{register:?}");

    let login = cli
        .run_with_stdin(
            &["login", "alice", "--password-stdin"],
            &format!("{PASSWORD}\r\n"),
        )
        .success();
    assert!(login.stdout.contains("Logged in"), "{login:?}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(cli.credentials_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "credentials file mode");
    }
    let tokens = tokens(&cli);
    assert_eq!(tokens.len(), 2);

    let whoami = cli.run(&["whoami"]).success();
    assert_eq!(whoami.stdout, format!("alice on {}\n", server.url));
    let whoami_json = cli.run(&["--json", "whoami"]).success();
    assert_eq!(whoami_json.json()["username"], "alice");

    let logout = cli.run(&["logout"]).success();
    assert!(logout.stdout.contains("Logged out"), "{logout:?}");
    assert_no_token(
        &[
            &register.stdout,
            &register.stderr,
            &login.stdout,
            &login.stderr,
            &whoami.stdout,
            &whoami_json.stdout,
            &logout.stdout,
            &logout.stderr,
        ],
        &tokens,
    );

    let after = cli.run(&["whoami"]).failure(1);
    assert!(
        after.stderr.contains("not logged in") && after.stderr.contains("task login"),
        "{after:?}"
    );
    assert!(!std::fs::read_to_string(cli.credentials_path())
        .unwrap()
        .contains(&tokens[1]));

    // The refresh token was revoked on the server too: putting it back does not help.
    let mut creds = cli.credentials();
    creds["tokens"] =
        serde_json::json!({"access": "x", "refresh": tokens[1], "access_expires_at": 0});
    cli.write_credentials(&creds);
    let revoked = cli.run(&["whoami"]).failure(1);
    assert!(
        revoked.stderr.contains("session ended (expired, logged out elsewhere, or its account removed): run `task login`"),
        "{revoked:?}"
    );
}

#[test]
fn wrong_password_and_taken_username() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "bob");
    let wrong = cli
        .run_with_stdin(&["login", "bob", "--password-stdin"], "not the password\n")
        .failure(1);
    assert_eq!(wrong.stderr.lines().count(), 1, "{wrong:?}");
    assert!(wrong.stderr.starts_with("task: "), "{wrong:?}");

    let taken = cli
        .run_with_stdin(
            &["register", "BOB", "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .failure(1);
    assert_eq!(taken.stderr.lines().count(), 1, "{taken:?}");
    assert!(taken.stderr.contains("username"), "{taken:?}");
}

#[test]
fn login_defaults_to_the_last_user() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "carol");
    cli.run(&["logout"]).success();
    cli.run_with_stdin(&["login", "--password-stdin"], &format!("{PASSWORD}\n"))
        .success();
    assert!(cli.ok(&["whoami"]).starts_with("carol "));

    // Logging in as CAROL is carol, and says so.
    let run = cli
        .run_with_stdin(
            &["login", "CAROL", "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .success();
    assert!(run.stdout.ends_with(" as carol.\n"), "{run:?}");
}

#[test]
fn passwd_from_stdin_keeps_this_session_and_ends_others() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "dave");
    let other = Cli::new(&server);
    other.login("dave");

    let new = "a much better passphrase";
    let run = cli
        .run_with_stdin(
            &["passwd", "--password-stdin"],
            &format!("{PASSWORD}\n{new}\n"),
        )
        .success();
    assert!(run.stdout.contains("Password changed"), "{run:?}");
    assert!(cli.ok(&["whoami"]).starts_with("dave "));

    let ended = other.run(&["whoami"]).failure(1);
    assert!(ended.stderr.contains("session ended"), "{ended:?}");
    other
        .run_with_stdin(
            &["login", "dave", "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .failure(1);
    other
        .run_with_stdin(&["login", "dave", "--password-stdin"], &format!("{new}\n"))
        .success();

    let bad = cli
        .run_with_stdin(
            &["passwd", "--password-stdin"],
            "wrong current\nwhatever123x\n",
        )
        .failure(1);
    assert!(bad.stderr.starts_with("task: "), "{bad:?}");
    let short = cli
        .run_with_stdin(&["passwd", "--password-stdin"], "only one line\n")
        .failure(2);
    assert!(short.stderr.contains("--password-stdin"), "{short:?}");
}

#[test]
fn without_a_terminal_the_password_must_come_from_stdin() {
    let server = TestServer::start();
    let cli = Cli::new(&server);
    let run = cli.run(&["login", "erin"]).failure(2);
    assert!(run.stderr.contains("--password-stdin"), "{run:?}");
}

#[test]
fn passwords_are_read_without_echo_on_a_terminal() {
    let server = TestServer::start();
    let cli = Cli::new(&server);
    let secret = "echo-me-not-42";

    let mut tty = cli.on_tty(&["register", "frank"]);
    tty.expect("Password: ");
    tty.send_secret(secret);
    tty.expect("Repeat it: ");
    tty.send_secret(secret);
    let (code, screen) = tty.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Registered frank"), "{screen}");
    assert!(
        !screen.contains(secret),
        "the password was echoed: {screen}"
    );

    let mut tty = cli.on_tty(&["login"]);
    tty.expect("Username: ");
    tty.send_line("frank");
    tty.expect("Password: ");
    tty.send_secret(secret);
    let (code, screen) = tty.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Logged in"), "{screen}");
    assert!(
        !screen.contains(secret),
        "the password was echoed: {screen}"
    );
    assert!(cli.ok(&["whoami"]).starts_with("frank "));
}
