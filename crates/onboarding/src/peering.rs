//! `condor peering request FROM TO`: an e-mail to the peering contact of
//! member TO (copy to FROM's) with both sides' details, recorded with its
//! state; the same request is refused while an accepted one is younger
//! than the configured period (30 days by default).

use crate::error::{OnboardError, Result};
use crate::mail::{self, MailSettings, Outgoing};
use crate::records::{records_path, EmailRecord, Records, Status};
use crate::render::{Rendered, Templates};
use condor_registry::{Member, PeeringPolicy, Registry};
use condor_wire::Asn;
use minijinja::context;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Default period within which the same request is not sent again.
pub const DEFAULT_PERIOD: Duration = Duration::from_secs(30 * 86_400);

/// What happened.
#[derive(Clone, Debug)]
pub enum RequestOutcome {
    /// Not sent (dry run): the e-mail and its recipients.
    Rendered(Rendered, Vec<String>),
    /// Sent or failed, as recorded.
    Attempted(EmailRecord),
}

fn policy(p: PeeringPolicy) -> &'static str {
    match p {
        PeeringPolicy::Open => "open",
        PeeringPolicy::Selective => "selective",
        PeeringPolicy::Restrictive => "restrictive",
    }
}

fn side(m: &Member) -> minijinja::Value {
    context! {
        asn => m.asn.0,
        name => m.name,
        policy => policy(m.policy),
        route_server => m.route_server,
        as_set => m.as_set,
        addresses => m.addresses().map(|a| a.to_string()).collect::<Vec<_>>(),
        contact => m.contacts.peering.clone().or_else(|| m.contacts.noc.clone()),
    }
}

/// Seconds since the Unix epoch of an RFC 3339 UTC time as the records hold.
pub fn parse_rfc3339_utc(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[10] != b'T' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (hh, mm, ss) = (n(11..13)?, n(14..16)?, n(17..19)?);
    // Days from civil (inverse of the conversion in condor-registry).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).ok()
}

/// Asks member `to` for bilateral peering on behalf of `from`.
pub fn request(
    registry: &Path,
    from: Asn,
    to: Asn,
    period: Duration,
    template_dir: Option<PathBuf>,
    settings: Option<&MailSettings>,
) -> Result<RequestOutcome> {
    let reg: Registry = condor_registry::load(registry)?;
    if from == to {
        return Err(OnboardError::Refused(
            "a member cannot ask itself for peering".into(),
        ));
    }
    let a = reg
        .member(from)
        .ok_or(condor_registry::RegistryError::NoMember(from))?;
    let b = reg
        .member(to)
        .ok_or(condor_registry::RegistryError::NoMember(to))?;
    let Some(dest) = b
        .contacts
        .peering
        .clone()
        .or_else(|| b.contacts.noc.clone())
    else {
        return Err(OnboardError::Refused(format!(
            "AS{to} has no peering or NOC contact"
        )));
    };
    let mut recipients = vec![dest];
    if let Some(c) = a
        .contacts
        .peering
        .clone()
        .or_else(|| a.contacts.noc.clone())
    {
        if !recipients.contains(&c) {
            recipients.push(c);
        }
    }
    let templates = Templates::load(template_dir.as_deref())?;
    let rendered = templates.render_named(
        "peering.en.txt",
        context! { exchange => reg.exchange.name, from => side(a), to => side(b) },
    )?;
    let Some(settings) = settings else {
        return Ok(RequestOutcome::Rendered(rendered, recipients));
    };
    let records = Records::open(&records_path(registry))?;
    let now = condor_registry::rfc3339_utc_now();
    if let Some(last) = records.last_request_sent(from.0, to.0)? {
        let (l, n) = (
            parse_rfc3339_utc(&last).unwrap_or(0),
            parse_rfc3339_utc(&now).unwrap_or(u64::MAX),
        );
        if n.saturating_sub(l) < period.as_secs() {
            return Err(OnboardError::Refused(format!(
                "AS{from} already asked AS{to} on {last}; the same request may be sent again after {}",
                condor_registry::rfc3339_utc(l + period.as_secs())
            )));
        }
    }
    let d = mail::send_blocking(
        settings,
        &Outgoing {
            to: recipients.clone(),
            subject: rendered.subject.clone(),
            body: rendered.body.clone(),
        },
    );
    let status = if d.accepted {
        Status::Sent
    } else {
        Status::Failed
    };
    let id = records.add_email(
        &now,
        "peering-request",
        from.0,
        Some(to.0),
        &rendered.template,
        &recipients,
        &rendered.subject,
        status,
        &d.answer,
    )?;
    records.add_request(&now, from.0, to.0, status, id)?;
    let rec = records
        .history(from.0)?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or_else(|| OnboardError::Refused("the record just written is missing".into()))?;
    Ok(RequestOutcome::Attempted(rec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        for secs in [0u64, 951_782_400, 1_584_185_510, 1_795_000_000] {
            assert_eq!(
                parse_rfc3339_utc(&condor_registry::rfc3339_utc(secs)),
                Some(secs)
            );
        }
        assert_eq!(parse_rfc3339_utc("yesterday"), None);
    }
}
