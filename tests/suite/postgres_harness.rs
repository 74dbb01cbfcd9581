//! The PostgreSQL test harness (`tests/suite/support/postgres.rs`) itself: a real server
//! starts, answers, keeps money exact and dates as dates, and is gone afterwards, both
//! when dropped and when the test process exits or is killed while holding the shared
//! server.

use crate::support::postgres::{self, TestPostgres};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn rows(out: &str) -> Vec<&str> {
    out.lines().collect()
}

#[test]
fn select_one() {
    let pg = postgres::shared();
    assert_eq!(pg.psql("SELECT 1"), "1\n");
    assert!(pg.url.starts_with("postgresql://postgres@127.0.0.1:"));
    assert!(pg.url.ends_with("/kpic"));
    assert_eq!(
        rows(&pg.psql(
            "SELECT current_database(), current_user, current_setting('TimeZone'), \
             current_setting('server_encoding'), current_setting('listen_addresses');"
        )),
        ["kpic|postgres|UTC|UTF8|127.0.0.1"]
    );
    // One server per test binary.
    assert!(std::ptr::eq(pg, postgres::shared()));
}

#[test]
fn numeric_money_is_exact() {
    let pg = postgres::shared();
    let out = pg.psql(
        "CREATE TABLE harness_money (id integer PRIMARY KEY, amount NUMERIC(18,4) NOT NULL);
         INSERT INTO harness_money SELECT g, 0.10 FROM generate_series(1, 100000) AS g;
         SELECT sum(amount) FROM harness_money;
         SELECT pg_typeof(sum(amount)) FROM harness_money;
         -- the same sum in binary floating point is not 10000
         SELECT sum(amount::float8) = 10000 FROM harness_money;
         -- the largest NUMERIC(18,4), times three, still exact
         SELECT 99999999999999.9999::NUMERIC(18,4) * 3;
         -- a fifth decimal is rounded half away from zero on the way in
         SELECT 0.12345::NUMERIC(18,4), (-0.12345)::NUMERIC(18,4);",
    );
    assert_eq!(
        rows(&out),
        [
            "10000.0000",
            "numeric",
            "f",
            "299999999999999.9997",
            "0.1235|-0.1235"
        ]
    );
    let overflow = pg
        .try_psql("SELECT 100000000000000::NUMERIC(18,4);")
        .expect_err("NUMERIC(18,4) holds 14 integer digits");
    assert!(overflow.contains("numeric field overflow"), "{overflow}");
}

#[test]
fn date_column() {
    let pg = postgres::shared();
    let out = pg.psql(
        "CREATE TABLE harness_dates (d DATE NOT NULL);
         INSERT INTO harness_dates VALUES ('2025-12-31'), ('2024-02-29'), ('2024-03-01'),
                                          ('2024-02-28');
         SELECT d FROM harness_dates ORDER BY d;
         SELECT count(*) FROM harness_dates
          WHERE d >= DATE '2024-01-01' AND d < DATE '2024-04-01';
         SELECT DATE '2024-02-29' + 1, DATE '2025-03-31' - DATE '2025-01-01',
                (DATE '2024-02-29' - INTERVAL '1 year')::date,
                date_trunc('quarter', DATE '2025-08-15')::date;",
    );
    assert_eq!(
        rows(&out),
        [
            "2024-02-28",
            "2024-02-29",
            "2024-03-01",
            "2025-12-31",
            "3",
            "2024-03-01|89|2023-02-28|2025-07-01",
        ]
    );
}

#[test]
fn psql_errors_carry_the_server_message() {
    let pg = postgres::shared();
    let err = pg
        .try_psql("SELECT 1;\nSELEC 2;\nSELECT 3;")
        .expect_err("syntax error");
    assert!(err.contains("syntax error at or near \"SELEC\""), "{err}");

    let panic = std::panic::catch_unwind(|| pg.psql("SELECT * FROM harness_no_such_table"))
        .expect_err("psql must panic on an error");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("relation \"harness_no_such_table\" does not exist"),
        "{message}"
    );
}

#[test]
fn own_server_is_gone_after_drop() {
    let pg = TestPostgres::start();
    eprintln!("own server started in {:?}", pg.started_in);
    assert_eq!(pg.psql("SELECT 41 + 1"), "42\n");
    // Independent of the shared server.
    assert_ne!(pg.port, postgres::shared().port);
    let (port, pid, dir) = (pg.port, pg.server_pid(), pg.dir().to_path_buf());
    assert!(server_alive(pid));
    assert!(dir.join("data/PG_VERSION").is_file());

    drop(pg);

    let err = TcpStream::connect(("127.0.0.1", port)).expect_err("server still listening");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused, "{err}");
    assert!(!server_alive(pid), "postmaster {pid} still running");
    assert!(!dir.exists(), "{} still exists", dir.display());
}

/// Is `pid` a live (not zombie) `postgres` process?
fn server_alive(pid: u32) -> bool {
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat.rsplit(')').next().unwrap_or("").trim_start();
    comm.trim() == "postgres" && !state.starts_with('Z')
}

// The shared server lives in a `static`, which is never dropped: its watchdog must
// stop it when the test process ends. To see that happen, the tests below run this
// test binary again, limited to `child_process_holding_the_shared_server`.

const CHILD_MODE: &str = "KPIC_PG_HARNESS_CHILD";
const READY: &str = "KPIC_PG_HARNESS_READY";

/// The body of that child process; without `KPIC_PG_HARNESS_CHILD` (a normal test run)
/// it does nothing. It starts the shared server, prints where it is, then returns
/// (`exit`: the process exits normally) or waits to be killed (`hang`).
#[test]
fn child_process_holding_the_shared_server() {
    let Ok(mode) = std::env::var(CHILD_MODE) else {
        return;
    };
    let pg = postgres::shared();
    assert_eq!(pg.psql("SELECT 1"), "1\n");
    println!(
        "{READY} {} {} {}",
        pg.port,
        pg.server_pid(),
        pg.dir().display()
    );
    if mode == "hang" {
        // Killed by the parent long before; the bound only guards against a lost parent.
        std::thread::sleep(Duration::from_secs(120));
    }
}

struct ChildServer {
    port: u16,
    pid: u32,
    dir: PathBuf,
}

fn spawn_child(mode: &str) -> (std::process::Child, ChildServer) {
    let mut child = Command::new(std::env::current_exe().expect("current exe"))
        .args([
            "postgres_harness::child_process_holding_the_shared_server",
            "--exact",
        ])
        .args(["--nocapture", "--test-threads=1"])
        .env(CHILD_MODE, mode)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn the test binary");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped")).lines();
    let mut seen = String::new();
    while let Some(line) = stdout.next() {
        let line = line.expect("child stdout");
        seen.push_str(&line);
        seen.push('\n');
        if let Some(rest) = line.split_once(READY).map(|(_, rest)| rest.trim()) {
            let mut parts = rest.splitn(3, ' ');
            let port = parts.next().and_then(|p| p.parse().ok());
            let pid = parts.next().and_then(|p| p.parse().ok());
            let dir = parts.next().map(PathBuf::from);
            if let (Some(port), Some(pid), Some(dir)) = (port, pid, dir) {
                // Keep reading: the child fails if its stdout closes before it is done.
                std::thread::spawn(move || stdout.for_each(drop));
                return (child, ChildServer { port, pid, dir });
            }
            break;
        }
    }
    let _ = child.kill();
    let status = child.wait();
    panic!("the child test process did not report its server ({status:?}); stdout:\n{seen}");
}

/// Waits until the child's server process, port and folder are all gone.
fn assert_cleaned_up(server: &ChildServer, what: &str) {
    let began = Instant::now();
    let gone = |s: &ChildServer| {
        !server_alive(s.pid)
            && !Path::new(&s.dir).exists()
            && TcpStream::connect(("127.0.0.1", s.port)).is_err()
    };
    while !gone(server) {
        assert!(
            began.elapsed() < Duration::from_secs(60),
            "{what}: after 60 s, postmaster {} alive: {}, {} exists: {}",
            server.pid,
            server_alive(server.pid),
            server.dir.display(),
            server.dir.exists()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    eprintln!("{what}: shared server gone {:?} later", began.elapsed());
}

#[test]
fn shared_server_stops_when_the_test_process_exits() {
    let (mut child, server) = spawn_child("exit");
    let status = child.wait().expect("wait for the child");
    assert!(status.success(), "child test failed: {status}");
    assert_cleaned_up(&server, "exit");
}

#[test]
fn shared_server_stops_when_the_test_process_is_killed() {
    let (mut child, server) = spawn_child("hang");
    assert!(server_alive(server.pid));
    child.kill().expect("SIGKILL the child");
    child.wait().expect("wait for the child");
    assert_cleaned_up(&server, "SIGKILL");
}
