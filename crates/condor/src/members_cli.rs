//! `condor members …`: wires the command line to `condor-registry` and
//! formats its answers. Passwords are never printed here: `show` only says
//! whether the member has one.

use crate::cli::{MemberFields, MembersArgs, MembersCommand, PolicyArg, StatusArg};
use crate::output::{self, Out};
use anyhow::Context as _;
use condor_registry::{
    secrets_path, Member, MemberChange, MemberStatus, PeeringPolicy, SecretStore,
};
use serde_json::{json, Value};
use std::path::Path;

/// Runs a `condor members` command.
pub fn run(args: &MembersArgs, out: &mut Out) -> anyhow::Result<()> {
    let path = args.registry.as_path();
    match &args.command {
        MembersCommand::Add(a) => {
            let m = condor_registry::add_member(path, a.asn.asn, &a.name, change(&a.fields, None))?;
            output::line(
                out,
                &format!(
                    "added AS{} ({}); a TCP-MD5 password was generated into {}",
                    m.asn,
                    m.name,
                    secrets_path(path).display()
                ),
            )?;
        }
        MembersCommand::Set(a) => {
            let m =
                condor_registry::set_member(path, a.asn.asn, change(&a.fields, a.name.clone()))?;
            output::line(out, &format!("changed AS{} ({})", m.asn, m.name))?;
        }
        MembersCommand::Remove(a) => {
            let m = condor_registry::remove_member(path, a.asn)?;
            output::line(out, &format!("removed AS{} ({})", m.asn, m.name))?;
        }
        MembersCommand::RotatePassword(a) => {
            condor_registry::rotate_password(path, a.asn)?;
            output::line(
                out,
                &format!(
                    "new TCP-MD5 password for AS{} stored in {}; run `condor reload` on the route servers and send it to the member (condor members onboard)",
                    a.asn,
                    secrets_path(path).display()
                ),
            )?;
        }
        MembersCommand::Import(a) => import(path, a, out)?,
        MembersCommand::Onboard(a) => crate::peering_cli::onboard(path, a, out)?,
        MembersCommand::History(a) => crate::peering_cli::history(path, a.asn.asn, a.json, out)?,
        MembersCommand::Export(a) => {
            let reg = condor_registry::load(path)?;
            let json = serde_json::to_string_pretty(&condor_registry::ixf_export(
                &reg,
                &condor_registry::rfc3339_utc_now(),
            ))?;
            match &a.output {
                Some(file) => {
                    condor_registry::write_atomic(file, format!("{json}\n").as_bytes(), 0o644)
                        .with_context(|| format!("cannot write {}", file.display()))?
                }
                None => output::line(out, &json)?,
            }
        }
        MembersCommand::List(j) => {
            let reg = condor_registry::load(path)?;
            let store = SecretStore::load(&secrets_path(path)).ok();
            if j.json {
                let v: Vec<Value> = reg
                    .members
                    .iter()
                    .map(|m| member_json(m, store.as_ref()))
                    .collect();
                output::line(out, &serde_json::to_string_pretty(&v)?)?;
            } else {
                output::line(
                    out,
                    &format!(
                        "{:<11} {:<28} {:<12} {:<11} {:<3} {:<16} IPv6",
                        "ASN", "NAME", "STATUS", "POLICY", "RS", "IPv4"
                    ),
                )?;
                for m in &reg.members {
                    output::line(
                        out,
                        &format!(
                            "{:<11} {:<28} {:<12} {:<11} {:<3} {:<16} {}",
                            m.asn.0,
                            m.name,
                            status_name(m.status),
                            policy_name(m.policy),
                            if m.route_server { "yes" } else { "no" },
                            join(&m.ipv4),
                            join(&m.ipv6)
                        ),
                    )?;
                }
            }
        }
        MembersCommand::Show(a) => {
            let reg = condor_registry::load(path)?;
            let m = reg
                .member(a.asn.asn)
                .with_context(|| format!("{}: no member with AS{}", path.display(), a.asn.asn))?;
            let store = SecretStore::load(&secrets_path(path));
            if a.json {
                output::line(
                    out,
                    &serde_json::to_string_pretty(&member_json(m, store.as_ref().ok()))?,
                )?;
            } else {
                show_text(out, m, &store, path)?;
            }
        }
    }
    Ok(())
}

fn import(path: &Path, a: &crate::cli::ImportArgs, out: &mut Out) -> anyhow::Result<()> {
    let json = std::fs::read_to_string(&a.file)
        .with_context(|| format!("cannot read {}", a.file.display()))?;
    let opts = condor_registry::ImportOptions {
        ixp_id: a.ixp_id,
        vlan_id: a.vlan_id,
    };
    let r =
        condor_registry::import_ixf(path, &a.file.display().to_string(), &json, opts, a.dry_run)?;
    let vlan = r.vlan_id.map_or(String::new(), |v| format!(", VLAN {v}"));
    output::line(
        out,
        &format!(
            "{}IX-F {}{vlan}: {} created, {} updated, {} unchanged, {} skipped, {} route servers added",
            if a.dry_run { "dry run, nothing written: " } else { "imported " },
            r.version,
            r.created.len(),
            r.updated.len(),
            r.unchanged.len(),
            r.skipped.len(),
            r.route_servers.len()
        ),
    )?;
    let asns = |v: &[condor_wire::Asn]| {
        v.iter()
            .map(|a| format!("AS{a}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if !r.created.is_empty() {
        output::line(out, &format!("created: {}", asns(&r.created)))?;
    }
    if !r.updated.is_empty() {
        output::line(out, &format!("updated: {}", asns(&r.updated)))?;
    }
    for rs in &r.route_servers {
        output::line(out, &format!("route server added: {rs}"))?;
    }
    for s in &r.skipped {
        output::line(out, &format!("skipped: {}: {}", s.what, s.why))?;
    }
    Ok(())
}

fn show_text(
    out: &mut Out,
    m: &Member,
    store: &condor_registry::Result<SecretStore>,
    path: &Path,
) -> anyhow::Result<()> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let limit = |v: Option<u32>| v.map_or("none".to_string(), |n| n.to_string());
    let password = match store {
        Ok(s) if s.md5(m.asn).is_some() => format!("set (in {})", secrets_path(path).display()),
        Ok(_) => "not set".to_string(),
        Err(e) => format!("unknown ({e})"),
    };
    let lines = [
        format!("AS{} {}", m.asn, m.name),
        format!("  status:        {}", status_name(m.status)),
        format!("  policy:        {}", policy_name(m.policy)),
        format!(
            "  route servers: {}",
            if m.route_server { "yes" } else { "no" }
        ),
        format!("  ipv4:          {}", join(&m.ipv4)),
        format!("  ipv6:          {}", join(&m.ipv6)),
        format!(
            "  max prefixes:  {} IPv4, {} IPv6",
            limit(m.max_prefix_v4),
            limit(m.max_prefix_v6)
        ),
        format!("  as-set:        {}", opt(&m.as_set)),
        format!("  noc:           {}", opt(&m.contacts.noc)),
        format!("  peering:       {}", opt(&m.contacts.peering)),
        format!("  technical:     {}", opt(&m.contacts.technical)),
        format!("  md5 password:  {password}"),
    ];
    for l in lines {
        output::line(out, &l)?;
    }
    Ok(())
}

fn member_json(m: &Member, store: Option<&SecretStore>) -> Value {
    let mut v = serde_json::to_value(m).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut v {
        map.insert(
            "password_set".into(),
            store.map_or(Value::Null, |s| json!(s.md5(m.asn).is_some())),
        );
    }
    v
}

fn join(v: &[std::net::IpAddr]) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        v.iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn status_name(s: MemberStatus) -> &'static str {
    match s {
        MemberStatus::Active => "active",
        MemberStatus::Pending => "pending",
        MemberStatus::Suspended => "suspended",
        MemberStatus::Disconnected => "disconnected",
    }
}

fn policy_name(p: PeeringPolicy) -> &'static str {
    match p {
        PeeringPolicy::Open => "open",
        PeeringPolicy::Selective => "selective",
        PeeringPolicy::Restrictive => "restrictive",
    }
}

/// An empty string on the command line removes an optional text field.
fn text(v: &Option<String>) -> Option<Option<String>> {
    v.as_ref()
        .map(|s| if s.is_empty() { None } else { Some(s.clone()) })
}

/// A limit of 0 on the command line removes it.
fn limit(v: Option<u32>) -> Option<Option<u32>> {
    v.map(|n| if n == 0 { None } else { Some(n) })
}

fn change(f: &MemberFields, name: Option<String>) -> MemberChange {
    MemberChange {
        name,
        status: f.status.map(|s| match s {
            StatusArg::Active => MemberStatus::Active,
            StatusArg::Pending => MemberStatus::Pending,
            StatusArg::Suspended => MemberStatus::Suspended,
            StatusArg::Disconnected => MemberStatus::Disconnected,
        }),
        ipv4: (!f.ipv4.is_empty()).then(|| f.ipv4.clone()),
        ipv6: (!f.ipv6.is_empty()).then(|| f.ipv6.clone()),
        max_prefix_v4: limit(f.max_prefix_v4),
        max_prefix_v6: limit(f.max_prefix_v6),
        as_set: text(&f.as_set),
        route_server: f.route_server,
        policy: f.policy.map(|p| match p {
            PolicyArg::Open => PeeringPolicy::Open,
            PolicyArg::Selective => PeeringPolicy::Selective,
            PolicyArg::Restrictive => PeeringPolicy::Restrictive,
        }),
        noc: text(&f.noc),
        peering: text(&f.peering),
        technical: text(&f.technical),
    }
}
