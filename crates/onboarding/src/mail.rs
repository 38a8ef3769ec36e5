//! SMTP delivery (RFC 5321) with `lettre` over tokio and rustls: implicit
//! TLS (RFC 8314, port 465), STARTTLS (RFC 3207, port 587) or plain (only
//! for a server on loopback, as in tests), with optional authentication
//! (RFC 4954). Settings come from a TOML file kept apart from the registry
//! (`NAME.mail.toml`), refused when it holds a password and is readable by
//! others. A send never fails silently: the outcome is the server's answer,
//! accepted or not, for the records.

use crate::error::{OnboardError, Result};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// TLS from the first byte (submissions port 465).
    Tls,
    /// Plain connection upgraded with STARTTLS, required (port 587).
    Starttls,
    /// No TLS: allowed only towards a loopback address.
    Plain,
}

/// Where and how to send.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// SMTP server host name (checked against its certificate) or address.
    pub server: String,
    /// Port (default: 465 for tls, 587 for starttls, 25 for plain).
    #[serde(default)]
    pub port: Option<u16>,
    /// Connection security.
    pub security: Security,
    /// User name for SMTP authentication.
    #[serde(default)]
    pub username: Option<String>,
    /// Password for SMTP authentication.
    #[serde(default)]
    pub password: Option<String>,
    /// Sender, e.g. `Perú IX NOC <noc@peru-ix.example>`.
    pub from: String,
    /// Seconds to wait for the server (default 30).
    #[serde(default)]
    pub timeout: Option<u64>,
    /// An extra trusted root certificate (PEM), for a server whose
    /// certificate comes from an internal CA; the WebPKI roots still apply.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("server", &self.server)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

/// The settings file beside `registry`: `NAME.mail.toml`.
pub fn settings_path(registry: &Path) -> PathBuf {
    let stem = registry
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "registry".into());
    registry.with_file_name(format!("{stem}.mail.toml"))
}

impl MailSettings {
    /// Reads the settings; a file with a password must be mode 0600.
    pub fn load(path: &Path) -> Result<MailSettings> {
        let err = |message: String| OnboardError::MailSettings {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
        let s: MailSettings = toml::from_str(&text).map_err(|e| err(e.message().to_string()))?;
        if s.password.is_some() {
            let mode = std::fs::metadata(path)
                .map_err(|e| err(e.to_string()))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(err(format!(
                    "holds a password but is readable by group or others (mode {:o}); run chmod 600",
                    mode & 0o777
                )));
            }
        }
        s.from
            .parse::<Mailbox>()
            .map_err(|e| err(format!("from: {e}")))?;
        if s.security == Security::Plain && !is_loopback(&s.server) {
            return Err(err(
                "security = \"plain\" is only allowed towards a loopback address".into(),
            ));
        }
        Ok(s)
    }

    fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            Security::Tls => 465,
            Security::Starttls => 587,
            Security::Plain => 25,
        })
    }
}

fn is_loopback(server: &str) -> bool {
    server == "localhost"
        || server
            .parse::<std::net::IpAddr>()
            .is_ok_and(|a| a.is_loopback())
}

/// An e-mail to send.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// Recipients.
    pub to: Vec<String>,
    /// Subject.
    pub subject: String,
    /// Plain-text body (may hold a password: never logged).
    pub body: String,
}

/// What the server said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// True when the server accepted the message for every recipient.
    pub accepted: bool,
    /// The server's answer (`250 …`) or the error (refused recipient,
    /// connection refused, TLS failure…).
    pub answer: String,
}

fn build(settings: &MailSettings, out: &Outgoing) -> std::result::Result<Message, String> {
    let mut b = Message::builder()
        .from(
            settings
                .from
                .parse::<Mailbox>()
                .map_err(|e| format!("from: {e}"))?,
        )
        .subject(out.subject.clone())
        .header(ContentType::TEXT_PLAIN);
    for to in &out.to {
        b = b.to(to.parse::<Mailbox>().map_err(|e| format!("{to}: {e}"))?);
    }
    b.body(out.body.clone()).map_err(|e| e.to_string())
}

/// Sends one e-mail; the outcome is in the [`Delivery`], never an error.
pub async fn send(settings: &MailSettings, out: &Outgoing) -> Delivery {
    let failed = |answer: String| Delivery {
        accepted: false,
        answer,
    };
    let msg = match build(settings, out) {
        Ok(m) => m,
        Err(e) => return failed(format!("not sent: {e}")),
    };
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.server.as_str())
        .port(settings.port())
        .timeout(Some(Duration::from_secs(settings.timeout.unwrap_or(30))));
    let tls = || -> std::result::Result<TlsParameters, String> {
        let mut p = TlsParameters::builder(settings.server.clone());
        if let Some(ca) = &settings.ca_file {
            let pem = std::fs::read(ca).map_err(|e| format!("not sent: {}: {e}", ca.display()))?;
            let cert = Certificate::from_pem(&pem)
                .map_err(|e| format!("not sent: {}: {e}", ca.display()))?;
            p = p.add_root_certificate(cert);
        }
        p.build_rustls().map_err(|e| format!("not sent: TLS: {e}"))
    };
    b = match settings.security {
        Security::Plain => b.tls(Tls::None),
        Security::Tls => match tls() {
            Ok(p) => b.tls(Tls::Wrapper(p)),
            Err(e) => return failed(e),
        },
        Security::Starttls => match tls() {
            Ok(p) => b.tls(Tls::Required(p)),
            Err(e) => return failed(e),
        },
    };
    if let (Some(u), Some(p)) = (&settings.username, &settings.password) {
        b = b.credentials(Credentials::new(u.clone(), p.clone()));
    }
    // Every wait bounded: lettre's timeout covers each read and write; this
    // covers the whole exchange (a server that stalls between them).
    let limit = Duration::from_secs(settings.timeout.unwrap_or(30).saturating_mul(3));
    let sent = match tokio::time::timeout(limit, b.build().send(msg)).await {
        Ok(r) => r,
        Err(_) => {
            return failed(format!(
                "no complete answer from the server within {} s",
                limit.as_secs()
            ))
        }
    };
    match sent {
        Ok(r) => Delivery {
            accepted: r.is_positive(),
            answer: format!("{} {}", r.code(), r.message().collect::<Vec<_>>().join(" ")),
        },
        Err(e) => failed(e.to_string()),
    }
}

/// [`send`] from synchronous code (the command line).
pub fn send_blocking(settings: &MailSettings, out: &Outgoing) -> Delivery {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(send(settings, out)),
        Err(e) => Delivery {
            accepted: false,
            answer: format!("not sent: cannot start the runtime: {e}"),
        },
    }
}
