//! What the app does with the server's answers: rows loaded, a task saved
//! or refused, a failure shown where it belongs.

use common::api::Task;
use common::display;

use super::{App, Overlay, DELETED_MEANWHILE};
use crate::msg::{ApiEvent, Command, Failure, Source};

impl App {
    pub(super) fn on_api(&mut self, event: ApiEvent) -> Vec<Command> {
        match event {
            ApiEvent::TasksLoaded {
                seq,
                query,
                names,
                result,
                hint,
            } => {
                if self.loading.map(|(s, _)| s) != Some(seq) {
                    return Vec::new(); // superseded by a newer load
                }
                self.loading = None;
                self.ticks_since_load = 0;
                match result {
                    Ok(tasks) => {
                        self.offline = None;
                        // A new view (filter, sort, scope) without the
                        // selected task starts at its top; a reload of the
                        // same view keeps the selection's place.
                        let view = (query, names);
                        let new_view = self.loaded_query.as_ref() != Some(&view);
                        let kept = self.select_id.or(self.selected_id);
                        if new_view && !kept.is_some_and(|id| tasks.iter().any(|t| t.id == id)) {
                            self.selected = 0;
                            self.offset = 0;
                        }
                        // A prompt open on a task takes it as it now is.
                        if let Overlay::Prompt(prompt) = &mut self.overlay {
                            if let Some(now) = tasks.iter().find(|t| t.id == prompt.task.id) {
                                prompt.task = now.clone();
                            }
                        }
                        self.tasks = tasks;
                        self.empty_hint = hint;
                        self.loaded_query = Some(view);
                        self.keep_selection();
                    }
                    Err(failure) => self.failed(&failure),
                }
                Vec::new()
            }
            ApiEvent::TaskSaved {
                source,
                created,
                verb,
                shown_as,
                result,
            } => self.on_saved(source, created, verb, shown_as, result),
            ApiEvent::TaskDeleted { task, result } => {
                let name = display::name(&task);
                match result {
                    Ok(()) => {
                        self.remove(task.id);
                        self.keep_selection();
                        self.info(format!("Deleted task {name}."));
                        vec![self.reload()]
                    }
                    Err(Failure::Problem(p)) if p.status == 404 => {
                        self.remove(task.id);
                        self.keep_selection();
                        self.info(format!("Task {name} was already deleted."));
                        vec![self.reload()]
                    }
                    Err(Failure::Problem(p)) if p.status == 412 => {
                        self.error(format!(
                            "Task {name} changed elsewhere since it was shown: not deleted."
                        ));
                        vec![self.reload()]
                    }
                    Err(failure) => {
                        self.change_failed(&failure);
                        Vec::new()
                    }
                }
            }
            ApiEvent::WaitingFound { id, result } => {
                // Asked about still: else the answer has no one to tell.
                let asking = matches!(&self.overlay, Overlay::ConfirmDelete(task) if task.id == id);
                if let (true, Ok(names)) = (asking, result) {
                    self.waiting_for_deleted = Some((id, names));
                }
                Vec::new()
            }
            ApiEvent::TaskFetched { id, result } => {
                let Overlay::Form(form) = &mut self.overlay else {
                    return Vec::new();
                };
                if form.original.as_ref().map(|t| t.id) != Some(id) {
                    return Vec::new();
                }
                match result {
                    Ok(server) => {
                        form.take_server(server, self.tz);
                        if form.conflict_rows(self.tz).is_empty() {
                            // No field changed on both sides: what changed
                            // here goes over the server's version, whose
                            // own changes stay.
                            form.error = None;
                            return self.submit_form();
                        }
                        // A message left from before would read as about this.
                        self.message = None;
                        form.error = Some(
                            "Changed elsewhere since you opened it, in the fields below. Enter \
                             saves yours over them (its other changes stay); Esc drops all \
                             your changes for the server's version."
                                .into(),
                        );
                    }
                    Err(Failure::Problem(p)) if p.status == 404 => {
                        form.detach();
                        form.error = Some(DELETED_MEANWHILE.into());
                    }
                    Err(failure) => form.error = Some(failure.message()),
                }
                Vec::new()
            }
            ApiEvent::Reverted { direction, result } => self.on_reverted(direction, result),
            ApiEvent::Live(event) => self.on_live(event),
            ApiEvent::LiveEnded(failure) => self.on_live_ended(failure),
            ApiEvent::LoginAdopted { username } => {
                // Taken up only while the form is untouched: once the user
                // types, the login is theirs to make.
                if !self.login.as_ref().is_some_and(|f| !f.touched && !f.busy) {
                    return Vec::new();
                }
                self.login = None;
                if username.is_empty() {
                    self.info("Logged in (by another client).");
                } else {
                    self.info(format!("Logged in as {username} (by another client)."));
                    self.username = Some(username);
                }
                vec![self.follow_fresh()]
            }
            ApiEvent::LoggedIn { username, result } => match result {
                Ok(()) => {
                    self.login = None;
                    self.info(format!("Logged in as {username}."));
                    self.username = Some(username);
                    vec![self.follow_fresh()]
                }
                Err(failure) => {
                    if let Failure::Unreachable(reason) = &failure {
                        self.offline = Some(reason.clone());
                    }
                    if let Some(form) = &mut self.login {
                        form.busy = false;
                        form.error = Some(failure.message());
                    }
                    Vec::new()
                }
            },
        }
    }

    /// A change's answer: told where it was asked for, if that still waits
    /// for it (a toggle's answer arriving while a prompt is open is the
    /// toggle's, and leaves the prompt be), else in the status bar.
    fn on_saved(
        &mut self,
        source: Source,
        created: bool,
        verb: &str,
        shown_as: Option<String>,
        result: Result<Task, Failure>,
    ) -> Vec<Command> {
        let form_waiting =
            source == Source::Form && matches!(&self.overlay, Overlay::Form(form) if form.saving);
        let prompt_waiting = source == Source::Prompt
            && matches!(&self.overlay, Overlay::Prompt(prompt) if prompt.sending);
        match result {
            Ok(task) => {
                let id = task.id;
                if form_waiting || prompt_waiting {
                    self.overlay = Overlay::None;
                }
                let name = shown_as.unwrap_or_else(|| display::name(&task));
                let saved = format!("{verb} task {name}.");
                self.info(display::with_expiry_warning(saved, &task, self.now));
                self.upsert(task);
                if created {
                    self.select_id = Some(id);
                }
                self.keep_selection();
                vec![self.reload()]
            }
            Err(failure) => {
                let stale = matches!(&failure, Failure::Problem(p) if p.status == 412);
                // A prompt refused keeps what was typed, and says why; on a
                // task changed meanwhile, the rows are read again and the
                // prompt takes the task as it now is, for Enter to resend.
                // An ended login keeps it too, under the login form, for
                // once the user has logged in again.
                if let (true, Overlay::Prompt(prompt)) = (prompt_waiting, &mut self.overlay) {
                    prompt.sending = false;
                    if failure.needs_login() {
                        prompt.error = Some("not sent: the login had ended; Enter sends it".into());
                        self.change_failed(&failure);
                        return Vec::new();
                    }
                    if stale {
                        prompt.error =
                            Some("changed elsewhere meanwhile: Enter sends it again".into());
                        return vec![self.reload()];
                    }
                    prompt.error = Some(failure.message());
                    if let Failure::Unreachable(reason) = &failure {
                        self.offline = Some(reason.clone());
                    }
                    return Vec::new();
                }
                if let (true, Overlay::Form(form)) = (form_waiting, &mut self.overlay) {
                    form.saving = false;
                    match &failure {
                        Failure::Problem(_) if stale => {
                            // What was typed stays; the server's version is
                            // read so that the user can choose.
                            form.error =
                                Some("changed elsewhere: reading the server's version…".into());
                            if let Some(original) = &form.original {
                                return vec![Command::FetchTask { id: original.id }];
                            }
                        }
                        Failure::Problem(p) if p.status == 404 && form.is_edit() => {
                            form.detach();
                            form.error = Some(DELETED_MEANWHILE.into());
                        }
                        Failure::Problem(problem) => form.show_problem(problem),
                        other => form.error = Some(other.message()),
                    }
                }
                if stale && !form_waiting {
                    self.error("The task changed elsewhere; reloaded it, try again.");
                    return vec![self.reload()];
                }
                if failure.needs_login() || !form_waiting {
                    self.change_failed(&failure);
                } else if let Failure::Unreachable(reason) = &failure {
                    self.offline = Some(reason.clone());
                }
                Vec::new()
            }
        }
    }

    /// [`Self::failed`] for a change (toggle, delete): while the server is
    /// unreachable, also says the change was not made, since nothing is sent
    /// later on the user's behalf.
    pub(super) fn change_failed(&mut self, failure: &Failure) {
        self.failed(failure);
        if let Failure::Unreachable(reason) = failure {
            self.error(format!("Not saved: {reason}"));
        }
    }

    /// Shows a failure where it belongs: the login form, the offline notice, or
    /// the status bar.
    fn failed(&mut self, failure: &Failure) {
        match failure {
            f if f.needs_login() => self.require_login(f),
            Failure::Unreachable(reason) => self.offline = Some(reason.clone()),
            other => self.error(other.message()),
        }
    }
}
