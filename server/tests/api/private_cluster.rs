//! A PostgreSQL cluster of a test's own (Debian's initdb and pg_ctl, in a
//! temporary directory), for tests that stop it or configure it apart from
//! the server the other tests share.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

/// A PostgreSQL cluster of this test's own, in a temporary directory.
pub struct PrivateCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    /// The server's settings beyond its port and address.
    settings: String,
}

impl PrivateCluster {
    pub fn start() -> PrivateCluster {
        let cluster = PrivateCluster::initialised();
        cluster.up();
        cluster
    }

    /// A cluster that also takes TLS connections, with the certificate
    /// and key given (PEM).
    pub fn start_with_tls(certificate: &str, key: &str) -> PrivateCluster {
        let mut cluster = PrivateCluster::initialised();
        let data = PathBuf::from(cluster.data());
        let (certificate_file, key_file) = (data.join("server.crt"), data.join("server.key"));
        std::fs::write(&certificate_file, certificate).unwrap();
        std::fs::write(&key_file, key).unwrap();
        // PostgreSQL reads a key only its own user can read.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        if running_as_root() {
            run(Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&certificate_file)
                .arg(&key_file));
        }
        cluster.settings =
            "-c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key".to_string();
        cluster.up();
        cluster
    }

    fn initialised() -> PrivateCluster {
        let bin = newest_postgres_bin();
        let dir = tempfile::tempdir().unwrap();
        if running_as_root() {
            // PostgreSQL refuses to run as root: its own user owns the data.
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path()));
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cluster = PrivateCluster {
            dir,
            bin,
            port,
            settings: String::new(),
        };
        run(&mut cluster.tool(
            "initdb",
            &[
                "-D",
                &cluster.data(),
                "-U",
                "taskd",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
        ));
        cluster
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// The cluster's `postgres` database, as its superuser `taskd`.
    pub fn url(&self) -> String {
        format!("postgres://taskd@127.0.0.1:{}/postgres", self.port)
    }

    /// A PostgreSQL program, run as the `postgres` user when we are root.
    fn tool(&self, name: &str, args: &[&str]) -> Command {
        let program = self.bin.join(name);
        let mut command = if running_as_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        command.args(args);
        command
    }

    pub fn up(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 {}",
            self.port,
            self.dir.path().display(),
            self.settings
        );
        let log = self.dir.path().join("log").display().to_string();
        run(&mut self.tool(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                &log,
                "-o",
                &options,
                "-w",
                "start",
            ],
        ));
    }

    pub fn down(&self) {
        run(&mut self.tool("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]));
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let _ = self
            .tool("pg_ctl", &["-D", &self.data(), "-m", "immediate", "stop"])
            .output();
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

/// Debian keeps each version's programs in /usr/lib/postgresql/VERSION/bin.
fn newest_postgres_bin() -> PathBuf {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .expect("PostgreSQL's server programs are not installed (/usr/lib/postgresql)")
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("no initdb under /usr/lib/postgresql")
        .1
}

fn run(command: &mut Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
