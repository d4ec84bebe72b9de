//! Runs the model's commands: each in a spawned task that sends its result
//! back as a message, so the draw loop never waits on the network.

use std::sync::Arc;

use common::api::{RegisterRequest, StatusFilter, Task, TaskQuery};
use common::client::{ApiClient, ClientError};
use common::display;
use common::filter::TaskFilter;
use common::list_query::{OrderField, OrderKey};
use common::live::LiveEvent;
use common::ops::{self, Outcome};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::msg::{ApiEvent, Change, Command, Failure, Msg, Source};

impl From<ClientError> for Failure {
    fn from(error: ClientError) -> Failure {
        match error {
            ClientError::Unreachable { .. } => Failure::Unreachable(error.to_string()),
            ClientError::SessionExpired => Failure::SessionExpired,
            ClientError::AccountInactive { .. } => Failure::AccountInactive,
            ClientError::NotLoggedIn { .. } | ClientError::DamagedCredentials { .. } => {
                Failure::NotLoggedIn
            }
            ClientError::Api(problem) => Failure::Problem(*problem),
            // A name in `depends:` that matches no task, or several.
            ClientError::NoSuchTask(_) | ClientError::AmbiguousTask { .. } => {
                Failure::Other(error.to_string())
            }
            other => Failure::Other(other.to_string()),
        }
    }
}

/// Makes `change` to `task` through the operations the CLI uses.
async fn apply(client: &ApiClient, task: &Task, change: &Change) -> Result<Task, Failure> {
    let outcome = match change {
        Change::Status(status) => ops::set_status(client, task, *status).await,
        Change::Active(active) => ops::set_active(client, task, *active).await,
        Change::Annotate(text) => ops::annotate(client, task, text)
            .await
            .map(Outcome::Changed),
        Change::Modify(mods) => match ops::resolve(client, mods).await {
            Ok(resolved) => ops::modify(client, task, mods, &resolved).await,
            Err(err) => Err(err),
        },
    };
    match outcome.map_err(Failure::from)? {
        Outcome::Changed(task) | Outcome::AlreadySo(task, _) | Outcome::Unchanged(task) => Ok(task),
        Outcome::Refused(reason) => Err(Failure::Other(reason)),
    }
}

pub struct Runtime {
    client: Arc<ApiClient>,
    tx: UnboundedSender<Msg>,
    /// The load in flight: a newer one cancels it.
    load: Option<JoinHandle<()>>,
    /// The event stream being followed: a newer one replaces it.
    follow: Option<JoinHandle<()>>,
}

impl Runtime {
    pub fn new(client: Arc<ApiClient>, tx: UnboundedSender<Msg>) -> Runtime {
        Runtime {
            client,
            tx,
            load: None,
            follow: None,
        }
    }

    pub fn execute(&mut self, command: Command) {
        let client = Arc::clone(&self.client);
        let tx = self.tx.clone();
        let send = move |event: ApiEvent| {
            // The loop has ended when nobody listens: nothing left to tell.
            let _ = tx.send(Msg::Api(Box::new(event)));
        };
        match command {
            Command::LoadTasks {
                seq,
                query,
                names,
                after,
            } => {
                if let Some(previous) = self.load.take() {
                    previous.abort();
                }
                self.load = Some(tokio::spawn(async move {
                    if !after.is_zero() {
                        tokio::time::sleep(after).await;
                    }
                    let filter = TaskFilter {
                        query: query.clone(),
                        names: names.clone(),
                        limit: None,
                    };
                    let result = ops::list_all_sorted(&client, &filter)
                        .await
                        .map_err(Failure::from);
                    let hint = match &result {
                        Ok(tasks) if tasks.is_empty() => ops::project_hint(&client, &query).await,
                        _ => None,
                    };
                    send(ApiEvent::TasksLoaded {
                        seq,
                        query,
                        names,
                        result,
                        hint,
                    });
                }));
            }
            Command::CreateTask { mut task, depends } => {
                tokio::spawn(async move {
                    let result = async {
                        let mut ids = Vec::new();
                        for name in &depends {
                            ids.push(ops::find(&client, name).await?.id);
                        }
                        if !ids.is_empty() {
                            task.depends = Some(ids);
                        }
                        client.create_task(&task).await
                    }
                    .await
                    .map_err(Failure::from);
                    send(ApiEvent::TaskSaved {
                        source: Source::Form,
                        created: true,
                        verb: "Created",
                        shown_as: None,
                        result,
                    });
                });
            }
            Command::UpdateTask {
                id,
                version,
                patch,
                shown_as,
            } => {
                tokio::spawn(async move {
                    let result = client
                        .update_task(id, &patch, version)
                        .await
                        .map_err(Failure::from);
                    send(ApiEvent::TaskSaved {
                        source: Source::Form,
                        created: false,
                        verb: crate::msg::form_verb(&patch),
                        shown_as: Some(shown_as),
                        result,
                    });
                });
            }
            Command::Change { task, change } => {
                tokio::spawn(async move {
                    let result = apply(&client, &task, &change).await;
                    send(ApiEvent::TaskSaved {
                        source: change.source(),
                        created: false,
                        verb: change.verb(),
                        shown_as: Some(display::name(&task)),
                        result,
                    });
                });
            }
            Command::DeleteTask { task } => {
                tokio::spawn(async move {
                    let result = ops::delete(&client, &task).await.map_err(Failure::from);
                    send(ApiEvent::TaskDeleted { task, result });
                });
            }
            Command::Revert { direction } => {
                tokio::spawn(async move {
                    let result = client.revert(direction, false).await.map_err(Failure::from);
                    send(ApiEvent::Reverted { direction, result });
                });
            }
            Command::Follow { cursor } => {
                if let Some(previous) = self.follow.take() {
                    previous.abort();
                }
                self.follow = Some(tokio::spawn(async move {
                    let mut stream = match client.follow(cursor.as_deref()).await {
                        Ok(stream) => stream,
                        Err(err) => return send(ApiEvent::LiveEnded(Some(err.into()))),
                    };
                    loop {
                        match stream.next().await {
                            // The last word: the model opens the next stream.
                            Ok(Some(event @ LiveEvent::LoggedOut(_))) => {
                                return send(ApiEvent::Live(event))
                            }
                            Ok(Some(event)) => send(ApiEvent::Live(event)),
                            Ok(None) => return send(ApiEvent::LiveEnded(None)),
                            Err(err) => return send(ApiEvent::LiveEnded(Some(err.into()))),
                        }
                    }
                }));
            }
            Command::FetchTask { id } => {
                tokio::spawn(async move {
                    let result = client.get_task(id).await.map_err(Failure::from);
                    send(ApiEvent::TaskFetched { id, result });
                });
            }
            Command::FindWaiting { id } => {
                tokio::spawn(async move {
                    let query = TaskQuery {
                        depends_on: Some(id),
                        status: Some(StatusFilter::Pending),
                        ordering: vec![OrderKey::asc(OrderField::Number)],
                        ..TaskQuery::default()
                    };
                    let result = client
                        .list_all_tasks(&query)
                        .await
                        .map(|tasks| tasks.iter().map(display::name).collect())
                        .map_err(Failure::from);
                    send(ApiEvent::WaitingFound { id, result });
                });
            }
            Command::AdoptSavedLogin => {
                tokio::spawn(async move {
                    // The credentials file is read on a blocking thread.
                    let adopted =
                        tokio::task::spawn_blocking(move || client.adopt_saved_login()).await;
                    if let Ok(Some(username)) = adopted {
                        send(ApiEvent::LoginAdopted { username });
                    }
                });
            }
            Command::Login { username, password } => {
                tokio::spawn(async move {
                    let result = client
                        .login(&username, &password)
                        .await
                        .map_err(Failure::from);
                    send(ApiEvent::LoggedIn { username, result });
                });
            }
            Command::Register { username, password } => {
                tokio::spawn(async move {
                    let request = RegisterRequest {
                        username: username.clone(),
                        password: password.clone(),
                        email: None,
                    };
                    let result = match client.register(&request).await {
                        Ok(_) => client.login(&username, &password).await,
                        Err(e) => Err(e),
                    }
                    .map_err(Failure::from);
                    send(ApiEvent::LoggedIn { username, result });
                });
            }
        }
    }
}
