//! `condor members onboard|history` and `condor peering matrix|request`:
//! wires the command line to `condor-onboarding` and formats its answers.
//! Only `--dry-run` prints an e-mail body (which may hold a password);
//! every other output names what was sent, never its content.

use crate::cli::{MailArgs, OnboardArgs, PeeringArgs, PeeringCommand};
use crate::output::{self, Out};
use anyhow::Context as _;
use condor_onboarding::mail::{settings_path, MailSettings};
use condor_onboarding::{
    records_path, EmailRecord, OnboardOptions, OnboardOutcome, Records, RequestOutcome, Status,
};
use condor_wire::Asn;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn templates(registry: &Path, m: &MailArgs) -> Option<PathBuf> {
    m.templates
        .clone()
        .or_else(|| Some(condor_onboarding::default_template_dir(registry)).filter(|d| d.is_dir()))
}

fn settings(registry: &Path, m: &MailArgs) -> anyhow::Result<MailSettings> {
    let path = m
        .mail_config
        .clone()
        .unwrap_or_else(|| settings_path(registry));
    Ok(MailSettings::load(&path)?)
}

fn attempt_line(e: &EmailRecord) -> String {
    format!(
        "{} {} {} to {} ({}): {}",
        e.at,
        e.kind,
        match e.status {
            Status::Sent => "sent",
            Status::Failed => "FAILED",
        },
        e.recipients,
        e.template,
        e.answer
    )
}

/// `condor members onboard`
pub fn onboard(registry: &Path, a: &OnboardArgs, out: &mut Out) -> anyhow::Result<()> {
    let platforms = if a.platform.is_empty() {
        condor_onboarding::PLATFORMS.to_vec()
    } else {
        a.platform
            .iter()
            .filter_map(|p| condor_onboarding::platform(p))
            .collect()
    };
    let opts = OnboardOptions {
        lang: a.lang.clone(),
        platforms,
        template_dir: templates(registry, &a.mail),
        retry: a.retry,
    };
    let s = if a.dry_run {
        None
    } else {
        Some(settings(registry, &a.mail)?)
    };
    match condor_onboarding::onboard(registry, a.asn.asn, &opts, s.as_ref())? {
        OnboardOutcome::Rendered(r, to) => {
            output::line(out, &format!("To: {}", to.join(", ")))?;
            output::line(out, &format!("Subject: {}", r.subject))?;
            output::line(out, "")?;
            output::line(out, r.body.trim_end())?;
        }
        OnboardOutcome::Attempted(e) => {
            output::line(out, &attempt_line(&e))?;
            if e.status == Status::Failed {
                anyhow::bail!(
                    "the onboarding e-mail of AS{} was not accepted; retry with `condor members onboard {} --retry`",
                    a.asn.asn,
                    a.asn.asn
                );
            }
        }
    }
    Ok(())
}

/// `condor members history`
pub fn history(registry: &Path, asn: Asn, json: bool, out: &mut Out) -> anyhow::Result<()> {
    let path = records_path(registry);
    let list = if path.exists() {
        Records::open(&path)?.history(asn.0)?
    } else {
        Vec::new()
    };
    if json {
        let v: Vec<serde_json::Value> = list
            .iter()
            .map(|e| {
                serde_json::json!({
                    "id": e.id, "at": e.at, "kind": e.kind, "asn": e.asn, "peer_asn": e.peer_asn,
                    "template": e.template, "recipients": e.recipients, "subject": e.subject,
                    "status": if e.status == Status::Sent { "sent" } else { "failed" }, "answer": e.answer,
                })
            })
            .collect();
        output::line(out, &serde_json::to_string_pretty(&v)?)?;
    } else if list.is_empty() {
        output::line(out, &format!("no e-mail recorded for AS{asn}"))?;
    } else {
        for e in &list {
            let about = match e.peer_asn {
                Some(p) => format!(" AS{}→AS{p}", e.asn),
                None => String::new(),
            };
            output::line(out, &format!("{}{about}", attempt_line(e)))?;
        }
    }
    Ok(())
}

/// `condor peering …`
pub fn run(args: &PeeringArgs, out: &mut Out) -> anyhow::Result<()> {
    let registry = args.registry.as_path();
    match &args.command {
        PeeringCommand::Matrix(j) => {
            let reg = condor_registry::load(registry)?;
            let up = match &j.socket {
                Some(socket) => {
                    let condor_control::Reply::Neighbors { neighbors } =
                        crate::daemon_cli::call(socket, condor_control::Request::Neighbors)?
                    else {
                        anyhow::bail!("unexpected reply from the daemon at {}", socket.display());
                    };
                    Some(
                        neighbors
                            .iter()
                            .filter(|n| n.state == "Established")
                            .map(|n| n.asn)
                            .collect::<std::collections::HashSet<u32>>(),
                    )
                }
                None => None,
            };
            let m = condor_onboarding::matrix(registry, &reg, up.as_ref())?;
            if j.json {
                output::line(out, &serde_json::to_string_pretty(&m)?)?;
                return Ok(());
            }
            let mut header = format!("{:<11} {:<24}", "ASN", "NAME");
            for a in &m.asns {
                header.push_str(&format!(" {:>10}", a));
            }
            output::line(out, &header)?;
            for (i, row) in m.cells.iter().enumerate() {
                let name: String = m.names[i].chars().take(24).collect();
                let mut line = format!("{:<11} {:<24}", m.asns[i], name);
                for c in row {
                    line.push_str(&format!(" {:>10}", c.short()));
                }
                output::line(out, &line)?;
            }
            output::line(
                out,
                "rs: routes exchanged via the route servers (rs-down: not both Established); req: request sent; open/sel/restr: policy of the member asked",
            )?;
        }
        PeeringCommand::Request(a) => {
            let s = if a.dry_run {
                None
            } else {
                Some(settings(registry, &a.mail)?)
            };
            let period = Duration::from_secs(a.period_days.saturating_mul(86_400));
            match condor_onboarding::request(
                registry,
                a.from,
                a.to,
                period,
                templates(registry, &a.mail),
                s.as_ref(),
            )
            .with_context(|| format!("peering request AS{} → AS{}", a.from, a.to))?
            {
                RequestOutcome::Rendered(r, to) => {
                    output::line(out, &format!("To: {}", to.join(", ")))?;
                    output::line(out, &format!("Subject: {}", r.subject))?;
                    output::line(out, "")?;
                    output::line(out, r.body.trim_end())?;
                }
                RequestOutcome::Attempted(e) => {
                    output::line(out, &attempt_line(&e))?;
                    if e.status == Status::Failed {
                        anyhow::bail!("the peering request was not accepted by the SMTP server");
                    }
                }
            }
        }
    }
    Ok(())
}
