//! Writing MRT streams (RFC 6396): BGP4MP(_ET) messages and state changes,
//! TABLE_DUMP entries, TABLE_DUMP_V2 PEER_INDEX_TABLE and RIB records, and raw
//! records. What [`crate::MrtReader`] reads, this writes back octet for octet.

use crate::record::{
    Bgp4mpMessage, Header, PeerIndexTable, Record, RecordBody, RibRecord, Timestamp, HEADER_LEN,
};
use crate::MrtError;
use std::io::Write;

/// Writes MRT records to any [`Write`] (compress outside if wanted).
pub struct MrtWriter<W> {
    out: W,
    buf: Vec<u8>,
    /// Octets written so far: the offset of the next record.
    offset: u64,
}

impl<W: Write> MrtWriter<W> {
    /// A writer over `out`.
    pub fn new(out: W) -> MrtWriter<W> {
        MrtWriter {
            out,
            buf: Vec::new(),
            offset: 0,
        }
    }

    /// Writes a record. The type and subtype come from the body, except for
    /// [`RecordBody::Raw`], which is written with the header's.
    pub fn write_record(&mut self, record: &Record) -> Result<(), MrtError> {
        let h = &record.header;
        self.write_body(&h.timestamp, (h.mrt_type, h.subtype), &record.body)
    }

    /// Writes a BGP message as BGP4MP (or BGP4MP_ET when the timestamp has
    /// microseconds) with the subtype its flags select, e.g. MESSAGE_AS4.
    pub fn write_bgp4mp_message(&mut self, m: &Bgp4mpMessage) -> Result<(), MrtError> {
        self.write_body(&m.timestamp, (0, 0), &RecordBody::Bgp4mpMessage(m.clone()))
    }

    /// Writes a TABLE_DUMP_V2 PEER_INDEX_TABLE.
    pub fn write_peer_index_table(
        &mut self,
        timestamp: u32,
        p: &PeerIndexTable,
    ) -> Result<(), MrtError> {
        let ts = Timestamp {
            secs: timestamp,
            micros: None,
        };
        self.write_body(&ts, (0, 0), &RecordBody::PeerIndexTable(p.clone()))
    }

    /// Writes a TABLE_DUMP_V2 RIB record (subtype from its family and ADD-PATH flag).
    pub fn write_rib(&mut self, timestamp: u32, r: &RibRecord) -> Result<(), MrtError> {
        let ts = Timestamp {
            secs: timestamp,
            micros: None,
        };
        self.write_body(&ts, (0, 0), &RecordBody::Rib(r.clone()))
    }

    fn write_body(
        &mut self,
        ts: &Timestamp,
        raw_type: (u16, u16),
        body: &RecordBody,
    ) -> Result<(), MrtError> {
        self.buf.clear();
        self.buf.resize(HEADER_LEN, 0);
        if let Some(us) = ts.micros {
            self.buf.extend_from_slice(&us.to_be_bytes());
        }
        let (mrt_type, subtype) = body.encode(ts, raw_type, &mut self.buf)?;
        let length = u32::try_from(self.buf.len() - HEADER_LEN).map_err(|_| MrtError::Encode {
            what: "MRT record",
            reason: format!("body of {} octets", self.buf.len() - HEADER_LEN),
        })?;
        let h = Header {
            timestamp: *ts,
            mrt_type,
            subtype,
            length,
        };
        self.buf[0..4].copy_from_slice(&h.timestamp.secs.to_be_bytes());
        self.buf[4..6].copy_from_slice(&h.mrt_type.to_be_bytes());
        self.buf[6..8].copy_from_slice(&h.subtype.to_be_bytes());
        self.buf[8..12].copy_from_slice(&h.length.to_be_bytes());
        let offset = self.offset;
        self.out
            .write_all(&self.buf)
            .map_err(|source| MrtError::Io { offset, source })?;
        self.offset += self.buf.len() as u64;
        Ok(())
    }

    /// Octets written so far (the offset the next record will have).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Flushes and returns the inner writer.
    pub fn into_inner(mut self) -> Result<W, MrtError> {
        self.out.flush().map_err(|source| MrtError::Io {
            offset: self.offset,
            source,
        })?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MrtReader, Peer, RibEntry, StateChange, TableDumpEntry};
    use bytes::Bytes;
    use condor_wire::{Asn, Family};

    fn ts(secs: u32, micros: Option<u32>) -> Timestamp {
        Timestamp { secs, micros }
    }

    #[test]
    fn written_records_read_back_identical() {
        let mut keepalive = vec![0xff; 16];
        keepalive.extend_from_slice(&[0, 19, 4]);
        let msg = Bgp4mpMessage {
            timestamp: ts(1_700_000_000, None),
            peer_as: Asn(4_200_000_001),
            local_as: Asn(64115),
            ifindex: 3,
            peer_ip: "2001:db8::1".parse().unwrap(),
            local_ip: "2001:db8::2".parse().unwrap(),
            four_octet_as: true,
            add_path: false,
            local: false,
            message: Bytes::from(keepalive),
        };
        let msg_et = Bgp4mpMessage {
            timestamp: ts(1_700_000_001, Some(999_999)),
            add_path: true,
            ..msg.clone()
        };
        let peers = PeerIndexTable {
            collector_id: "192.0.2.254".parse().unwrap(),
            view_name: "rs1".into(),
            peers: vec![
                Peer {
                    bgp_id: "192.0.2.1".parse().unwrap(),
                    ip: "192.0.2.1".parse().unwrap(),
                    asn: Asn(64500),
                    as4: false,
                },
                Peer {
                    bgp_id: "192.0.2.2".parse().unwrap(),
                    ip: "2001:db8::2".parse().unwrap(),
                    asn: Asn(4_200_000_002),
                    as4: true,
                },
            ],
        };
        let rib4 = RibRecord {
            family: Family::IPV4_UNICAST,
            add_path: false,
            sequence: 0,
            prefix: "198.51.100.0/23".parse().unwrap(),
            entries: vec![
                RibEntry {
                    peer_index: 0,
                    originated_time: 5,
                    path_id: None,
                    attributes: Bytes::from_static(&[0x40, 1, 1, 0]),
                },
                RibEntry {
                    peer_index: 1,
                    originated_time: 6,
                    path_id: None,
                    attributes: Bytes::new(),
                },
            ],
        };
        let rib6 = RibRecord {
            family: Family::IPV6_UNICAST,
            add_path: true,
            sequence: 1,
            prefix: "2001:db8:1::/48".parse().unwrap(),
            entries: vec![RibEntry {
                peer_index: 1,
                originated_time: 7,
                path_id: Some(42),
                attributes: Bytes::new(),
            }],
        };
        let mut w = MrtWriter::new(Vec::new());
        w.write_bgp4mp_message(&msg).unwrap();
        w.write_bgp4mp_message(&msg_et).unwrap();
        w.write_peer_index_table(10, &peers).unwrap();
        w.write_rib(10, &rib4).unwrap();
        w.write_rib(10, &rib6).unwrap();
        let state = StateChange {
            timestamp: ts(11, None),
            peer_as: Asn(64500),
            local_as: Asn(64501),
            ifindex: 0,
            peer_ip: "192.0.2.1".parse().unwrap(),
            local_ip: "192.0.2.2".parse().unwrap(),
            four_octet_as: false,
            old_state: 5,
            new_state: 6,
        };
        let td = TableDumpEntry {
            view: 0,
            sequence: 9,
            prefix: "2001:db8::/32".parse().unwrap(),
            status: 1,
            originated_time: 12,
            peer_ip: "2001:db8::9".parse().unwrap(),
            peer_as: Asn(64502),
            attributes: Bytes::from_static(&[0x40, 1, 1, 2]),
        };
        let raw_header = Header {
            timestamp: ts(13, None),
            mrt_type: 5,
            subtype: 1,
            length: 3,
        };
        for (h, body) in [
            (
                Header {
                    timestamp: ts(11, None),
                    mrt_type: 0,
                    subtype: 0,
                    length: 0,
                },
                RecordBody::StateChange(state.clone()),
            ),
            (
                Header {
                    timestamp: ts(12, None),
                    mrt_type: 0,
                    subtype: 0,
                    length: 0,
                },
                RecordBody::TableDump(td.clone()),
            ),
            (raw_header, RecordBody::Raw(Bytes::from_static(b"old"))),
        ] {
            w.write_record(&Record {
                offset: 0,
                header: h,
                body,
            })
            .unwrap();
        }
        let written = w.offset();
        let bytes = w.into_inner().unwrap();
        assert_eq!(written, bytes.len() as u64);

        let records: Vec<Record> = MrtReader::new(&bytes[..]).map(|r| r.unwrap()).collect();
        let bodies: Vec<RecordBody> = records.iter().map(|r| r.body.clone()).collect();
        assert_eq!(
            bodies,
            vec![
                RecordBody::Bgp4mpMessage(msg),
                RecordBody::Bgp4mpMessage(msg_et),
                RecordBody::PeerIndexTable(peers),
                RecordBody::Rib(rib4),
                RecordBody::Rib(rib6),
                RecordBody::StateChange(state),
                RecordBody::TableDump(td),
                RecordBody::Raw(Bytes::from_static(b"old")),
            ]
        );
        let kinds: Vec<(u16, u16)> = records
            .iter()
            .map(|r| (r.header.mrt_type, r.header.subtype))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (16, 4),
                (17, 9),
                (13, 1),
                (13, 2),
                (13, 10),
                (16, 0),
                (12, 2),
                (5, 1)
            ]
        );
        assert_eq!(records[7].header, raw_header);

        // Writing what was read gives the same octets.
        let mut again = MrtWriter::new(Vec::new());
        for r in &records {
            again.write_record(r).unwrap();
        }
        assert_eq!(again.into_inner().unwrap(), bytes);
    }

    #[test]
    fn unencodable_values_are_errors() {
        let state = StateChange {
            timestamp: ts(1, None),
            peer_as: Asn(4_200_000_000),
            local_as: Asn(1),
            ifindex: 0,
            peer_ip: "192.0.2.1".parse().unwrap(),
            local_ip: "2001:db8::1".parse().unwrap(),
            four_octet_as: false,
            old_state: 1,
            new_state: 2,
        };
        let mut w = MrtWriter::new(Vec::new());
        let h = Header {
            timestamp: ts(1, None),
            mrt_type: 0,
            subtype: 0,
            length: 0,
        };
        let e = w
            .write_record(&Record {
                offset: 0,
                header: h,
                body: RecordBody::StateChange(state),
            })
            .unwrap_err();
        assert!(e.to_string().contains("needs 4 octets"), "{e}");
        let rib = RibRecord {
            family: Family::IPV4_UNICAST,
            add_path: true,
            sequence: 0,
            prefix: "192.0.2.0/24".parse().unwrap(),
            entries: vec![RibEntry {
                peer_index: 0,
                originated_time: 0,
                path_id: None,
                attributes: Bytes::new(),
            }],
        };
        assert!(w.write_rib(1, &rib).is_err());
        // Nothing was written by the failed calls.
        assert!(w.into_inner().unwrap().is_empty());
    }
}
