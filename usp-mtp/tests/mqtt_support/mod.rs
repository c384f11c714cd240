//! A real mosquitto broker for the MQTT tests: started on a free 127.0.0.1 port with a
//! generated configuration, restarted on the same port on demand, killed on drop. Also a
//! `log` logger that keeps the lines the transport logs, for the tests to look at.

#![allow(dead_code)] // each test binary uses a part of it

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Where the Debian package puts the broker (`scripts/test` installs it when missing).
const MOSQUITTO: &str = "/usr/sbin/mosquitto";

/// mosquitto's dynamic security plugin (in the Debian package), for ACL tests.
pub(crate) fn dynamic_security_plugin() -> PathBuf {
    let candidates = [
        "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so",
        "/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so",
        "/usr/lib/mosquitto_dynamic_security.so",
        "/usr/lib/mosquitto/mosquitto_dynamic_security.so",
    ];
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("mosquitto_dynamic_security.so (package mosquitto) not found")
}

/// TLS files of a listener (PEM).
pub(crate) struct TlsListener {
    pub(crate) ca: String,
    pub(crate) cert: String,
    pub(crate) key: String,
    /// Mutual TLS: clients must present a certificate signed by `ca`.
    pub(crate) require_certificate: bool,
}

/// A running mosquitto.
pub(crate) struct Mosquitto {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    config: PathBuf,
    /// What every run of the broker wrote to stderr (its log: unbuffered there).
    log: Arc<Mutex<String>>,
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

fn scratch_dir() -> PathBuf {
    static COUNT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "usp-mtp-mosquitto-{}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the broker's directory");
    dir
}

impl Mosquitto {
    /// A broker with one plain listener (MQTT 3.1.1 and 5).
    pub(crate) fn start() -> Self {
        Self::start_with(None, "")
    }

    /// A broker with one TLS listener.
    pub(crate) fn start_tls(tls: &TlsListener) -> Self {
        Self::start_with(Some(tls), "")
    }

    /// A broker with extra configuration lines (global options, after the listener).
    pub(crate) fn start_with(tls: Option<&TlsListener>, extra: &str) -> Self {
        assert!(
            Path::new(MOSQUITTO).exists(),
            "{MOSQUITTO} is missing: run scripts/test, which installs the mosquitto package"
        );
        let dir = scratch_dir();
        let log = Arc::new(Mutex::new(String::new()));
        // A port that was free may be taken by the time mosquitto binds it: try a few.
        for _ in 0..5 {
            let port = free_port();
            let mut lines = vec![
                format!("listener {port} 127.0.0.1"),
                "allow_anonymous true".to_owned(),
                "persistence false".to_owned(),
                // mosquitto drops root privileges to its own user unless told to stay.
                "user root".to_owned(),
                "log_dest stderr".to_owned(),
                "log_type error".to_owned(),
                "log_type warning".to_owned(),
                "log_type notice".to_owned(),
                "log_type information".to_owned(),
                "log_type subscribe".to_owned(),
                "connection_messages true".to_owned(),
            ];
            if let Some(tls) = tls {
                for (name, pem) in [
                    ("ca.pem", &tls.ca),
                    ("cert.pem", &tls.cert),
                    ("key.pem", &tls.key),
                ] {
                    std::fs::write(dir.join(name), pem).expect("write a PEM file");
                }
                lines.push(format!("cafile {}", dir.join("ca.pem").display()));
                lines.push(format!("certfile {}", dir.join("cert.pem").display()));
                lines.push(format!("keyfile {}", dir.join("key.pem").display()));
                lines.push(format!("require_certificate {}", tls.require_certificate));
            }
            lines.push(extra.to_owned());
            let config = dir.join("mosquitto.conf");
            std::fs::write(&config, lines.join("\n") + "\n").expect("write mosquitto.conf");
            let mut broker = Self {
                child: None,
                port,
                dir: dir.clone(),
                config,
                log: Arc::clone(&log),
            };
            if broker.spawn() {
                return broker;
            }
        }
        let log = log.lock().unwrap_or_else(|e| e.into_inner()).clone();
        panic!("mosquitto did not start; its log:\n{log}");
    }

    /// Starts the process and waits until the port accepts connections; `false` if the
    /// process exited first (the port was taken).
    fn spawn(&mut self) -> bool {
        let mut child = Command::new(MOSQUITTO)
            .arg("-c")
            .arg(&self.config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn mosquitto");
        if let Some(stderr) = child.stderr.take() {
            let log = Arc::clone(&self.log);
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
                    log.push_str(&line);
                    log.push('\n');
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                eprintln!("mosquitto exited at start:\n{}", self.log());
                return false;
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                self.child = Some(child);
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }

    /// The listener's port.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// Kills the broker (SIGKILL: no goodbye to its clients) and waits until it is gone.
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Freezes the broker (SIGSTOP): connections stay open, nothing is read or answered.
    /// [`kill`](Self::kill) still works on a frozen broker.
    pub(crate) fn freeze(&self) {
        let child = self.child.as_ref().expect("running");
        let status = Command::new("kill")
            .arg("-STOP")
            .arg(child.id().to_string())
            .status()
            .expect("run kill -STOP");
        assert!(status.success());
    }

    /// Starts the broker again, on the same port and configuration, after a [`kill`](Self::kill).
    pub(crate) fn start_again(&mut self) {
        assert!(self.child.is_none(), "kill it first");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.spawn() {
            assert!(Instant::now() < deadline, "mosquitto did not start again");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the broker and starts it again on the same port.
    pub(crate) fn restart(&mut self) {
        self.kill();
        self.start_again();
    }

    /// The broker's log so far.
    pub(crate) fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The lines logged through the `log` crate by every test of the binary.
static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target().starts_with("usp_mtp")
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let line = format!("{} {}: {}", record.level(), record.target(), record.args());
            LINES.lock().unwrap_or_else(|e| e.into_inner()).push(line);
        }
    }

    fn flush(&self) {}
}

/// Installs the capturing logger (once per test binary).
pub(crate) fn capture_logs() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        log::set_logger(&Capture).expect("no other logger");
        log::set_max_level(log::LevelFilter::Warn);
    });
}

/// The captured lines that contain `needle`.
pub(crate) fn logged(needle: &str) -> Vec<String> {
    LINES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .filter(|l| l.contains(needle))
        .cloned()
        .collect()
}
