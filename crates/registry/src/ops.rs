//! Member operations as `condor members add/set/remove/rotate-password` run
//! them: each takes the registry's and the secret store's writers' locks,
//! changes both, validates and writes them atomically. A member added gets
//! a fresh TCP-MD5 password; a member removed loses its password.

use crate::error::{RegistryError, Result};
use crate::model::{Member, MemberStatus, PeeringPolicy};
use crate::password::Password;
use crate::secrets::{secrets_path, SecretFile};
use crate::store::RegistryFile;
use condor_wire::Asn;
use std::net::IpAddr;
use std::path::Path;

/// Fields to change on a member; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct MemberChange {
    /// New name.
    pub name: Option<String>,
    /// New status.
    pub status: Option<MemberStatus>,
    /// New IPv4 addresses (replacing the old ones).
    pub ipv4: Option<Vec<IpAddr>>,
    /// New IPv6 addresses (replacing the old ones).
    pub ipv6: Option<Vec<IpAddr>>,
    /// New IPv4 prefix limit (`Some(None)` removes it).
    pub max_prefix_v4: Option<Option<u32>>,
    /// New IPv6 prefix limit (`Some(None)` removes it).
    pub max_prefix_v6: Option<Option<u32>>,
    /// New AS-SET (`Some(None)` removes it).
    pub as_set: Option<Option<String>>,
    /// Take part in the route servers or not.
    pub route_server: Option<bool>,
    /// New bilateral policy.
    pub policy: Option<PeeringPolicy>,
    /// New NOC contact (`Some(None)` removes it).
    pub noc: Option<Option<String>>,
    /// New peering contact (`Some(None)` removes it).
    pub peering: Option<Option<String>>,
    /// New technical contact (`Some(None)` removes it).
    pub technical: Option<Option<String>>,
}

impl MemberChange {
    /// Applies the change to `m`.
    pub fn apply(self, m: &mut Member) {
        if let Some(v) = self.name {
            m.name = v;
        }
        if let Some(v) = self.status {
            m.status = v;
        }
        if let Some(v) = self.ipv4 {
            m.ipv4 = v;
        }
        if let Some(v) = self.ipv6 {
            m.ipv6 = v;
        }
        if let Some(v) = self.max_prefix_v4 {
            m.max_prefix_v4 = v;
        }
        if let Some(v) = self.max_prefix_v6 {
            m.max_prefix_v6 = v;
        }
        if let Some(v) = self.as_set {
            m.as_set = v;
        }
        if let Some(v) = self.route_server {
            m.route_server = v;
        }
        if let Some(v) = self.policy {
            m.policy = v;
        }
        if let Some(v) = self.noc {
            m.contacts.noc = v;
        }
        if let Some(v) = self.peering {
            m.contacts.peering = v;
        }
        if let Some(v) = self.technical {
            m.contacts.technical = v;
        }
    }
}

fn random_password() -> Result<Password> {
    Password::generate().map_err(|e| RegistryError::Random(e.to_string()))
}

/// Adds member `asn` named `name` with `change` applied, and gives it a new
/// password. Returns the member as written.
pub fn add_member(registry: &Path, asn: Asn, name: &str, change: MemberChange) -> Result<Member> {
    let mut reg = RegistryFile::open(registry)?;
    let mut secrets = SecretFile::open(&secrets_path(registry))?;
    if reg.registry.member(asn).is_some() {
        return Err(RegistryError::MemberExists(asn));
    }
    let mut m = Member::new(asn, name);
    change.apply(&mut m);
    reg.registry.members.push(m.clone());
    reg.save()?;
    secrets.store.set_md5(asn, random_password()?);
    secrets.save()?;
    Ok(m)
}

/// Changes member `asn`. Returns the member as written.
pub fn set_member(registry: &Path, asn: Asn, change: MemberChange) -> Result<Member> {
    let mut reg = RegistryFile::open(registry)?;
    let m = reg
        .registry
        .member_mut(asn)
        .ok_or(RegistryError::NoMember(asn))?;
    change.apply(m);
    let m = m.clone();
    reg.save()?;
    Ok(m)
}

/// Removes member `asn` and its password. Returns the member removed.
pub fn remove_member(registry: &Path, asn: Asn) -> Result<Member> {
    let mut reg = RegistryFile::open(registry)?;
    let mut secrets = SecretFile::open(&secrets_path(registry))?;
    let i = reg
        .registry
        .members
        .iter()
        .position(|m| m.asn == asn)
        .ok_or(RegistryError::NoMember(asn))?;
    let m = reg.registry.members.remove(i);
    reg.save()?;
    if secrets.store.remove_md5(asn) {
        secrets.save()?;
    }
    Ok(m)
}

/// Gives member `asn` a new password (the old one stops working once the
/// route servers reload and the member changes its routers).
pub fn rotate_password(registry: &Path, asn: Asn) -> Result<()> {
    let reg = crate::store::load(registry)?;
    if reg.member(asn).is_none() {
        return Err(RegistryError::NoMember(asn));
    }
    let mut secrets = SecretFile::open(&secrets_path(registry))?;
    secrets.store.set_md5(asn, random_password()?);
    secrets.save()
}

/// Imports an IX-F Member Export (`json`, read from `file`) into the
/// registry at `registry` (created when absent); members created get a new
/// password. With `dry_run`, nothing is written. Returns what was done.
pub fn import_ixf(
    registry: &Path,
    file: &str,
    json: &str,
    opts: crate::ixf::ImportOptions,
    dry_run: bool,
) -> Result<crate::ixf::ImportReport> {
    let mut reg = if registry.exists() {
        RegistryFile::open(registry)?
    } else {
        RegistryFile::create(registry, crate::model::Registry::empty())?
    };
    let report =
        crate::ixf::import(&mut reg.registry, json, opts).map_err(|cause| RegistryError::Ixf {
            file: file.to_string(),
            cause,
        })?;
    if dry_run {
        return Ok(report);
    }
    let mut secrets = SecretFile::open(&secrets_path(registry))?;
    reg.save()?;
    for &asn in &report.created {
        if secrets.store.md5(asn).is_none() {
            secrets.store.set_md5(asn, random_password()?);
        }
    }
    secrets.save()?;
    Ok(report)
}
