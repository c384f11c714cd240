//! Test support for the STOMP tests: a real RabbitMQ with its STOMP plugin, run as a
//! private child node ([`RabbitMq`]), and a scripted STOMP server for what RabbitMQ never
//! does on demand ([`scripted`]).

#![allow(dead_code)] // each test binary (and the benchmark) uses a part of it

pub(crate) mod scripted;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The RabbitMQ start script of the Debian package `rabbitmq-server` (`scripts/test`
/// installs it when missing). Not `/usr/sbin/rabbitmq-server`: that wrapper switches to the
/// `rabbitmq` user, and refuses other users.
const RABBITMQ_SERVER: &str = "/usr/lib/rabbitmq/bin/rabbitmq-server";

/// Where the package keeps the broker's plugins (one folder per version).
const RABBITMQ_LIB: &str = "/usr/lib/rabbitmq/lib";

/// How long a broker may take to accept STOMP connections (5 to 20 s usually; more on a
/// loaded machine).
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// The watchdog that runs the broker (a bash script).
///
/// It first closes every file descriptor it inherited but its standard ones: the test
/// process may hold descriptors without close-on-exec (`flock` hands its lock down to
/// `cargo` and the tests), which a broker that outlives the test must not keep. It starts
/// the node in a session of its own, then waits for its standard input to close: when the
/// test process drops the broker, or exits in any way (a static broker is never dropped;
/// a killed test never runs `Drop`). Then it kills the node's process group, stops the
/// node's `epmd` (a daemon in a session of its own, which exits only when told to), and
/// removes the folder if asked to.
const WATCHDOG: &str = r#"
for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    case $fd in 0|1|2) ;; *) eval "exec $fd>&-" 2>/dev/null ;; esac
done
setsid "$USP_RABBITMQ_SERVER" </dev/null >>"$USP_DIR/server.out" 2>&1 &
node=$!
while read -r _; do :; done
kill -KILL "-$node" 2>/dev/null
wait "$node" 2>/dev/null
i=0
while [ "$i" -lt 50 ]; do
    epmd -kill >/dev/null 2>&1 && break
    i=$((i + 1))
    sleep 0.1
done
if [ -e "$USP_DIR/remove-on-exit" ]; then rm -rf "$USP_DIR"; fi
"#;

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

fn scratch_dir(what: &str) -> PathBuf {
    static COUNT: AtomicU32 = AtomicU32::new(0);
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("usp-{what}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch folder");
    dir
}

/// The ports of one broker, all on 127.0.0.1.
#[derive(Debug, Clone, Copy)]
struct Ports {
    stomp: u16,
    stomp_tls: u16,
    node: u16,
    dist: u16,
    epmd: u16,
}

/// TLS material of the broker's STOMP TLS listener.
pub(crate) struct BrokerTls {
    /// The CA that signed the broker's certificate (PEM).
    pub(crate) ca_pem: String,
    /// A CA that did not (PEM).
    pub(crate) other_ca_pem: String,
}

/// A RabbitMQ node with the `rabbitmq_stomp` plugin, private to this test process: its own
/// node name, data folder, `epmd` port and loopback-only listeners on free ports.
pub(crate) struct RabbitMq {
    dir: PathBuf,
    ports: Ports,
    node: String,
    tls: BrokerTls,
    watchdog: Option<(Child, ChildStdin)>,
}

impl RabbitMq {
    /// Starts a broker and waits until it answers a STOMP `CONNECT`.
    pub(crate) fn start() -> Self {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        assert!(
            Path::new(RABBITMQ_SERVER).exists(),
            "{RABBITMQ_SERVER} not found: install the Debian package rabbitmq-server \
             (scripts/test does)"
        );
        let dir = scratch_dir("rabbitmq");
        let ports = Ports {
            stomp: free_port(),
            stomp_tls: free_port(),
            node: free_port(),
            dist: free_port(),
            epmd: free_port(),
        };
        let node = format!(
            "rabbit-usp-{}-{}@localhost",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        );
        let tls = write_tls_files(&dir);
        write_files(&dir, ports);
        let mut broker = Self {
            dir,
            ports,
            node,
            tls,
            watchdog: None,
        };
        broker.run();
        broker
    }

    /// The broker every test of this process shares, started on first use. It is stopped,
    /// and its folder removed, by its watchdog when the process exits.
    pub(crate) fn shared() -> &'static Self {
        static SHARED: OnceLock<RabbitMq> = OnceLock::new();
        SHARED.get_or_init(Self::start)
    }

    /// The STOMP port (plain TCP).
    pub(crate) fn stomp_port(&self) -> u16 {
        self.ports.stomp
    }

    /// The STOMP port with TLS.
    pub(crate) fn stomp_tls_port(&self) -> u16 {
        self.ports.stomp_tls
    }

    /// The TLS material.
    pub(crate) fn tls(&self) -> &BrokerTls {
        &self.tls
    }

    /// Kills the node (like a crash: no goodbye to the clients) and waits until it and its
    /// `epmd` are gone. The data folder stays, for [`run`](Self::run).
    pub(crate) fn kill(&mut self) {
        let Some((mut child, stdin)) = self.watchdog.take() else {
            return;
        };
        // Keep the data for the next run.
        let _ = std::fs::remove_file(self.dir.join("remove-on-exit"));
        drop(stdin);
        let start = Instant::now();
        while let Ok(None) = child.try_wait() {
            if start.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                panic!("the RabbitMQ watchdog did not stop the node within 60 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Freezes the node (SIGSTOP to the Erlang VM, whose pid RabbitMQ wrote down): its
    /// sockets stay open and it answers nothing, like a hung broker.
    pub(crate) fn freeze(&self) {
        let pid = std::fs::read_to_string(self.dir.join("rabbitmq.pid")).expect("rabbitmq.pid");
        let status = Command::new("kill")
            .args(["-STOP", pid.trim()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -STOP {pid}");
    }

    /// Starts the node (again, after [`kill`](Self::kill): same ports, same data) and waits
    /// until it answers a STOMP `CONNECT`.
    pub(crate) fn run(&mut self) {
        assert!(self.watchdog.is_none(), "the broker is running");
        // Should the test process end without dropping the broker, the watchdog removes
        // the folder.
        std::fs::write(self.dir.join("remove-on-exit"), b"").expect("mark the scratch folder");
        let p = self.ports;
        let dir = &self.dir;
        let mut child = Command::new("/bin/bash")
            .arg("-c")
            .arg(WATCHDOG)
            .env("USP_RABBITMQ_SERVER", RABBITMQ_SERVER)
            .env("USP_DIR", dir)
            .env("HOME", dir.join("home"))
            .env("RABBITMQ_NODENAME", &self.node)
            .env("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .env("RABBITMQ_NODE_PORT", p.node.to_string())
            .env("RABBITMQ_DIST_PORT", p.dist.to_string())
            .env("ERL_EPMD_ADDRESS", "127.0.0.1")
            .env("ERL_EPMD_PORT", p.epmd.to_string())
            .env("RABBITMQ_MNESIA_BASE", dir.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", dir.join("log"))
            .env("RABBITMQ_CONFIG_FILE", dir.join("rabbitmq.conf"))
            .env("RABBITMQ_ADVANCED_CONFIG_FILE", dir.join("advanced.config"))
            .env("RABBITMQ_CONF_ENV_FILE", dir.join("rabbitmq-env.conf"))
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", dir.join("enabled_plugins"))
            .env("RABBITMQ_PLUGINS_DIR", dir.join("plugins"))
            .env("RABBITMQ_PID_FILE", dir.join("rabbitmq.pid"))
            // The distribution listener on loopback only, like everything else.
            .env(
                "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS",
                "-kernel inet_dist_use_interface {127,0,0,1}",
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start the RabbitMQ watchdog (/bin/bash)");
        let stdin = child.stdin.take().expect("piped stdin");
        self.watchdog = Some((child, stdin));
        self.wait_ready();
    }

    fn wait_ready(&mut self) {
        let start = Instant::now();
        let addr = SocketAddr::from(([127, 0, 0, 1], self.ports.stomp));
        loop {
            if let Some((child, _)) = self.watchdog.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!(
                    "RabbitMQ exited ({status}) while starting:\n{}",
                    self.log_tail()
                );
            }
            if stomp_connect_works(addr) {
                eprintln!("RabbitMQ answered STOMP after {:?}", start.elapsed());
                return;
            }
            assert!(
                start.elapsed() < START_TIMEOUT,
                "RabbitMQ did not answer STOMP within {START_TIMEOUT:?}:\n{}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The end of the broker's logs, for failure messages.
    fn log_tail(&self) -> String {
        let mut text = std::fs::read_to_string(self.dir.join("server.out")).unwrap_or_default();
        if let Ok(entries) = std::fs::read_dir(self.dir.join("log")) {
            for entry in entries.flatten() {
                text += &std::fs::read_to_string(entry.path()).unwrap_or_default();
            }
        }
        let start = text.len().saturating_sub(6000);
        let start = (start..text.len())
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(text.len());
        text[start..].to_owned()
    }
}

impl Drop for RabbitMq {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Whether a STOMP `CONNECT` as guest gets `CONNECTED`.
fn stomp_connect_works(addr: SocketAddr) -> bool {
    let attempt = || -> std::io::Result<bool> {
        let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
        s.set_read_timeout(Some(Duration::from_secs(3)))?;
        s.write_all(b"CONNECT\naccept-version:1.2\nlogin:guest\npasscode:guest\n\n\0")?;
        let mut reply = Vec::new();
        let mut chunk = [0u8; 1024];
        while !reply.contains(&0) {
            let n = s.read(&mut chunk)?;
            if n == 0 {
                break;
            }
            reply.extend_from_slice(&chunk[..n]);
        }
        let ok = reply.starts_with(b"CONNECTED");
        let _ = s.write_all(b"DISCONNECT\n\n\0");
        Ok(ok)
    };
    attempt().unwrap_or(false)
}

/// The configuration, the plugin list, and a plugins folder with only what the STOMP
/// plugin needs (the node scans every plugin at boot: fewer plugins, half the start time).
fn write_files(dir: &Path, p: Ports) {
    for sub in ["home", "mnesia", "log", "plugins"] {
        std::fs::create_dir_all(dir.join(sub)).expect("create a broker folder");
    }
    let path = |name: &str| dir.join(name).display().to_string();
    let config = format!(
        "listeners.tcp = none\n\
         loopback_users = none\n\
         stomp.listeners.tcp.1 = 127.0.0.1:{stomp}\n\
         stomp.listeners.ssl.1 = 127.0.0.1:{tls}\n\
         ssl_options.cacertfile = {ca}\n\
         ssl_options.certfile = {cert}\n\
         ssl_options.keyfile = {key}\n\
         ssl_options.verify = verify_none\n\
         ssl_options.fail_if_no_peer_cert = false\n\
         log.console = false\n",
        stomp = p.stomp,
        tls = p.stomp_tls,
        ca = path("ca.pem"),
        cert = path("server.pem"),
        key = path("server.key"),
    );
    std::fs::write(dir.join("rabbitmq.conf"), config).expect("write rabbitmq.conf");
    std::fs::write(dir.join("rabbitmq-env.conf"), "").expect("write rabbitmq-env.conf");
    std::fs::write(dir.join("enabled_plugins"), "[rabbitmq_stomp].\n")
        .expect("write enabled_plugins");
    let plugins = std::fs::read_dir(RABBITMQ_LIB)
        .expect("read /usr/lib/rabbitmq/lib")
        .flatten()
        .map(|e| e.path().join("plugins"))
        .find(|p| p.is_dir())
        .expect("the RabbitMQ plugins folder");
    // Web, metrics, cloud and other protocols' plugins are left out.
    let unneeded = [
        "README",
        "accept-",
        "amqp10_",
        "base64url-",
        "cowboy-",
        "cowlib-",
        "eetcd-",
        "gun-",
        "jose-",
        "prometheus-",
        "quantile_estimator-",
    ];
    for entry in std::fs::read_dir(&plugins)
        .expect("read the plugins folder")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        let needed_rabbitmq =
            name.starts_with("rabbitmq_prelaunch-") || name.starts_with("rabbitmq_stomp-");
        let skip = (name.starts_with("rabbitmq_") && !needed_rabbitmq)
            || unneeded.iter().any(|u| name.starts_with(u));
        if !skip {
            std::os::unix::fs::symlink(entry.path(), dir.join("plugins").join(&name))
                .expect("link a plugin");
        }
    }
}

/// A CA and a server certificate for `localhost` and 127.0.0.1 signed by it, and another
/// CA, written where `rabbitmq.conf` says.
fn write_tls_files(dir: &Path) -> BrokerTls {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, SanType};
    let ca = |name: &str| {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let key = KeyPair::generate().expect("CA key");
        let cert = params.self_signed(&key).expect("CA certificate");
        (cert.pem(), Issuer::new(params, key))
    };
    let (ca_pem, issuer) = ca("usp-rs test CA");
    let (other_ca_pem, _) = ca("another CA");
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).expect("leaf params");
    params
        .subject_alt_names
        .push(SanType::IpAddress("127.0.0.1".parse().expect("address")));
    let key = KeyPair::generate().expect("leaf key");
    let cert = params.signed_by(&key, &issuer).expect("leaf certificate");
    std::fs::write(dir.join("ca.pem"), &ca_pem).expect("write ca.pem");
    std::fs::write(dir.join("server.pem"), cert.pem()).expect("write server.pem");
    std::fs::write(dir.join("server.key"), key.serialize_pem()).expect("write server.key");
    BrokerTls {
        ca_pem,
        other_ca_pem,
    }
}

/// A destination no other test uses: `/queue/<what>-<pid>-<n>`.
pub(crate) fn unique_queue(what: &str) -> String {
    static COUNT: AtomicU32 = AtomicU32::new(0);
    format!(
        "/queue/{what}-{}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    )
}
