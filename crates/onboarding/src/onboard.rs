//! `condor members onboard`: render the welcome e-mail for a member, send
//! it to its technical and NOC contacts, and record the outcome (never the
//! password). A failed send can be retried; a retry is refused when the
//! latest attempt was accepted.

use crate::error::{OnboardError, Result};
use crate::mail::{self, Delivery, MailSettings, Outgoing};
use crate::records::{records_path, EmailRecord, Records, Status};
use crate::render::{Platform, Rendered, Templates};
use condor_registry::{secrets_path, SecretStore};
use condor_wire::Asn;
use std::path::{Path, PathBuf};

/// What to send.
#[derive(Clone, Debug)]
pub struct OnboardOptions {
    /// Language (`en`, `es`).
    pub lang: String,
    /// Platforms whose configuration goes in (all by default).
    pub platforms: Vec<Platform>,
    /// The operator's template directory (files there replace the defaults).
    pub template_dir: Option<PathBuf>,
    /// Send again only if the latest attempt failed.
    pub retry: bool,
}

/// What happened.
#[derive(Clone, Debug)]
pub enum OnboardOutcome {
    /// Not sent (dry run): the e-mail and its recipients.
    Rendered(Rendered, Vec<String>),
    /// Sent or failed, as recorded.
    Attempted(EmailRecord),
}

/// The recipients of a member's welcome e-mail: technical, then NOC.
pub fn recipients(m: &condor_registry::Member) -> Vec<String> {
    let mut out = Vec::new();
    for c in [&m.contacts.technical, &m.contacts.noc]
        .into_iter()
        .flatten()
    {
        if !out.contains(c) {
            out.push(c.clone());
        }
    }
    out
}

/// Renders the welcome e-mail of `asn`.
pub fn render(registry: &Path, asn: Asn, opts: &OnboardOptions) -> Result<(Rendered, Vec<String>)> {
    let reg = condor_registry::load(registry)?;
    let m = reg
        .member(asn)
        .ok_or(condor_registry::RegistryError::NoMember(asn))?;
    let store = SecretStore::load(&secrets_path(registry))?;
    let password = store.md5(asn).ok_or_else(|| {
        OnboardError::Refused(format!(
            "AS{asn} has no TCP-MD5 password; run `condor members rotate-password {asn}`"
        ))
    })?;
    let templates = Templates::load(opts.template_dir.as_deref())?;
    let r = templates.welcome(&opts.lang, &opts.platforms, &reg, m, password)?;
    Ok((r, recipients(m)))
}

/// Renders, sends with `settings` and records; with `settings` `None`, only renders.
pub fn onboard(
    registry: &Path,
    asn: Asn,
    opts: &OnboardOptions,
    settings: Option<&MailSettings>,
) -> Result<OnboardOutcome> {
    let (rendered, to) = render(registry, asn, opts)?;
    let Some(settings) = settings else {
        return Ok(OnboardOutcome::Rendered(rendered, to));
    };
    if to.is_empty() {
        return Err(OnboardError::Refused(format!(
            "AS{asn} has no technical or NOC contact to send to; add one with `condor members set {asn} --technical EMAIL`"
        )));
    }
    let records = Records::open(&records_path(registry))?;
    if opts.retry {
        match records.last_onboarding(asn.0)? {
            Some(e) if e.status == Status::Failed => {}
            Some(e) => {
                return Err(OnboardError::Refused(format!(
                "the latest onboarding e-mail of AS{asn} was accepted at {} ({}); nothing to retry",
                e.at, e.answer
            )))
            }
            None => {
                return Err(OnboardError::Refused(format!(
                    "AS{asn} has no failed onboarding e-mail to retry"
                )))
            }
        }
    }
    let Delivery { accepted, answer } = mail::send_blocking(
        settings,
        &Outgoing {
            to: to.clone(),
            subject: rendered.subject.clone(),
            body: rendered.body.clone(),
        },
    );
    let status = if accepted {
        Status::Sent
    } else {
        Status::Failed
    };
    let at = condor_registry::rfc3339_utc_now();
    let id = records.add_email(
        &at,
        "onboarding",
        asn.0,
        None,
        &rendered.template,
        &to,
        &rendered.subject,
        status,
        &answer,
    )?;
    let rec = records
        .history(asn.0)?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or_else(|| OnboardError::Refused("the record just written is missing".into()))?;
    Ok(OnboardOutcome::Attempted(rec))
}
