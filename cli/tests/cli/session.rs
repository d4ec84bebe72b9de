//! Expired access tokens are refreshed silently and the new pair saved; a
//! failed refresh says the session ended and to run `task login`, or that the
//! account has been deactivated when it has.

use crate::helpers::{Cli, Run, TestServer, PASSWORD};

fn tokens(cli: &Cli) -> (String, String) {
    let creds = cli.credentials();
    (
        creds["tokens"]["access"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        creds["tokens"]["refresh"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

#[test]
fn an_expired_access_token_is_refreshed_and_saved() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Still", "here"]);
    let (access, refresh) = tokens(&cli);

    // Known to have expired: refreshed before the request.
    let mut creds = cli.credentials();
    creds["tokens"]["access_expires_at"] = 0.into();
    cli.write_credentials(&creds);
    let run = cli.run(&["list"]).success();
    assert!(
        run.stdout.contains("Still here") && run.stderr.is_empty(),
        "{run:?}"
    );
    let (access2, refresh2) = tokens(&cli);
    assert_ne!(access2, access);
    assert_ne!(refresh2, refresh);
    assert!(
        cli.credentials()["tokens"]["access_expires_at"]
            .as_i64()
            .unwrap()
            > 0
    );

    // Rejected by the server (a 401): refreshed, and the request sent again.
    let mut creds = cli.credentials();
    creds["tokens"]["access"] = "not.a.token".into();
    cli.write_credentials(&creds);
    let run = cli.run(&["add", "Another"]).success();
    assert_eq!(run.stdout, "Created task 2.\n");
    let (access3, refresh3) = tokens(&cli);
    assert_ne!(access3, "not.a.token");
    assert_ne!(refresh3, refresh2);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(cli.credentials_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn a_failed_refresh_means_log_in_again() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    let mut creds = cli.credentials();
    creds["tokens"]["access"] = "not.a.token".into();
    creds["tokens"]["refresh"] = "not-a-refresh-token".into();
    cli.write_credentials(&creds);

    let run = cli.run(&["list"]).failure(1);
    assert_eq!(run.stderr, "task: session ended (expired, logged out elsewhere, or its account removed): run `task login`\n");
    assert!(run.stdout.is_empty());
    // The dead tokens are gone; logging in again works.
    assert!(cli.credentials()["tokens"].is_null());
    cli.login("alice");
    cli.ok(&["list"]);
}

#[test]
fn a_deactivated_account_is_told_so_not_sent_to_log_in() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Before"]);
    server.deactivate("alice");

    let run = cli.run(&["list"]).failure(1);
    assert_eq!(
        run.stderr,
        format!(
            "task: the account logged in to {} has been deactivated: \
             an admin of the server can reactivate it\n",
            server.url
        )
    );
    assert!(cli.credentials()["tokens"].is_null());
    // Logging in again is refused, saying why.
    let login = cli
        .run_with_stdin(&["login", "alice", "--password-stdin"], PASSWORD)
        .failure(1);
    assert!(login.stderr.contains("inactive"), "{login:?}");
}

#[test]
fn tokens_are_never_sent_to_another_server() {
    let server = TestServer::start();
    let other = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    let run = cli.run(&["--server", &other.url, "list"]).failure(1);
    assert!(run.stderr.contains("not logged in"), "{run:?}");
    // The stored server is the default when neither flag nor env names one.
    let mut bare = Cli::at("");
    bare.config = cli.config;
    let listed = bare.run(&["--json", "list"]);
    assert_eq!(listed.code, 0, "{listed:?}");
}

#[test]
fn processes_refreshing_at_once_keep_the_login() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Still", "here"]);
    for _ in 0..3 {
        // Every process finds the access token expired and the same refresh
        // token on disk; presenting it twice would make the server end the
        // login as a stolen token.
        let mut creds = cli.credentials();
        creds["tokens"]["access_expires_at"] = 0.into();
        cli.write_credentials(&creds);
        let children: Vec<_> = (0..8)
            .map(|_| {
                cli.command(&["list"])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let run = Run::from(child.wait_with_output().unwrap()).success();
            assert!(run.stdout.contains("Still here"), "{run:?}");
        }
        cli.ok(&["list"]);
    }
}

#[test]
fn a_damaged_credentials_file_is_replaced_by_the_next_login() {
    let server = TestServer::start();
    let cli = Cli::logged_in(&server, "alice");
    cli.add(&["Kept", "on", "the", "server"]);
    std::fs::write(cli.credentials_path(), "{garbage").unwrap();

    let run = cli.run(&["list"]).failure(1);
    assert!(run.stdout.is_empty());
    let path = cli.credentials_path().display().to_string();
    assert_eq!(
        run.stderr,
        format!("task: {path} is damaged and was ignored: run `task login` to replace it\n")
    );
    cli.login("alice");
    let run = cli.run(&["list"]).success();
    assert!(run.stdout.contains("Kept on the server"), "{run:?}");
    assert!(cli.credentials()["tokens"]["access"].is_string());
}
