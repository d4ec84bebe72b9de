//! What admins may do to accounts and to everyone's tasks, for the API and
//! the web admin alike: each action checked (an admin cannot lock
//! themselves out), done, and written to the admin log with who made it,
//! where and what changed.

use chrono::Utc;
use common::api::AdminUser;

use super::{
    bulk::{self, BulkAction},
    credentials::email_errors,
    task_ops::{invalid, TaskError, TaskResult},
};
use crate::store::{
    admin::{AdminAction, AdminTask, ObjectKind, UserChange, Verb, Via},
    Store, UserRecord,
};

/// The admin making an action, and where.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: i64,
    pub username: String,
    pub via: Via,
}

impl Actor {
    pub fn new(user: &UserRecord, via: Via) -> Actor {
        Actor {
            id: user.id,
            username: user.username.clone(),
            via,
        }
    }

    /// A command run on the server, `command` naming it: no account of
    /// its own (so none it could lock out).
    pub fn command(command: &str) -> Actor {
        Actor {
            id: 0,
            username: command.to_string(),
            via: Via::Command,
        }
    }

    fn action(&self, verb: Verb, user: &AdminUser, detail: String) -> AdminAction {
        AdminAction {
            at: Utc::now(),
            admin_id: self.id,
            admin_username: self.username.clone(),
            via: self.via,
            verb,
            kind: ObjectKind::User,
            object_id: user.id,
            object_name: user.username.clone(),
            user_id: user.id,
            detail,
        }
    }
}

/// Why an admin's own account is refused a change: the last way back in
/// would be the command line on the server.
pub const SELF_LOCKOUT: &str = "You cannot deactivate, demote or delete your own account.";

/// Whether `change` would lock `actor` out, were it made to `user_id`.
pub fn locks_out(actor: &Actor, user_id: i64, change: &UserChange) -> bool {
    actor.id == user_id && (change.is_active == Some(false) || change.is_admin == Some(false))
}

/// What `change` does to `before`, in words for the log; `None` when it
/// changes nothing.
pub fn describe(before: &AdminUser, change: &UserChange) -> Option<String> {
    let mut parts = Vec::new();
    if change
        .email
        .as_ref()
        .is_some_and(|email| *email != before.email)
    {
        parts.push("changed the email".to_string());
    }
    match change.is_active {
        Some(true) if !before.is_active => parts.push("activated".into()),
        Some(false) if before.is_active => parts.push("deactivated".into()),
        _ => {}
    }
    match change.is_admin {
        Some(true) if !before.is_admin => parts.push("made an admin".into()),
        Some(false) if before.is_admin => parts.push("no longer an admin".into()),
        _ => {}
    }
    if parts.is_empty() {
        return None;
    }
    let text = parts.join(", ");
    let mut chars = text.chars();
    let first = chars.next().map(|c| c.to_uppercase().to_string());
    Some(format!("{}{}.", first.unwrap_or_default(), chars.as_str()))
}

/// Changes one account's email, active and admin flags. Deactivation ends
/// every login for good: reactivating the account later must not bring old
/// tokens back to life. Logged when it changed anything.
pub async fn update_user(
    store: &dyn Store,
    actor: &Actor,
    user_id: i64,
    mut change: UserChange,
) -> TaskResult<AdminUser> {
    if locks_out(actor, user_id, &change) {
        return Err(TaskError::Refused(SELF_LOCKOUT.into()));
    }
    if let Some(email) = &change.email {
        let email = email.trim().to_string();
        if let Some(message) = (!email.is_empty())
            .then(|| email_errors(&email).into_iter().next())
            .flatten()
        {
            return Err(invalid("email", message));
        }
        change.email = Some(email);
    }
    let before = admin_user(store, user_id).await?;
    let Some(detail) = describe(&before, &change) else {
        return Ok(before);
    };
    let end_logins = change.is_active == Some(false);
    let after = store
        .update_user(user_id, change, end_logins)
        .await?
        .ok_or(TaskError::NotFound)?;
    store
        .log_admin_actions(vec![actor.action(Verb::Changed, &after, detail)])
        .await?;
    Ok(after)
}

/// Activates or deactivates each of `ids` (those there are), refusing the
/// whole lot when it includes the actor's own account in a deactivation.
/// The accounts changed, as they are now.
pub async fn set_active(
    store: &dyn Store,
    actor: &Actor,
    ids: &[i64],
    active: bool,
) -> TaskResult<Vec<AdminUser>> {
    let change = UserChange {
        is_active: Some(active),
        ..UserChange::default()
    };
    if ids.iter().any(|id| locks_out(actor, *id, &change)) {
        return Err(TaskError::Refused(SELF_LOCKOUT.into()));
    }
    let mut changed = Vec::new();
    for user in store.admin_users(ids.to_vec()).await? {
        if user.is_active != active {
            changed.push(update_user(store, actor, user.id, change.clone()).await?);
        }
    }
    Ok(changed)
}

/// Deletes each of `ids` (those there are) with their tasks, refusing the
/// whole lot when it includes the actor's own account. The accounts
/// deleted, as they were.
pub async fn delete_users(
    store: &dyn Store,
    actor: &Actor,
    ids: &[i64],
) -> TaskResult<Vec<AdminUser>> {
    if ids.contains(&actor.id) {
        return Err(TaskError::Refused(SELF_LOCKOUT.into()));
    }
    let mut deleted = Vec::new();
    for user in store.admin_users(ids.to_vec()).await? {
        if store.delete_user(user.id).await? {
            let detail = match user.task_count {
                1 => "Deleted, with 1 task.".to_string(),
                n => format!("Deleted, with {n} tasks."),
            };
            store
                .log_admin_actions(vec![actor.action(Verb::Deleted, &user, detail)])
                .await?;
            deleted.push(user);
        }
    }
    Ok(deleted)
}

/// Logs an account the actor added (made through the registration's rules
/// by the caller, which hashes the password).
pub async fn user_added(store: &dyn Store, actor: &Actor, user: &UserRecord) -> TaskResult<()> {
    let added = AdminUser {
        id: user.id,
        username: user.username.clone(),
        email: user.email.clone(),
        date_joined: user.date_joined,
        is_admin: user.is_admin,
        is_active: user.is_active,
        task_count: 0,
    };
    let detail = if user.is_admin {
        "Added, as an admin."
    } else {
        "Added."
    };
    store
        .log_admin_actions(vec![actor.action(Verb::Added, &added, detail.into())])
        .await?;
    Ok(())
}

/// A user as the panel shows them, or not found.
async fn admin_user(store: &dyn Store, user_id: i64) -> TaskResult<AdminUser> {
    store
        .admin_users(vec![user_id])
        .await?
        .into_iter()
        .next()
        .ok_or(TaskError::NotFound)
}

/// Sets the account's password to the one `password_hash` is of (checked
/// and hashed by the caller), ending every login of the account.
pub async fn set_password(
    store: &dyn Store,
    actor: &Actor,
    user_id: i64,
    password_hash: &str,
) -> TaskResult<()> {
    let user = admin_user(store, user_id).await?;
    store.change_password(user_id, password_hash).await?;
    store
        .log_admin_actions(vec![actor.action(
            Verb::Changed,
            &user,
            "Set a new password.".into(),
        )])
        .await?;
    Ok(())
}

/// Ends every login of a user (every browser, every client), the password
/// kept: for a lost laptop or a shared browser, where deactivating or a new
/// password would do more than asked.
pub async fn end_logins(store: &dyn Store, actor: &Actor, user_id: i64) -> TaskResult<()> {
    let user = admin_user(store, user_id).await?;
    store.end_logins(user_id).await?;
    store
        .log_admin_actions(vec![actor.action(
            Verb::Changed,
            &user,
            "Ended every login.".into(),
        )])
        .await?;
    Ok(())
}

/// Deletes each of `ids` (those there are), whoever owns them, as their
/// owners' own deletes do (to the trash, announced to their clients). The
/// tasks deleted.
pub async fn delete_tasks(
    store: &dyn Store,
    actor: &Actor,
    ids: &[i64],
) -> TaskResult<Vec<AdminTask>> {
    let tasks = store.admin_tasks_by_id(ids.to_vec()).await?;
    // Each owner's tasks in one step of theirs, which one `task undo`
    // brings back whole.
    let mut owners: Vec<i64> = tasks.iter().map(|task| task.user_id).collect();
    owners.sort_unstable();
    owners.dedup();
    let mut deleted = Vec::new();
    for owner in owners {
        let theirs = tasks.iter().filter(|t| t.user_id == owner).map(|t| t.id);
        let outcome = bulk::bulk(
            store,
            owner,
            theirs.collect(),
            BulkAction::Delete,
            &Default::default(),
        )
        .await?;
        // Logged before the next owner's, so that no deletion goes unlogged
        // should that one fail. A task deleted meanwhile, by its owner or
        // another admin, is not this action's.
        let gone: Vec<&AdminTask> = tasks
            .iter()
            .filter(|task| outcome.changed.iter().any(|t| t.id == task.id))
            .collect();
        let actions = gone
            .iter()
            .map(|task| AdminAction {
                at: Utc::now(),
                admin_id: actor.id,
                admin_username: actor.username.clone(),
                via: actor.via,
                verb: Verb::Deleted,
                kind: ObjectKind::Task,
                object_id: task.id,
                object_name: task.title.clone(),
                user_id: task.user_id,
                detail: format!("Deleted a task of {}.", task.username),
            })
            .collect();
        store.log_admin_actions(actions).await?;
        deleted.extend(gone.into_iter().cloned());
    }
    Ok(deleted)
}
