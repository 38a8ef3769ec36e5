//! The records database (SQLite, beside the registry as `NAME.records.sqlite`):
//! every e-mail sent or failed — when, about which member, to whom, which
//! template, the SMTP server's answer, sent or failed — and every bilateral
//! peering request with its state. Message bodies are not stored, so no
//! password ever is.

use crate::error::{OnboardError, Result};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::{Path, PathBuf};

/// The database beside `registry`: `NAME.records.sqlite`.
pub fn records_path(registry: &Path) -> PathBuf {
    let stem = registry
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "registry".into());
    registry.with_file_name(format!("{stem}.records.sqlite"))
}

/// Outcome of a send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The server accepted it.
    Sent,
    /// It was not accepted (refused, unreachable…); may be retried.
    Failed,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Sent => "sent",
            Status::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Status {
        if s == "sent" {
            Status::Sent
        } else {
            Status::Failed
        }
    }
}

/// One e-mail in the records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailRecord {
    /// Row id.
    pub id: i64,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// `onboarding` or `peering-request`.
    pub kind: String,
    /// The member it is about (for a peering request: the requester).
    pub asn: u32,
    /// For a peering request: the member asked.
    pub peer_asn: Option<u32>,
    /// Template used.
    pub template: String,
    /// Recipients, comma-separated.
    pub recipients: String,
    /// Subject.
    pub subject: String,
    /// Sent or failed.
    pub status: Status,
    /// The SMTP server's answer or the error.
    pub answer: String,
}

/// The open database.
pub struct Records {
    path: PathBuf,
    conn: Connection,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS email (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    asn INTEGER NOT NULL,
    peer_asn INTEGER,
    template TEXT NOT NULL,
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
    answer TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS peering_request (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    from_asn INTEGER NOT NULL,
    to_asn INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('sent', 'failed')),
    email_id INTEGER NOT NULL REFERENCES email(id)
);
CREATE INDEX IF NOT EXISTS email_asn ON email(asn);
CREATE INDEX IF NOT EXISTS request_pair ON peering_request(from_asn, to_asn);
";

impl Records {
    /// Opens (creating when absent) the database at `path`.
    pub fn open(path: &Path) -> Result<Records> {
        let err = |cause| OnboardError::Records {
            path: path.to_path_buf(),
            cause,
        };
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        Ok(Records {
            path: path.to_path_buf(),
            conn,
        })
    }

    fn err(&self) -> impl FnOnce(rusqlite::Error) -> OnboardError + '_ {
        move |cause| OnboardError::Records {
            path: self.path.clone(),
            cause,
        }
    }

    /// Records an e-mail; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn add_email(
        &self,
        at: &str,
        kind: &str,
        asn: u32,
        peer_asn: Option<u32>,
        template: &str,
        recipients: &[String],
        subject: &str,
        status: Status,
        answer: &str,
    ) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO email (at, kind, asn, peer_asn, template, recipients, subject, status, answer)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![at, kind, asn, peer_asn, template, recipients.join(", "), subject, status.as_str(), answer],
            )
            .map_err(self.err())?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records a peering request and the e-mail that carried it.
    pub fn add_request(
        &self,
        at: &str,
        from: u32,
        to: u32,
        status: Status,
        email_id: i64,
    ) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO peering_request (at, from_asn, to_asn, state, email_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![at, from, to, status.as_str(), email_id],
            )
            .map_err(self.err())?;
        Ok(())
    }

    /// When `from` last sent `to` a request that the server accepted.
    pub fn last_request_sent(&self, from: u32, to: u32) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT at FROM peering_request WHERE from_asn = ?1 AND to_asn = ?2 AND state = 'sent'
                 ORDER BY at DESC, id DESC LIMIT 1",
                params![from, to],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err())
    }

    /// E-mails about `asn` (as the member, the requester or the one asked), oldest first.
    pub fn history(&self, asn: u32) -> Result<Vec<EmailRecord>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, at, kind, asn, peer_asn, template, recipients, subject, status, answer
                 FROM email WHERE asn = ?1 OR peer_asn = ?1 ORDER BY id",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map(params![asn], |r| {
                Ok(EmailRecord {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    kind: r.get(2)?,
                    asn: r.get(3)?,
                    peer_asn: r.get(4)?,
                    template: r.get(5)?,
                    recipients: r.get(6)?,
                    subject: r.get(7)?,
                    status: Status::parse(&r.get::<_, String>(8)?),
                    answer: r.get(9)?,
                })
            })
            .map_err(self.err())?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(self.err())
    }

    /// The latest onboarding e-mail of `asn`.
    pub fn last_onboarding(&self, asn: u32) -> Result<Option<EmailRecord>> {
        Ok(self
            .history(asn)?
            .into_iter()
            .rev()
            .find(|e| e.kind == "onboarding" && e.asn == asn))
    }
}
