//! The `taskd` binary's account commands: `createuser`,
//! `createsuperuser` and `changepassword`.

use std::io::{BufRead, IsTerminal};

use anyhow::bail;
use taskd::{
    auth,
    config::Config,
    domain::admin::Actor,
    domain::credentials as accounts,
    store::{self, NewUser, Purpose},
};

use crate::arguments::{ChangePassword, NewAccount};
use crate::settled;

/// Creates an account: an admin when `promote_existing` is given, which
/// also says whether an existing account may be made one without asking.
pub(crate) async fn create_account(
    config: Config,
    args: NewAccount,
    promote_existing: Option<bool>,
) -> anyhow::Result<()> {
    let interactive = std::io::stdin().is_terminal() && !args.password_stdin;
    let username = match args.username {
        Some(username) => username,
        None if interactive => prompt("Username: ")?,
        None => bail!("--username is required when standard input is not a terminal"),
    };
    let username = username.trim().to_string();
    let store = store::open(&config.database, Purpose::Command).await?;
    if let Some(existing) = store.user_by_username(&username).await? {
        return match promote_existing {
            Some(yes) => promote(store.as_ref(), existing, yes, interactive).await,
            None => bail!("a user named {} already exists", existing.username),
        };
    }
    let password = new_password(args.password_stdin, interactive)?;
    let problems: Vec<String> = accounts::username_errors(&username)
        .into_iter()
        .map(|m| format!("username: {m}"))
        .chain(
            accounts::password_errors(&password, &username)
                .into_iter()
                .map(|m| format!("password: {m}")),
        )
        .collect();
    if !problems.is_empty() {
        // Each message is a sentence of its own.
        bail!("{}", problems.join(" "));
    }
    let password_hash = auth::hash_password(password)
        .await
        .map_err(|err| anyhow::anyhow!("{err}"))?;
    let user = store
        .create_user(NewUser {
            username: username.clone(),
            email: args.email.unwrap_or_default(),
            password_hash,
            is_admin: promote_existing.is_some(),
        })
        .await?;
    match user {
        Some(user) => {
            let command = match promote_existing {
                Some(_) => "taskd createsuperuser",
                None => "taskd createuser",
            };
            taskd::domain::admin::user_added(store.as_ref(), &Actor::command(command), &user)
                .await?;
            let what = if user.is_admin { "Superuser" } else { "User" };
            println!("{what} {} created (id {}).", user.username, user.id);
            Ok(())
        }
        None => bail!("a user named {username} already exists"),
    }
}

/// Makes an existing account an admin: asked first on a terminal, or with
/// `--yes`; its password stays.
async fn promote(
    store: &dyn store::Store,
    user: store::UserRecord,
    yes: bool,
    interactive: bool,
) -> anyhow::Result<()> {
    if user.is_admin {
        bail!(
            "a user named {} already exists and is an admin",
            user.username
        );
    }
    let agreed = match (yes, interactive) {
        (true, _) => true,
        (false, true) => prompt(&format!(
            "A user named {} already exists. Make them an admin? [y/N] ",
            user.username
        ))?
        .eq_ignore_ascii_case("y"),
        (false, false) => bail!(
            "a user named {} already exists: pass --yes to make them an admin",
            user.username
        ),
    };
    if !agreed {
        bail!("{} was left as they are", user.username);
    }
    let change = taskd::store::admin::UserChange {
        is_admin: Some(true),
        ..Default::default()
    };
    let actor = Actor::command("taskd createsuperuser");
    taskd::domain::admin::update_user(store, &actor, user.id, change).await?;
    settled(store).await;
    println!("{} (id {}) is now an admin.", user.username, user.id);
    Ok(())
}

/// A new password: the first line of standard input, or typed twice on a
/// terminal without echo.
fn new_password(from_stdin: bool, interactive: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    } else if interactive {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password (again): ")?;
        if first != again {
            bail!("the passwords do not match");
        }
        Ok(first)
    } else {
        bail!("pass --password-stdin to read the password from standard input");
    }
}

/// `taskd changepassword USER`: what an admin does for a user who forgot
/// their password. Every login of theirs ends, on every daemon.
pub(crate) async fn change_password(config: Config, args: ChangePassword) -> anyhow::Result<()> {
    let interactive = std::io::stdin().is_terminal() && !args.password_stdin;
    let username = args.username.trim().to_string();
    // The user first: no one is asked for a password for nobody.
    let store = store::open(&config.database, Purpose::Command).await?;
    let Some(user) = store.user_by_username(&username).await? else {
        bail!("no user named {username}");
    };
    let password = new_password(args.password_stdin, interactive)?;
    let problems = accounts::password_errors(&password, &user.username);
    if !problems.is_empty() {
        bail!("password: {}", problems.join(" "));
    }
    let password_hash = auth::hash_password(password)
        .await
        .map_err(|err| anyhow::anyhow!("{err}"))?;
    store.change_password(user.id, &password_hash).await?;
    settled(store.as_ref()).await;
    println!(
        "Password of {} changed; their logins have ended.",
        user.username
    );
    Ok(())
}

fn prompt(label: &str) -> anyhow::Result<String> {
    use std::io::Write;
    eprint!("{label}");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_string())
}
