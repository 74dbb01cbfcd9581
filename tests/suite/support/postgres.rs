//! A real PostgreSQL server for integration tests, started by the test itself.
//!
//! Use [`shared()`] (one server per test binary, started on first use) or
//! [`TestPostgres::start()`] (a server of your own, stopped when dropped). The server is
//! a throw-away cluster: `initdb` into a fresh folder under the temp dir, trust
//! authentication, listening on a free port of 127.0.0.1 only, `fsync=off`, time zone
//! UTC, locale C, a database `kpic`. The URL is `postgresql://postgres@127.0.0.1:PORT/kpic`.
//!
//! Nothing is skipped: if the server cannot be found, installed or started, `start()`
//! panics and says which command failed and what it printed.
//!
//! Binaries: `$KPIC_PG_BINDIR` if set, else the newest `/usr/lib/postgresql/*/bin`
//! (Debian, Ubuntu), else `initdb` on the `PATH`; when none is found, the package
//! `postgresql` is installed by [`install::apt_install`] (as root; otherwise the test
//! fails naming the package). PostgreSQL refuses to run as root, so as root the
//! server runs as the OS user `postgres` (created if missing) through `runuser`;
//! otherwise as the current user.
//!
//! # Cleanup: a watchdog per server
//!
//! Before `initdb` runs, `start()` spawns a small `sh` watchdog whose stdin is a pipe; the
//! test process holds the only write end (Rust opens pipes close-on-exec, so no other
//! child inherits it). The watchdog blocks reading that pipe. End of file comes when
//!
//! - the `TestPostgres` is dropped (`Drop` closes the pipe and waits for the watchdog), or
//! - the test process ends in any way at all: normal exit, failed tests, a panic that
//!   aborts, Ctrl-C, `SIGKILL`, a CI timeout. The kernel closes the process's file
//!   descriptors, which closes the pipe.
//!
//! Then the watchdog runs `pg_ctl stop -m immediate` and removes the folder. This is
//! what makes [`shared()`] safe: a value in a `static` is never dropped, so the shared
//! server is stopped by its watchdog right after the test binary exits (measured: well
//! under a second). The watchdog sits in its own process group and ignores SIGHUP,
//! SIGINT and SIGPIPE, so a Ctrl-C or a kill of the test's process group does not take it
//! down before it has cleaned up. (`pg_ctl` itself starts the postmaster in a session of
//! its own, so the server never receives those signals and must be stopped explicitly.)
//! The only way to leave a server behind is to `SIGKILL` the watchdog itself.

use super::install::{self, run};
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The database superuser (`initdb -U`), the same on every machine.
const DB_USER: &str = "postgres";
/// The database the tests use.
const DB_NAME: &str = "kpic";
/// The OS user the server runs as when the tests run as root.
const OS_USER: &str = "postgres";

/// A running PostgreSQL server of the tests; stopped and deleted on drop.
pub struct TestPostgres {
    /// `postgresql://postgres@127.0.0.1:PORT/kpic`
    pub url: String,
    pub port: u16,
    /// Wall time `start()` took: initdb, server start and `CREATE DATABASE`.
    pub started_in: Duration,
    dir: PathBuf,
    data: PathBuf,
    env: &'static Env,
    watchdog: Option<Watchdog>,
}

/// The one server shared by every test of this test binary, started on first use.
///
/// A `static` is never dropped: this server is stopped by its watchdog when the test
/// process exits (see the module documentation), not by `Drop`.
pub fn shared() -> &'static TestPostgres {
    static SHARED: OnceLock<TestPostgres> = OnceLock::new();
    SHARED.get_or_init(TestPostgres::start)
}

impl TestPostgres {
    /// Starts a fresh server of its own; panics, saying why, when it cannot.
    pub fn start() -> TestPostgres {
        let began = Instant::now();
        let env = env();

        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "kpic-pg-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        // Only a process that had our pid before us can have left this folder, and its
        // watchdog stopped its server when it died.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| {
            panic!(
                "test PostgreSQL: cannot create the folder {}: {e}",
                dir.display()
            )
        });
        let data = dir.join("data");
        // From here on the folder, and any server started in it, are removed even if
        // this function panics: unwinding drops the watchdog, which cleans up.
        let watchdog = Watchdog::spawn(env, &dir, &data);

        if let Some((uid, gid)) = env.server_ids {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).unwrap_or_else(|e| {
                panic!(
                    "test PostgreSQL: cannot give {} to the user {OS_USER}: {e}",
                    dir.display()
                )
            });
        }
        let can_write = env
            .server_command("test", &dir)
            .arg("-w")
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        if !can_write {
            panic!(
                "test PostgreSQL: the server's user ({}) cannot write to {}; the temp dir \
                 (TMPDIR={:?}) must be reachable by every user, e.g. TMPDIR=/tmp",
                if env.server_ids.is_some() {
                    OS_USER
                } else {
                    "current user"
                },
                dir.display(),
                std::env::var_os("TMPDIR"),
            );
        }

        let initdb = env.bin.join("initdb");
        let mut cmd = env.server_command(&initdb, &dir);
        cmd.arg("-D").arg(&data);
        cmd.args([
            "-A",
            "trust",
            "-U",
            DB_USER,
            "-E",
            "UTF8",
            "--locale=C",
            "-N",
        ]);
        if let Err(e) = run(&mut cmd) {
            panic!("test PostgreSQL: initdb failed\n{e}");
        }

        // Settings after initdb's own: later lines of postgresql.conf win. Written to
        // the file rather than passed on pg_ctl's command line (which goes through a
        // shell) so that any temp-dir path works.
        let socket_dir = data
            .to_str()
            .unwrap_or_else(|| panic!("test PostgreSQL: temp dir {} is not UTF-8", data.display()));
        let settings = format!(
            "\n# kpic test harness\n\
             listen_addresses = '127.0.0.1'\n\
             unix_socket_directories = '{}'\n\
             fsync = off\n\
             synchronous_commit = off\n\
             full_page_writes = off\n\
             timezone = 'UTC'\n\
             log_timezone = 'UTC'\n",
            socket_dir.replace('\'', "''")
        );
        let conf = data.join("postgresql.conf");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&conf)
            .and_then(|mut f| f.write_all(settings.as_bytes()))
            .unwrap_or_else(|e| panic!("test PostgreSQL: cannot write {}: {e}", conf.display()));

        // The port is free when we look, but another process may take it before the
        // server binds it: then try another one.
        let log = dir.join("server.log");
        let pg_ctl = env.bin.join("pg_ctl");
        let mut attempt = 0;
        let port = loop {
            attempt += 1;
            let port = free_port();
            let mut cmd = env.server_command(&pg_ctl, &dir);
            cmd.arg("start").arg("-w").args(["-t", "120"]);
            cmd.arg("-D").arg(&data).arg("-l").arg(&log);
            cmd.arg("-o").arg(format!("-p {port}"));
            match run(&mut cmd) {
                Ok(_) => break port,
                Err(e) => {
                    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
                    let port_taken = log_text.contains("Address already in use")
                        || log_text.contains("could not bind");
                    if port_taken && attempt < 5 {
                        continue;
                    }
                    panic!(
                        "test PostgreSQL: the server did not start (port {port}, attempt \
                         {attempt})\n{e}\n--- {} ---\n{log_text}",
                        log.display()
                    );
                }
            }
        };

        let admin_url = format!("postgresql://{DB_USER}@127.0.0.1:{port}/postgres");
        if let Err(e) = psql_at(env, &admin_url, &format!("CREATE DATABASE {DB_NAME};")) {
            panic!("test PostgreSQL: cannot create the database {DB_NAME}\n{e}");
        }

        TestPostgres {
            url: format!("postgresql://{DB_USER}@127.0.0.1:{port}/{DB_NAME}"),
            port,
            started_in: began.elapsed(),
            dir,
            data,
            env,
            watchdog: Some(watchdog),
        }
    }

    /// Runs `sql` (any number of statements, psql meta-commands such as `\copy` too)
    /// with `psql -X -q -A -t -v ON_ERROR_STOP=1` and returns its stdout: one line per
    /// row, columns separated by `|`, no headers, no command tags. Panics on any error,
    /// with psql's stderr.
    pub fn psql(&self, sql: &str) -> String {
        self.try_psql(sql).unwrap_or_else(|e| {
            let shown: String = sql.chars().take(2000).collect();
            panic!(
                "psql failed against {}\n{e}\n--- SQL ---\n{shown}",
                self.url
            )
        })
    }

    /// Like [`psql`](Self::psql), but an error is returned (exit status and stderr).
    pub fn try_psql(&self, sql: &str) -> Result<String, String> {
        psql_at(self.env, &self.url, sql)
    }

    /// The folder holding the cluster (`data/`) and the server log (`server.log`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The process id of the postmaster.
    pub fn server_pid(&self) -> u32 {
        let pid_file = self.data.join("postmaster.pid");
        std::fs::read_to_string(&pid_file)
            .ok()
            .and_then(|text| text.lines().next()?.trim().parse().ok())
            .unwrap_or_else(|| panic!("test PostgreSQL: no pid in {}", pid_file.display()))
    }
}

impl Drop for TestPostgres {
    /// Stops the server (`pg_ctl stop -m immediate`) and removes its folder, through the
    /// watchdog, and waits until both are done.
    fn drop(&mut self) {
        drop(self.watchdog.take());
    }
}

/// The `sh` process that stops the server and removes its folder when its stdin closes.
struct Watchdog {
    child: Child,
    stdin: Option<ChildStdin>,
    dir: PathBuf,
}

/// $1 = bin dir, $2 = data dir, $3 = folder to remove, $4... = `runuser -u postgres --`
/// (as root) or nothing. Exits non-zero if the server could not be stopped.
const WATCHDOG: &str = r#"trap '' HUP INT PIPE
cat >/dev/null
bin=$1 data=$2 dir=$3
shift 3
status=0
if [ -f "$data/postmaster.pid" ]; then
  "$@" "$bin/pg_ctl" stop -D "$data" -m immediate -w -t 60 >/dev/null || status=1
fi
rm -rf "$dir" || status=1
exit $status
"#;

impl Watchdog {
    fn spawn(env: &Env, dir: &Path, data: &Path) -> Watchdog {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(WATCHDOG).arg("kpic-pg-watchdog");
        cmd.arg(&env.bin).arg(data).arg(dir);
        if env.server_ids.is_some() {
            cmd.args(["runuser", "-u", OS_USER, "--"]);
        }
        clear_pg_env(&mut cmd);
        cmd.current_dir("/")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .process_group(0);
        match cmd.spawn() {
            Ok(mut child) => Watchdog {
                stdin: child.stdin.take(),
                child,
                dir: dir.to_path_buf(),
            },
            Err(e) => {
                let _ = std::fs::remove_dir_all(dir);
                panic!("test PostgreSQL: cannot spawn the cleanup watchdog (sh): {e}");
            }
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.stdin.take()); // end of file: the watchdog cleans up now
        match self.child.wait() {
            Ok(status) if status.success() => {}
            Ok(status) => eprintln!(
                "test PostgreSQL: cleanup of {} failed ({status}); see the messages above",
                self.dir.display()
            ),
            Err(e) => eprintln!(
                "test PostgreSQL: cannot wait for the cleanup of {}: {e}",
                self.dir.display()
            ),
        }
    }
}

/// What every server of this process shares: where the binaries are, who runs them.
struct Env {
    bin: PathBuf,
    /// `Some((uid, gid))` of the `postgres` OS user when we are root (the server runs as
    /// that user through `runuser`); `None` when the server runs as the current user.
    server_ids: Option<(u32, u32)>,
}

impl Env {
    /// A command that runs `program` as the server's user, in `cwd`.
    fn server_command(&self, program: impl AsRef<std::ffi::OsStr>, cwd: &Path) -> Command {
        let mut cmd = if self.server_ids.is_some() {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", OS_USER, "--"]).arg(program);
            cmd
        } else {
            Command::new(program)
        };
        clear_pg_env(&mut cmd);
        cmd.current_dir(cwd);
        cmd
    }
}

/// Found once per process (tests run in parallel: one `apt-get` at a time); a failure
/// is remembered and reported by every test that asks.
fn env() -> &'static Env {
    static ENV: OnceLock<Result<Env, String>> = OnceLock::new();
    match ENV.get_or_init(find_env) {
        Ok(env) => env,
        Err(e) => panic!("test PostgreSQL: {e}"),
    }
}

fn find_env() -> Result<Env, String> {
    let root = install::is_root();
    let bin = match find_bin_dir()? {
        Some(bin) => bin,
        None => {
            install_postgresql()?;
            find_bin_dir()?.ok_or(
                "`apt-get install postgresql` succeeded but no initdb was found in \
                 /usr/lib/postgresql/*/bin",
            )?
        }
    };
    let server_ids = if root {
        ensure_os_user()?;
        Some((user_id("-u")?, user_id("-g")?))
    } else {
        None
    };
    Ok(Env { bin, server_ids })
}

/// `$KPIC_PG_BINDIR`, else the newest `/usr/lib/postgresql/<major>/bin`, else the
/// folder of `initdb` on the `PATH`.
fn find_bin_dir() -> Result<Option<PathBuf>, String> {
    let complete = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres", "psql"]
            .iter()
            .all(|exe| dir.join(exe).is_file())
    };
    if let Some(dir) = std::env::var_os("KPIC_PG_BINDIR") {
        let dir = PathBuf::from(dir);
        return if complete(&dir) {
            Ok(Some(dir))
        } else {
            Err(format!(
                "KPIC_PG_BINDIR={} lacks one of initdb, pg_ctl, postgres, psql",
                dir.display()
            ))
        };
    }
    let mut versions: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let version = name
                .split('.')
                .map(|part| part.parse().ok())
                .collect::<Option<Vec<u32>>>()?;
            let bin = entry.path().join("bin");
            complete(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(Some(bin));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    Ok(std::env::split_paths(&path).find(|dir| complete(dir)))
}

/// Installs the `postgresql` package (which has no initdb on the PATH, hence the
/// search in `/usr/lib/postgresql`), and stops the cluster it may have started.
fn install_postgresql() -> Result<(), String> {
    install::apt_install(
        &["postgresql"],
        "the PostgreSQL tests (no server binaries in /usr/lib/postgresql/*/bin, no initdb \
         on the PATH, no KPIC_PG_BINDIR)",
    )?;
    // The Debian package creates a cluster `main` and may start it; the tests do not
    // use it, and no server may be left running after them.
    if let Ok(out) = run(Command::new("pg_lsclusters").arg("-h")) {
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if let [version, name, _port, status, ..] = fields[..]
                && status.starts_with("online")
            {
                run(Command::new("pg_ctlcluster").args([version, name, "stop"])).map_err(|e| {
                    format!("cannot stop the cluster {version}/{name} apt-get started\n{e}")
                })?;
            }
        }
    }
    Ok(())
}

fn ensure_os_user() -> Result<(), String> {
    let exists = Command::new("id")
        .arg(OS_USER)
        .output()
        .is_ok_and(|o| o.status.success());
    if exists {
        return Ok(());
    }
    let group_exists = Command::new("getent")
        .args(["group", OS_USER])
        .output()
        .is_ok_and(|o| o.status.success());
    let mut cmd = Command::new("useradd");
    cmd.args(["--system", "--no-create-home", "--home-dir", "/nonexistent"]);
    cmd.args(["--shell", "/usr/sbin/nologin"]);
    if group_exists {
        cmd.args(["-g", OS_USER]);
    } else {
        cmd.arg("--user-group");
    }
    cmd.arg(OS_USER);
    run(&mut cmd)
        .map(drop)
        .map_err(|e| format!("cannot create the OS user {OS_USER}\n{e}"))
}

fn user_id(flag: &str) -> Result<u32, String> {
    let out = run(Command::new("id").arg(flag).arg(OS_USER))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .parse()
        .map_err(|_| format!("`id {flag} {OS_USER}` printed {text:?}"))
}

/// A port nobody listens on at this moment.
fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .unwrap_or_else(|e| panic!("test PostgreSQL: cannot find a free port on 127.0.0.1: {e}"))
}

fn psql_at(env: &Env, url: &str, sql: &str) -> Result<String, String> {
    let mut cmd = Command::new(env.bin.join("psql"));
    cmd.args([
        "-X",
        "-q",
        "-A",
        "-t",
        "-v",
        "ON_ERROR_STOP=1",
        "-f",
        "-",
        "-d",
        url,
    ]);
    clear_pg_env(&mut cmd);
    cmd.env("PGCLIENTENCODING", "UTF8")
        .env("PGCONNECT_TIMEOUT", "10")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", env.bin.join("psql").display()))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    // Write from another thread: a long script and a long result must not block each
    // other. A write error means psql stopped reading; its exit status says why.
    let out = std::thread::scope(|scope| {
        scope.spawn(move || {
            let _ = stdin.write_all(sql.as_bytes());
        });
        child.wait_with_output()
    })
    .map_err(|e| format!("psql: {e}"))?;
    if out.status.success() {
        String::from_utf8(out.stdout).map_err(|e| format!("psql printed non-UTF-8: {e}"))
    } else {
        Err(format!(
            "psql exited with {}\n--- stderr ---\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The caller's `PGHOST`, `PGPORT`, `PGDATA`, `PGOPTIONS`... must not redirect the
/// test server or its clients.
fn clear_pg_env(cmd: &mut Command) {
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PG") {
            cmd.env_remove(name);
        }
    }
}
