//! Runs the model's commands: each in a spawned task that sends its result
//! back as a message, so the draw loop never waits on the network.

use std::sync::Arc;

use common::api::RegisterRequest;
use common::client::{ApiClient, ClientError};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::msg::{ApiEvent, Command, Failure, Msg};

impl From<ClientError> for Failure {
    fn from(error: ClientError) -> Failure {
        match error {
            ClientError::Unreachable { .. } => Failure::Unreachable(error.to_string()),
            ClientError::SessionExpired => Failure::SessionExpired,
            ClientError::NotLoggedIn { .. } | ClientError::DamagedCredentials { .. } => {
                Failure::NotLoggedIn
            }
            ClientError::Api(problem) => Failure::Problem(problem),
            other => Failure::Other(other.to_string()),
        }
    }
}

pub struct Runtime {
    client: Arc<ApiClient>,
    tx: UnboundedSender<Msg>,
    /// The load in flight: a newer one cancels it.
    load: Option<JoinHandle<()>>,
}

impl Runtime {
    pub fn new(client: Arc<ApiClient>, tx: UnboundedSender<Msg>) -> Runtime {
        Runtime {
            client,
            tx,
            load: None,
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
            Command::LoadTasks { seq, query } => {
                if let Some(previous) = self.load.take() {
                    previous.abort();
                }
                self.load = Some(tokio::spawn(async move {
                    let result = client.list_all_tasks(&query).await.map_err(Failure::from);
                    send(ApiEvent::TasksLoaded { seq, query, result });
                }));
            }
            Command::CreateTask(task) => {
                tokio::spawn(async move {
                    let result = client.create_task(&task).await.map_err(Failure::from);
                    send(ApiEvent::TaskSaved {
                        created: true,
                        result,
                    });
                });
            }
            Command::UpdateTask { id, version, patch } => {
                tokio::spawn(async move {
                    let result = client
                        .update_task(id, &patch, version)
                        .await
                        .map_err(Failure::from);
                    send(ApiEvent::TaskSaved {
                        created: false,
                        result,
                    });
                });
            }
            Command::DeleteTask { id } => {
                tokio::spawn(async move {
                    let result = client.delete_task(id, None).await.map_err(Failure::from);
                    send(ApiEvent::TaskDeleted { id, result });
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
