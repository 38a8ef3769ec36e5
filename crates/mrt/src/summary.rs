//! What an MRT file holds, in numbers: records per type/subtype, BGP
//! messages per type, prefixes announced and withdrawn per family (decoded
//! with `condor-wire`), RIB entries per family, peers, time span and errors.
//! Backs `condor mrt summary FILE` (a table via `Display`, `--json` via serde).

use crate::{type_name, MrtError, Record, RecordBody};
use condor_wire::{decode_message, Asn, Family, Message, MpNlri};
use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

/// How many error messages a summary keeps (all are counted).
pub const MAX_ERRORS_KEPT: usize = 10;

/// Counts over the records of an MRT stream.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Records read (decoded or not).
    pub records: u64,
    /// Records per `TYPE/SUBTYPE` name.
    pub record_types: BTreeMap<String, u64>,
    /// BGP messages (BGP4MP) per message type; `undecodable` counts those
    /// `condor-wire` rejected.
    pub bgp_messages: BTreeMap<String, u64>,
    /// UPDATEs with an RFC 7606 treat-as-withdraw problem.
    pub updates_treat_as_withdraw: u64,
    /// Prefixes announced by UPDATEs, per family.
    pub announced: BTreeMap<String, u64>,
    /// Prefixes withdrawn by UPDATEs, per family.
    pub withdrawn: BTreeMap<String, u64>,
    /// RIB entries (TABLE_DUMP, TABLE_DUMP_V2), per family.
    pub rib_entries: BTreeMap<String, u64>,
    /// Records per peer (address, AS), from BGP4MP, TABLE_DUMP and PEER_INDEX_TABLE.
    #[serde(serialize_with = "peers_as_list")]
    pub peers: BTreeMap<(IpAddr, Asn), u64>,
    /// Earliest record time (seconds since the epoch).
    pub first_time: Option<u32>,
    /// Latest record time.
    pub last_time: Option<u32>,
    /// Records that could not be read or decoded.
    pub errors: u64,
    /// The first [`MAX_ERRORS_KEPT`] error messages.
    pub error_messages: Vec<String>,
}

fn peers_as_list<S: Serializer>(
    peers: &BTreeMap<(IpAddr, Asn), u64>,
    s: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct PeerCount {
        address: IpAddr,
        asn: u32,
        records: u64,
    }
    let mut seq = s.serialize_seq(Some(peers.len()))?;
    for (&(address, asn), &records) in peers {
        seq.serialize_element(&PeerCount {
            address,
            asn: asn.0,
            records,
        })?;
    }
    seq.end()
}

fn bump(map: &mut BTreeMap<String, u64>, key: impl Into<String>, n: u64) {
    if n > 0 {
        *map.entry(key.into()).or_default() += n;
    }
}

impl Summary {
    /// An empty summary.
    pub fn new() -> Summary {
        Summary::default()
    }

    /// Reads every record of `records` (e.g. an [`crate::MrtReader`]).
    pub fn from_records(records: impl IntoIterator<Item = Result<Record, MrtError>>) -> Summary {
        let mut s = Summary::new();
        for r in records {
            s.add(&r);
        }
        s
    }

    /// Counts one item of a reader.
    pub fn add(&mut self, item: &Result<Record, MrtError>) {
        self.records += 1;
        let r = match item {
            Ok(r) => r,
            Err(e) => {
                self.errors += 1;
                if self.error_messages.len() < MAX_ERRORS_KEPT {
                    self.error_messages.push(e.to_string());
                }
                return;
            }
        };
        let t = r.header.timestamp.secs;
        self.first_time = Some(self.first_time.map_or(t, |f| f.min(t)));
        self.last_time = Some(self.last_time.map_or(t, |l| l.max(t)));
        bump(
            &mut self.record_types,
            type_name(r.header.mrt_type, r.header.subtype),
            1,
        );
        match &r.body {
            RecordBody::Bgp4mpMessage(m) => {
                *self.peers.entry((m.peer_ip, m.peer_as)).or_default() += 1;
                self.add_message(&m.message, &m.context());
            }
            RecordBody::StateChange(s) => {
                *self.peers.entry((s.peer_ip, s.peer_as)).or_default() += 1
            }
            RecordBody::TableDump(e) => {
                *self.peers.entry((e.peer_ip, e.peer_as)).or_default() += 1;
                let f = if e.prefix.is_ipv4() {
                    Family::IPV4_UNICAST
                } else {
                    Family::IPV6_UNICAST
                };
                bump(&mut self.rib_entries, f.to_string(), 1);
            }
            RecordBody::PeerIndexTable(p) => {
                for peer in &p.peers {
                    self.peers.entry((peer.ip, peer.asn)).or_default();
                }
            }
            RecordBody::Rib(rib) => bump(
                &mut self.rib_entries,
                rib.family.to_string(),
                rib.entries.len() as u64,
            ),
            RecordBody::Raw(_) => {}
        }
    }

    fn add_message(&mut self, msg: &[u8], ctx: &condor_wire::Context) {
        let m = match decode_message(msg, ctx) {
            Ok(m) => m,
            Err(_) => return bump(&mut self.bgp_messages, "undecodable", 1),
        };
        let name = match &m {
            Message::Open(_) => "OPEN",
            Message::Update(_) => "UPDATE",
            Message::Notification(_) => "NOTIFICATION",
            Message::Keepalive => "KEEPALIVE",
            Message::RouteRefresh(_) => "ROUTE-REFRESH",
        };
        bump(&mut self.bgp_messages, name, 1);
        let Message::Update(u) = m else { return };
        if u.treat_as_withdraw() {
            self.updates_treat_as_withdraw += 1;
        }
        let v4 = Family::IPV4_UNICAST.to_string();
        bump(&mut self.announced, v4.clone(), u.nlri.len() as u64);
        bump(&mut self.withdrawn, v4, u.withdrawn.len() as u64);
        if let Some(r) = &u.mp_reach {
            if let MpNlri::Prefixes(p) = &r.nlri {
                bump(&mut self.announced, r.family.to_string(), p.len() as u64);
            }
        }
        if let Some(w) = &u.mp_unreach {
            if let MpNlri::Prefixes(p) = &w.nlri {
                bump(&mut self.withdrawn, w.family.to_string(), p.len() as u64);
            }
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) for seconds since the epoch.
fn utc(secs: u32) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(u64::from(secs));
    let s = humantime::format_rfc3339_seconds(t).to_string();
    s.trim_end_matches('Z').replacen('T', " ", 1)
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<40} {:>10}", "records", self.records)?;
        writeln!(f, "{:<40} {:>10}", "errors", self.errors)?;
        if let (Some(a), Some(b)) = (self.first_time, self.last_time) {
            writeln!(f, "{:<40} {} .. {} UTC", "time", utc(a), utc(b))?;
        }
        writeln!(f, "{:<40} {:>10}", "peers", self.peers.len())?;
        let table =
            |f: &mut fmt::Formatter<'_>, title: &str, m: &BTreeMap<String, u64>| -> fmt::Result {
                if m.is_empty() {
                    return Ok(());
                }
                writeln!(f, "{title}")?;
                for (k, v) in m {
                    writeln!(f, "  {k:<38} {v:>10}")?;
                }
                Ok(())
            };
        table(f, "record types", &self.record_types)?;
        table(f, "BGP messages", &self.bgp_messages)?;
        if !self.announced.is_empty() || !self.withdrawn.is_empty() {
            writeln!(
                f,
                "{:<40} {:>10} {:>10}",
                "prefixes", "announced", "withdrawn"
            )?;
            let mut fams: Vec<&String> =
                self.announced.keys().chain(self.withdrawn.keys()).collect();
            fams.sort();
            fams.dedup();
            for fam in fams {
                let a = self.announced.get(fam).copied().unwrap_or(0);
                let w = self.withdrawn.get(fam).copied().unwrap_or(0);
                writeln!(f, "  {fam:<38} {a:>10} {w:>10}")?;
            }
            if self.updates_treat_as_withdraw > 0 {
                writeln!(
                    f,
                    "  {:<38} {:>10}",
                    "UPDATEs treated as withdraw", self.updates_treat_as_withdraw
                )?;
            }
        }
        table(f, "RIB entries", &self.rib_entries)?;
        for e in &self.error_messages {
            writeln!(f, "error: {e}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Bgp4mpMessage, Header, Timestamp};
    use bytes::Bytes;

    fn update_record(secs: u32, body: &[u8]) -> Result<Record, MrtError> {
        let mut msg = vec![0xff; 16];
        msg.extend_from_slice(&((19 + body.len()) as u16).to_be_bytes());
        msg.push(2);
        msg.extend_from_slice(body);
        let ts = Timestamp { secs, micros: None };
        Ok(Record {
            offset: 0,
            header: Header {
                timestamp: ts,
                mrt_type: 16,
                subtype: 4,
                length: 0,
            },
            body: RecordBody::Bgp4mpMessage(Bgp4mpMessage {
                timestamp: ts,
                peer_as: Asn(64500),
                local_as: Asn(12654),
                ifindex: 0,
                peer_ip: "192.0.2.1".parse().unwrap(),
                local_ip: "192.0.2.2".parse().unwrap(),
                four_octet_as: true,
                add_path: false,
                local: false,
                message: Bytes::from(msg),
            }),
        })
    }

    #[test]
    fn counts_messages_prefixes_peers_and_errors() {
        // Withdraw 10.0.0.0/8 and 192.0.2.0/24; no attributes; no NLRI.
        let withdraw = [0, 6, 8, 10, 24, 192, 0, 2, 0, 0];
        // Announce 198.51.100.0/24 with ORIGIN, AS_PATH (64500), NEXT_HOP.
        let announce = [
            0, 0, 0, 20, 0x40, 1, 1, 0, 0x40, 2, 6, 2, 1, 0, 0, 0xfb, 0xf4, 0x40, 3, 4, 192, 0, 2,
            1, 24, 198, 51, 100,
        ];
        let items = vec![
            update_record(1_000, &withdraw),
            update_record(2_000, &announce),
            Err(MrtError::Truncated {
                offset: 99,
                expected: 12,
                got: 3,
            }),
        ];
        let s = Summary::from_records(items);
        assert_eq!(s.records, 3);
        assert_eq!(s.errors, 1);
        assert!(s.error_messages[0].contains("offset 99"));
        assert_eq!(s.bgp_messages.get("UPDATE"), Some(&2));
        assert_eq!(s.withdrawn.get("ipv4-unicast"), Some(&2));
        assert_eq!(s.announced.get("ipv4-unicast"), Some(&1));
        assert_eq!(s.peers.len(), 1);
        assert_eq!((s.first_time, s.last_time), (Some(1_000), Some(2_000)));
        assert_eq!(s.record_types.get("BGP4MP/MESSAGE_AS4"), Some(&2));
        let text = s.to_string();
        assert!(text.contains("BGP4MP/MESSAGE_AS4"), "{text}");
        assert!(text.contains("1970-01-01 00:16:40"), "{text}");
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["peers"][0]["asn"], 64500);
        assert_eq!(json["announced"]["ipv4-unicast"], 1);
    }

    #[test]
    fn utc_formatting() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(1_727_744_100), "2024-10-01 00:55:00");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00");
    }
}
