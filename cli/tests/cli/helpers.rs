//! A real `taskd` on a random port with its own SQLite file, and the real
//! `task` binary run against it with its own config dir, a pinned "now" and
//! a pinned time zone.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Wednesday 2026-03-04 10:30 in the pinned zone.
pub const NOW: &str = "2026-03-04T10:30:00+05:30";
/// India: +05:30 all year, written as a POSIX TZ string so that no tz
/// database is needed.
pub const TZ: &str = "IST-5:30";

pub const PASSWORD: &str = "correct horse battery";

/// A `taskd` running in this process on its own runtime.
pub struct TestServer {
    runtime: tokio::runtime::Runtime,
    spawned: Option<taskd::Spawned>,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub fn start() -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let config = taskd::config::Config::for_tests(dir.path());
        let spawned = runtime
            .block_on(taskd::spawn(config))
            .expect("taskd starts");
        let url = spawned.url();
        TestServer {
            runtime,
            spawned: Some(spawned),
            url,
            _dir: dir,
        }
    }

    /// Stops the server; its port then refuses connections.
    pub fn stop(&mut self) {
        if let Some(spawned) = self.spawned.take() {
            self.runtime.block_on(spawned.stop());
        }
    }

    /// Runs a future on the server's runtime (for setting up data through
    /// the shared client).
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Deactivates `username`'s account as an admin's change does, ending
    /// its logins.
    pub fn deactivate(&self, username: &str) {
        use taskd::store::admin::UserChange;
        let spawned = self.spawned.as_ref().expect("the server runs");
        let store = &spawned.state.store;
        self.block_on(async {
            let user = store
                .user_by_username(username)
                .await
                .expect("the store answers")
                .expect("the user exists");
            let change = UserChange {
                is_active: Some(false),
                ..UserChange::default()
            };
            store
                .update_user(user.id, change, true)
                .await
                .expect("the store answers")
                .expect("the user exists");
        });
    }
}

/// One user's `task`: its own config dir.
pub struct Cli {
    pub server: String,
    pub config: tempfile::TempDir,
    pub extra_env: Vec<(String, String)>,
}

/// What a `task` run left behind.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    #[track_caller]
    pub fn success(self) -> Run {
        assert_eq!(self.code, 0, "{self:?}");
        self
    }

    #[track_caller]
    pub fn failure(self, code: i32) -> Run {
        assert_eq!(self.code, code, "{self:?}");
        self
    }

    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:?}"))
    }
}

pub fn task_bin() -> &'static str {
    env!("CARGO_BIN_EXE_task")
}

impl Cli {
    pub fn new(server: &TestServer) -> Cli {
        Cli::at(&server.url)
    }

    pub fn at(url: &str) -> Cli {
        Cli {
            server: url.to_string(),
            config: tempfile::tempdir().expect("temp dir"),
            extra_env: Vec::new(),
        }
    }

    pub fn credentials_path(&self) -> PathBuf {
        self.config.path().join("credentials.json")
    }

    /// The environment every run gets, and nothing else from ours.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = vec![
            ("HOME".to_string(), self.config.path().display().to_string()),
            (
                "XDG_CONFIG_HOME".to_string(),
                self.config.path().display().to_string(),
            ),
            (
                "TASK_CONFIG_DIR".to_string(),
                self.config.path().display().to_string(),
            ),
            ("TASK_SERVER".to_string(), self.server.clone()),
            ("TASK_NOW".to_string(), NOW.to_string()),
            // Texts `task edit` keeps stay with the test's own files.
            (
                "TMPDIR".to_string(),
                self.config.path().display().to_string(),
            ),
            ("TZ".to_string(), TZ.to_string()),
            (
                "PATH".to_string(),
                std::env::var("PATH").unwrap_or_default(),
            ),
        ];
        env.extend(self.extra_env.iter().cloned());
        env
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(task_bin());
        command.args(args).env_clear().envs(self.env());
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, "")
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("task runs");
        if let Some(mut input) = child.stdin.take() {
            let _ = input.write_all(stdin.as_bytes());
        }
        child.wait_with_output().expect("task finishes").into()
    }

    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> String {
        self.run(args).success().stdout
    }

    /// The titles `task --json list ARGS` lists, in its order.
    pub fn listed_titles(&self, args: &[&str]) -> Vec<String> {
        let mut all = vec!["--json", "list"];
        all.extend_from_slice(args);
        self.run(&all)
            .success()
            .json()
            .as_array()
            .expect("an array")
            .iter()
            .map(|t| t["title"].as_str().expect("a title").to_string())
            .collect()
    }

    pub fn register(&self, user: &str) {
        self.run_with_stdin(
            &["register", user, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .success();
    }

    pub fn login(&self, user: &str) {
        self.run_with_stdin(
            &["login", user, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        )
        .success();
    }

    /// A registered, logged-in user.
    pub fn logged_in(server: &TestServer, user: &str) -> Cli {
        let cli = Cli::new(server);
        cli.register(user);
        cli.login(user);
        cli
    }

    /// `task --json add WORDS…` → the created task.
    #[track_caller]
    pub fn add(&self, words: &[&str]) -> Value {
        let mut args = vec!["--json", "add"];
        args.extend_from_slice(words);
        self.run(&args).success().json()
    }

    pub fn credentials(&self) -> Value {
        let text = std::fs::read_to_string(self.credentials_path()).expect("credentials file");
        serde_json::from_str(&text).expect("credentials JSON")
    }

    pub fn write_credentials(&self, value: &Value) {
        std::fs::write(self.credentials_path(), value.to_string()).expect("write credentials");
    }

    /// `task` under a pseudo-terminal (util-linux `script`), for prompts,
    /// echo and colours.
    pub fn on_tty(&self, args: &[&str]) -> Tty {
        let mut line = shell_quote(task_bin());
        for arg in args {
            line.push(' ');
            line.push_str(&shell_quote(arg));
        }
        let mut env = self.env();
        env.push(("SHELL".to_string(), "/bin/sh".to_string()));
        env.push(("TERM".to_string(), "xterm".to_string()));
        let mut child = Command::new("script")
            .args(["-qefc", &line, "/dev/null"])
            .env_clear()
            .envs(env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("script (util-linux) runs");
        let output = Arc::new(Mutex::new(Vec::new()));
        let mut stdout = child.stdout.take().expect("stdout");
        let sink = Arc::clone(&output);
        let reader = std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("lock").extend_from_slice(&buffer[..n]);
            }
        });
        let stdin = child.stdin.take();
        Tty {
            child,
            stdin,
            output,
            reader: Some(reader),
        }
    }
}

fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// A `task` running on a pseudo-terminal.
pub struct Tty {
    child: Child,
    stdin: Option<ChildStdin>,
    output: Arc<Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Tty {
    /// Everything the terminal showed so far.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().expect("lock")).into_owned()
    }

    /// Waits until the terminal shows `text`.
    #[track_caller]
    pub fn expect(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.screen().contains(text) {
            assert!(
                Instant::now() < deadline,
                "waited for {text:?}; the terminal shows {:?}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types a line.
    pub fn send_line(&mut self, line: &str) {
        if let Some(stdin) = self.stdin.as_mut() {
            stdin
                .write_all(format!("{line}\r").as_bytes())
                .expect("type into the terminal");
            stdin.flush().expect("flush");
        }
    }

    /// Types a password at its prompt. The prompt is written before the
    /// terminal's echo is turned off, so a line sent the moment it shows
    /// can be echoed; a person never types that fast.
    pub fn send_secret(&mut self, line: &str) {
        std::thread::sleep(Duration::from_millis(300));
        self.send_line(line);
    }

    /// Waits for the end; returns the exit status and the whole screen.
    pub fn finish(mut self) -> (i32, String) {
        drop(self.stdin.take());
        let status = self.child.wait().expect("script finishes");
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        (status.code().unwrap_or(-1), self.screen())
    }
}

/// A TCP relay in front of a server that counts the requests whose request
/// line starts with `needle` (`GET /api/tasks/`): what a client asked of the
/// server, seen on the wire.
pub struct CountingRelay {
    pub url: String,
    count: Arc<std::sync::atomic::AtomicUsize>,
}

impl CountingRelay {
    pub fn start(server_url: &str, needle: &'static str) -> CountingRelay {
        let (url, count) = relay(server_url, needle, false);
        CountingRelay { url, count }
    }

    pub fn count(&self) -> usize {
        self.count.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A [`CountingRelay`] that also loses the answer to the first such
/// request: the server has it and answers, the client sees its connection
/// drop.
pub struct LosingRelay {
    pub url: String,
    count: Arc<std::sync::atomic::AtomicUsize>,
}

impl LosingRelay {
    pub fn start(server_url: &str, needle: &'static str) -> LosingRelay {
        let (url, count) = relay(server_url, needle, true);
        LosingRelay { url, count }
    }

    pub fn count(&self) -> usize {
        self.count.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Relays each connection to the server, counting the requests that start
/// with `needle`; with `lose_first`, the answer to the first is dropped.
fn relay(
    server_url: &str,
    needle: &'static str,
    lose_first: bool,
) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use std::net::{TcpListener, TcpStream};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    let target = server_url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let listener = TcpListener::bind("127.0.0.1:0").expect("relay binds");
    let url = format!("http://{}", listener.local_addr().expect("relay address"));
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    let lost_one = Arc::new(AtomicBool::new(!lose_first));
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { return };
            let Ok(mut server) = TcpStream::connect(&target) else {
                return;
            };
            let (Ok(mut client_back), Ok(mut server_back)) =
                (client.try_clone(), server.try_clone())
            else {
                return;
            };
            // Set before the request reaches the server, so before its
            // answer comes back.
            let lose = Arc::new(AtomicBool::new(false));
            let losing = Arc::clone(&lose);
            std::thread::spawn(move || {
                let mut buffer = [0u8; 16 * 1024];
                loop {
                    let n = match server_back.read(&mut buffer) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if losing.load(Ordering::SeqCst) || client_back.write_all(&buffer[..n]).is_err()
                    {
                        break;
                    }
                }
                let _ = client_back.shutdown(std::net::Shutdown::Both);
            });
            let counter = Arc::clone(&counter);
            let lost_one = Arc::clone(&lost_one);
            std::thread::spawn(move || {
                // Request lines are counted across read boundaries: the
                // tail of one read is searched again with the next.
                let needle = needle.as_bytes();
                let mut carry: Vec<u8> = Vec::new();
                let mut buffer = [0u8; 16 * 1024];
                loop {
                    let n = match client.read(&mut buffer) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    carry.extend_from_slice(&buffer[..n]);
                    let found = carry.windows(needle.len()).filter(|w| *w == needle).count();
                    if found > 0 {
                        counter.fetch_add(found, Ordering::SeqCst);
                        if !lost_one.swap(true, Ordering::SeqCst) {
                            lose.store(true, Ordering::SeqCst);
                        }
                    }
                    let keep = carry.len().min(needle.len() - 1);
                    carry.drain(..carry.len() - keep);
                    if server.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
                let _ = server.shutdown(std::net::Shutdown::Both);
            });
        }
    });
    (url, count)
}
