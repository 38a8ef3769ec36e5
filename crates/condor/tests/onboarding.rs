//! Onboarding and peering-request e-mails through a real SMTP server on
//! loopback (Python aiosmtpd, Debian python3-aiosmtpd; skipped when absent,
//! failing with CI=true): the received messages (recipients, subject, the
//! password, the router configuration), the records (sent, failed with the
//! server's answer, retried), and no password in any command output or in
//! the records database.
//!
//! ```text
//!   condor members onboard / condor peering request ──SMTP (plain, loopback)──► aiosmtpd 127.0.0.1:PORT
//!                                                                               └─ one JSON file per message
//! ```

use condor_registry::{secrets_path, SecretStore};
use condor_wire::Asn;
use serde_json::Value;
use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const EXAMPLE: &str = include_str!("../../../examples/peru-ix-registry.toml");

const SINK: &str = r#"
import email, email.policy, json, os, sys
from aiosmtpd.controller import Controller

class Sink:
    def __init__(self, d):
        self.d, self.n = d, 0
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused@"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"
    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        m = email.message_from_bytes(envelope.content, policy=email.policy.default)
        doc = {"rcpt": envelope.rcpt_tos, "from": str(m["From"]), "to": str(m["To"]),
               "subject": str(m["Subject"]), "body": m.get_content()}
        with open(os.path.join(self.d, "%03d.json" % self.n), "w") as f:
            json.dump(doc, f)
        return "250 2.0.0 queued as %d" % self.n

kw = {}
if len(sys.argv) > 3:
    # starttls | tls, with a certificate and key, and authentication.
    import ssl
    from aiosmtpd.smtp import AuthResult
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(sys.argv[4], sys.argv[5])
    def auth(server, session, envelope, mechanism, data):
        return AuthResult(success=(data.login == b"condor" and data.password == b"smtp-secret"))
    kw = {"authenticator": auth, "auth_require_tls": True}
    if sys.argv[3] == "starttls":
        kw.update(tls_context=ctx, require_starttls=True)
    else:
        # Implicit TLS: aiosmtpd 1.4 counts only STARTTLS as TLS for
        # auth_require_tls, so it would not offer AUTH; the link is TLS anyway.
        kw.update(ssl_context=ctx, auth_require_tls=False)
c = Controller(Sink(sys.argv[2]), hostname="127.0.0.1", port=int(sys.argv[1]), **kw)
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
"#;

struct SmtpSink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    fn start() -> Option<SmtpSink> {
        SmtpSink::start_with(&[])
    }

    /// With `["starttls"|"tls", CERT, KEY]`: TLS and authentication
    /// (user `condor`, password `smtp-secret`).
    fn start_with(extra: &[&str]) -> Option<SmtpSink> {
        // Debian's package goes with Debian's interpreter, which another
        // python3 earlier in PATH (pyenv) may hide.
        let python = ["/usr/bin/python3", "python3"].into_iter().find(|p| {
            Command::new(p)
                .args(["-c", "import aiosmtpd"])
                .output()
                .is_ok_and(|o| o.status.success())
        });
        let Some(python) = python else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "python3-aiosmtpd is required with CI=true"
            );
            eprintln!("SKIPPED: python3-aiosmtpd not installed (apt-get install python3-aiosmtpd)");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let dir = tempfile::tempdir().expect("tempdir");
        let child = Command::new(python)
            .args(["-c", SINK, &port.to_string()])
            .arg(dir.path())
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let sink = SmtpSink { child, port, dir };
        let end = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < end, "aiosmtpd did not start listening");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(sink)
    }

    fn messages(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| {
                serde_json::from_str(&std::fs::read_to_string(f).expect("read")).expect("json")
            })
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(mut stdin) = self.child.stdin.take() {
            let _ = stdin.write_all(b"");
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Ctx {
    reg: PathBuf,
    outputs: Vec<String>,
}

impl Ctx {
    fn condor(&mut self, args: &[&str]) -> Output {
        let o = Command::new(env!("CARGO_BIN_EXE_condor"))
            .args(args)
            .arg("--registry")
            .arg(&self.reg)
            .output()
            .expect("run condor");
        self.outputs
            .push(String::from_utf8_lossy(&o.stdout).into_owned());
        self.outputs
            .push(String::from_utf8_lossy(&o.stderr).into_owned());
        o
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn password(reg: &Path, asn: u32) -> String {
    SecretStore::load(&secrets_path(reg))
        .expect("store")
        .md5(Asn(asn))
        .expect("password")
        .expose()
        .to_string()
}

fn mail_config(reg: &Path, port: u16) {
    std::fs::write(
        reg.with_file_name("registry.mail.toml"),
        format!("server = \"127.0.0.1\"\nport = {port}\nsecurity = \"plain\"\nfrom = \"Perú IX NOC <noc@peru-ix.example>\"\ntimeout = 10\n"),
    )
    .expect("mail settings");
}

#[test]
fn onboarding_and_peering_requests_over_real_smtp() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let reg = dir.path().join("registry.toml");
    std::fs::write(&reg, EXAMPLE).expect("registry");
    mail_config(&reg, sink.port);
    let mut c = Ctx {
        reg: reg.clone(),
        outputs: Vec::new(),
    };
    for asn in ["64496", "64497"] {
        assert!(c
            .condor(&["members", "rotate-password", asn])
            .status
            .success());
    }
    let pw = password(&reg, 64496);

    // A dry run prints the e-mail (the operator asked to see it) and records nothing.
    let o = c.condor(&[
        "members",
        "onboard",
        "64496",
        "--dry-run",
        "--platform",
        "frr",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains(&pw));
    c.outputs.clear();
    assert!(sink.messages().is_empty());

    // Spanish onboarding e-mail.
    let o = c.condor(&["members", "onboard", "64496", "--lang", "es"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains(" onboarding sent to ingenieria@andesfibra.example, noc@andesfibra.example (welcome.es.txt): 250 2.0.0 queued as 1"), "{out}");
    let msgs = sink.messages();
    assert_eq!(msgs.len(), 1);
    let m = &msgs[0];
    assert_eq!(
        m["rcpt"],
        serde_json::json!(["ingenieria@andesfibra.example", "noc@andesfibra.example"])
    );
    assert_eq!(
        m["subject"],
        "Bienvenido a Perú IX: sus sesiones con los route servers (AS64496)"
    );
    assert!(m["from"]
        .as_str()
        .is_some_and(|f| f.contains("noc@peru-ix.example")));
    let body = m["body"].as_str().expect("body");
    assert!(body.contains(&format!(
        "Contraseña TCP-MD5 (RFC 2385) para todas las sesiones: {pw}"
    )));
    assert!(
        body.contains("    neighbor 45.183.47.1 as 64115;"),
        "BIRD snippet"
    );
    assert!(
        body.contains(&format!(" neighbor 2803:cd60:6411:5::2 password {pw}")),
        "FRR snippet"
    );
    assert!(body.contains("==== MikroTik RouterOS 7 ===="));

    // English, one platform.
    let o = c.condor(&["members", "onboard", "64496", "--platform", "junos"]);
    assert!(o.status.success());
    let m = &sink.messages()[1];
    assert_eq!(
        m["subject"],
        "Welcome to Perú IX: your route-server sessions (AS64496)"
    );
    assert!(m["body"]
        .as_str()
        .is_some_and(|b| b.contains("==== Juniper Junos ====") && !b.contains("==== FRR ====")));

    // A refused recipient: recorded as failed with the server's answer, then retried.
    assert!(c
        .condor(&[
            "members",
            "set",
            "64497",
            "--technical",
            "refused@limacable.example"
        ])
        .status
        .success());
    let o = c.condor(&["members", "onboard", "64497"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains("FAILED") && text(&o.stdout).contains("550"),
        "{}",
        text(&o.stdout)
    );
    assert!(text(&o.stderr).contains("--retry"));
    assert_eq!(sink.messages().len(), 2, "nothing delivered");
    assert!(c
        .condor(&[
            "members",
            "set",
            "64497",
            "--technical",
            "redes@limacable.example"
        ])
        .status
        .success());
    let o = c.condor(&["members", "onboard", "64497", "--retry"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(sink.messages().len(), 3);
    let o = c.condor(&["members", "onboard", "64497", "--retry"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("nothing to retry"),
        "{}",
        text(&o.stderr)
    );

    // A server that is not there: failed, recorded.
    let closed = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    mail_config(&reg, closed);
    let o = c.condor(&["members", "onboard", "64496"]);
    assert_eq!(o.status.code(), Some(1));
    mail_config(&reg, sink.port);

    // Peering requests: sent once, refused within the period.
    let o = c.condor(&["peering", "request", "64496", "64511"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let m = &sink.messages()[3];
    assert_eq!(
        m["rcpt"],
        serde_json::json!(["peering@amazonas.example", "peering@andesfibra.example"])
    );
    assert_eq!(
        m["subject"],
        "Bilateral peering request at Perú IX: AS64496 (Andes Fibra) to AS64511"
    );
    let body = m["body"].as_str().expect("body");
    for l in [
        "Requester: Andes Fibra, AS64496",
        "You: Amazonas Tránsito, AS64511",
        "  address: 45.183.47.10",
        "  address: 45.183.47.30",
    ] {
        assert!(body.lines().any(|x| x == l), "missing {l:?} in {body}");
    }
    let o = c.condor(&["peering", "request", "64496", "64511"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("already asked AS64511"),
        "{}",
        text(&o.stderr)
    );
    let o = c.condor(&["peering", "request", "64496", "64511", "--period-days", "0"]);
    assert!(o.status.success());
    let o = c.condor(&["peering", "matrix", "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("matrix json");
    assert_eq!(v["asns"], serde_json::json!([64496, 64497, 65536, 64511]));
    assert_eq!(v["cells"][0][1]["state"], "route-servers");
    assert_eq!(v["cells"][0][3]["state"], "requested");
    assert_eq!(v["cells"][1][3]["state"], "restrictive");

    // History: every attempt, sent or failed, with the server's answer.
    let o = c.condor(&["members", "history", "64496", "--json"]);
    let h: Value = serde_json::from_slice(&o.stdout).expect("history json");
    let states: Vec<(&str, &str)> = h
        .as_array()
        .expect("array")
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or(""),
                e["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("onboarding", "sent"),
            ("onboarding", "sent"),
            ("onboarding", "failed"),
            ("peering-request", "sent"),
            ("peering-request", "sent")
        ]
    );
    assert_eq!(h[0]["answer"], "250 2.0.0 queued as 1");
    let o = c.condor(&["members", "history", "64497"]);
    let lines = text(&o.stdout);
    assert!(
        lines.contains("onboarding FAILED to refused@limacable.example")
            && lines.contains("mailbox unavailable"),
        "{lines}"
    );

    // No password in any output (dry run aside) or in the records database.
    let pw2 = password(&reg, 64497);
    for out in &c.outputs {
        assert!(
            !out.contains(&pw) && !out.contains(&pw2),
            "password printed: {out}"
        );
    }
    let db = std::fs::read(reg.with_file_name("registry.records.sqlite")).expect("records");
    for p in [&pw, &pw2] {
        assert!(
            !db.windows(p.len()).any(|w| w == p.as_bytes()),
            "password in the records"
        );
    }
}

/// A self-signed certificate for 127.0.0.1 (not a CA), made with openssl.
fn certificate(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
        ])
        .args([
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "openssl is required with CI=true"
        );
        eprintln!("SKIPPED: openssl not available to make a test certificate");
        return None;
    }
    Some((cert, key))
}

fn tls_config(reg: &Path, port: u16, security: &str, password: &str, ca: &Path) {
    let f = reg.with_file_name("registry.mail.toml");
    std::fs::write(
        &f,
        format!(
            "server = \"127.0.0.1\"\nport = {port}\nsecurity = \"{security}\"\nusername = \"condor\"\npassword = \"{password}\"\nfrom = \"noc@peru-ix.example\"\ntimeout = 2\nca_file = \"{}\"\n",
            ca.display()
        ),
    )
    .expect("mail settings");
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).expect("chmod");
}

#[test]
fn starttls_and_implicit_tls_with_authentication() {
    let certs = tempfile::tempdir().expect("tempdir");
    let Some((cert, key)) = certificate(certs.path()) else {
        return;
    };
    let (c_s, k_s) = (cert.to_str().expect("utf-8"), key.to_str().expect("utf-8"));
    let Some(starttls) = SmtpSink::start_with(&["starttls", c_s, k_s]) else {
        return;
    };
    let Some(implicit) = SmtpSink::start_with(&["tls", c_s, k_s]) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let reg = dir.path().join("registry.toml");
    std::fs::write(&reg, EXAMPLE).expect("registry");
    let mut c = Ctx {
        reg: reg.clone(),
        outputs: Vec::new(),
    };
    assert!(c
        .condor(&["members", "rotate-password", "64496"])
        .status
        .success());

    tls_config(&reg, starttls.port, "starttls", "smtp-secret", &cert);
    let o = c.condor(&["members", "onboard", "64496"]);
    assert!(o.status.success(), "{}{}", text(&o.stdout), text(&o.stderr));
    assert_eq!(starttls.messages().len(), 1);

    tls_config(&reg, implicit.port, "tls", "smtp-secret", &cert);
    let o = c.condor(&["members", "onboard", "64496"]);
    assert!(o.status.success(), "{}{}", text(&o.stdout), text(&o.stderr));
    assert_eq!(implicit.messages().len(), 1);

    // Wrong SMTP password: aiosmtpd refuses and closes the connection
    // (lettre then waits: the whole exchange is bounded), recorded as failed.
    tls_config(&reg, starttls.port, "starttls", "wrong", &cert);
    let o = c.condor(&["members", "onboard", "64496"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains("onboarding FAILED"),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(starttls.messages().len(), 1);
    // Without our CA the certificate is not trusted: nothing sent.
    let (other_cert, _) = certificate(dir.path()).expect("second certificate");
    tls_config(&reg, starttls.port, "starttls", "smtp-secret", &other_cert);
    let o = c.condor(&["members", "onboard", "64496"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    assert_eq!(starttls.messages().len(), 1);
    // A settings file holding a password must not be readable by others.
    tls_config(&reg, starttls.port, "starttls", "smtp-secret", &cert);
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(
        reg.with_file_name("registry.mail.toml"),
        std::fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");
    let o = c.condor(&["members", "onboard", "64496"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("chmod 600"), "{}", text(&o.stderr));
    for out in &c.outputs {
        assert!(!out.contains("smtp-secret"), "SMTP password printed: {out}");
    }
}
