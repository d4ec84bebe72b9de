//! taskd reaching PostgreSQL over TLS when its URL asks, with the server's
//! certificate checked against the authority the URL names. Each test runs
//! a cluster of its own that takes TLS connections, with a certificate
//! authority made for it. Needs `TASKD_TEST_POSTGRES` like the other
//! PostgreSQL tests.

use std::{path::Path, process::Command, time::Duration};

use serde_json::json;

use crate::{daemon::Daemon, helpers::postgres_server, private_cluster::PrivateCluster};

/// A certificate authority's certificate, and a certificate and key it
/// signed for a server at `host`, all PEM.
struct Certificates {
    authority: String,
    server: String,
    server_key: String,
}

fn certificates(host: &str) -> Certificates {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let authority_key = KeyPair::generate().unwrap();
    let mut authority = CertificateParams::new(Vec::<String>::new()).unwrap();
    authority.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    authority
        .distinguished_name
        .push(DnType::CommonName, "taskd test authority");
    authority.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let authority_pem = authority.self_signed(&authority_key).unwrap().pem();
    let issuer = Issuer::new(authority, authority_key);
    let server_key = KeyPair::generate().unwrap();
    let mut server = CertificateParams::new(vec![host.to_string()]).unwrap();
    server.distinguished_name.push(DnType::CommonName, host);
    let server = server.signed_by(&server_key, &issuer).unwrap();
    Certificates {
        authority: authority_pem,
        server: server.pem(),
        server_key: server_key.serialize_pem(),
    }
}

fn written(dir: &Path, name: &str, pem: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, pem).unwrap();
    path.display().to_string()
}

/// What `taskd migrate` says on the way out, and whether it succeeded.
fn migrate(url: &str) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_taskd"))
        .args(["--database", url, "migrate"])
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_asking_for_tls_gets_it_for_every_connection() {
    if postgres_server().is_none() {
        eprintln!("TASKD_TEST_POSTGRES is not set: this PostgreSQL test did not run");
        return;
    }
    let made = certificates("127.0.0.1");
    let cluster = tokio::task::block_in_place(|| {
        PrivateCluster::start_with_tls(&made.server, &made.server_key)
    });
    let dir = tempfile::tempdir().unwrap();
    let root = written(dir.path(), "root.crt", &made.authority);
    let url = format!("{}?sslmode=verify-full&sslrootcert={root}", cluster.url());
    let daemon = Daemon::start(&["--database", &url], &[]);
    let access = daemon.signup("alice").await;
    let created = daemon
        .post("/api/tasks/", Some(&access), json!({"title": "over TLS"}))
        .await;
    assert_eq!(created.status(), reqwest::StatusCode::CREATED);

    // Asked on a plain connection of the test's own: the server's view of
    // every connection taskd holds, the listening one among them.
    let (client, connection) = tokio_postgres::connect(&cluster.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let mut seen = Vec::new();
    for _ in 0..100 {
        seen = client
            .query(
                "SELECT a.application_name, s.ssl FROM pg_stat_activity a \
                 JOIN pg_stat_ssl s USING (pid) WHERE a.application_name LIKE 'taskd%'",
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|row| (row.get::<_, String>(0), row.get::<_, bool>(1)))
            .collect::<Vec<_>>();
        if seen.iter().any(|(name, _)| name == "taskd-listen") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        seen.iter().any(|(name, _)| name == "taskd-listen"),
        "{seen:?}"
    );
    assert!(seen.iter().all(|(_, ssl)| *ssl), "{seen:?}");

    // And without asking, the connection stays plain TCP as before.
    let plain = Daemon::start(&["--database", &cluster.url()], &[]);
    let bob = plain.signup("bob").await;
    let created = plain
        .post("/api/tasks/", Some(&bob), json!({"title": "plain"}))
        .await;
    assert_eq!(created.status(), reqwest::StatusCode::CREATED);
    let encrypted: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) \
             WHERE a.application_name LIKE 'taskd%' AND s.ssl",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let all: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'taskd%'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(all > encrypted, "{all} connections, {encrypted} encrypted");
}

#[test]
fn a_certificate_it_cannot_check_is_refused_with_the_way_to_name_its_authority() {
    if postgres_server().is_none() {
        eprintln!("TASKD_TEST_POSTGRES is not set: this PostgreSQL test did not run");
        return;
    }
    let made = certificates("127.0.0.1");
    let cluster = PrivateCluster::start_with_tls(&made.server, &made.server_key);
    let dir = tempfile::tempdir().unwrap();
    let root = written(dir.path(), "root.crt", &made.authority);
    let stranger = written(
        dir.path(),
        "other.crt",
        &certificates("127.0.0.1").authority,
    );
    let on_localhost = cluster.url().replace("127.0.0.1", "localhost");

    for (url, hint) in [
        // libpq's require encrypts without checking; here it checks too.
        (
            format!("{}?sslmode=require", cluster.url()),
            "sslrootcert=PATH",
        ),
        (
            format!(
                "{}?sslmode=verify-full&sslrootcert={stranger}",
                cluster.url()
            ),
            "sslrootcert=PATH",
        ),
        // The certificate is for 127.0.0.1, not for localhost.
        (
            format!("{on_localhost}?sslmode=verify-full&sslrootcert={root}"),
            "a host name its certificate is for",
        ),
    ] {
        let (succeeded, said) = migrate(&url);
        assert!(!succeeded, "{url}");
        assert!(said.contains("invalid peer certificate"), "{url}: {said}");
        assert!(said.contains(hint), "{url}: {said}");
        assert!(!said.contains("creating a new object"), "{url}: {said}");
    }
    let (succeeded, said) = migrate(&format!(
        "{}?sslmode=verify-full&sslrootcert={root}",
        cluster.url()
    ));
    assert!(succeeded, "{said}");
}
