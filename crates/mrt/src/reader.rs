//! Reading MRT streams (RFC 6396 §2, §3): framing records from any
//! [`Read`], with the length bounded, the offset of every record tracked, and
//! truncation reported as an error item instead of a panic. [`open_path`]
//! also undoes gzip or bzip2 compression, chosen by magic number.

use crate::record::{types, Header, RawRecord, Record, Timestamp, HEADER_LEN};
use crate::MrtError;
use bytes::Bytes;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// The default largest record body accepted: 16 MiB. Real records are far
/// smaller (a BGP message is at most 65535 octets; a RIB record of a prefix
/// with a few hundred paths is a few hundred KiB).
pub const DEFAULT_MAX_RECORD_LEN: u32 = 16 * 1024 * 1024;

/// An iterator over the records of an MRT stream.
///
/// Each item is a decoded [`Record`] or an error. A malformed body
/// ([`MrtError::Malformed`]) is reported and reading goes on with the next
/// record; truncation, an I/O error or a length above the limit end the
/// iteration after the error item.
pub struct MrtReader<R> {
    inner: R,
    offset: u64,
    max_record_len: u32,
    done: bool,
}

impl<R: Read> MrtReader<R> {
    /// Reads records from `inner` (already decompressed; wrap it in a
    /// [`BufReader`] if it is unbuffered).
    pub fn new(inner: R) -> MrtReader<R> {
        MrtReader {
            inner,
            offset: 0,
            max_record_len: DEFAULT_MAX_RECORD_LEN,
            done: false,
        }
    }

    /// Sets the largest record body accepted.
    pub fn with_max_record_len(mut self, max: u32) -> MrtReader<R> {
        self.max_record_len = max;
        self
    }

    /// Offset of the next record in the stream.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Frames the next record without decoding its body; `None` at the end of
    /// the stream (or after a fatal error).
    pub fn next_raw(&mut self) -> Option<Result<RawRecord, MrtError>> {
        if self.done {
            return None;
        }
        let r = self.read_raw();
        match &r {
            Ok(None) | Err(_) => self.done = true,
            Ok(Some(_)) => {}
        }
        r.transpose()
    }

    fn read_raw(&mut self) -> Result<Option<RawRecord>, MrtError> {
        let offset = self.offset;
        let io = |source| MrtError::Io { offset, source };
        let mut hdr = [0u8; HEADER_LEN];
        let got = read_full(&mut self.inner, &mut hdr).map_err(io)?;
        if got == 0 {
            return Ok(None);
        }
        if got < HEADER_LEN {
            return Err(MrtError::Truncated {
                offset,
                expected: HEADER_LEN as u64,
                got: got as u64,
            });
        }
        let secs = u32::from_be_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]);
        let mrt_type = u16::from_be_bytes([hdr[4], hdr[5]]);
        let subtype = u16::from_be_bytes([hdr[6], hdr[7]]);
        let length = u32::from_be_bytes([hdr[8], hdr[9], hdr[10], hdr[11]]);
        if length > self.max_record_len {
            return Err(MrtError::TooLong {
                offset,
                length: length.into(),
                limit: self.max_record_len.into(),
            });
        }
        // Grow with the data rather than trusting the length field up front.
        let mut body = Vec::with_capacity((length as usize).min(64 * 1024));
        let n = (&mut self.inner)
            .take(length.into())
            .read_to_end(&mut body)
            .map_err(io)?;
        if n < length as usize {
            return Err(MrtError::Truncated {
                offset,
                expected: HEADER_LEN as u64 + u64::from(length),
                got: (HEADER_LEN + n) as u64,
            });
        }
        self.offset += HEADER_LEN as u64 + u64::from(length);
        let mut body = Bytes::from(body);
        let mut timestamp = Timestamp { secs, micros: None };
        let mut body_len = length;
        if types::is_extended_timestamp(mrt_type) {
            if body.len() < 4 {
                // Framing is intact: decoding reports the missing field and
                // reading goes on with the next record.
                return Ok(Some(RawRecord {
                    offset,
                    header: Header {
                        timestamp,
                        mrt_type,
                        subtype,
                        length,
                    },
                    body,
                }));
            }
            timestamp.micros = Some(u32::from_be_bytes([body[0], body[1], body[2], body[3]]));
            body = body.slice(4..);
            body_len -= 4;
        }
        Ok(Some(RawRecord {
            offset,
            header: Header {
                timestamp,
                mrt_type,
                subtype,
                length: body_len,
            },
            body,
        }))
    }
}

impl<R: Read> Iterator for MrtReader<R> {
    type Item = Result<Record, MrtError>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(self.next_raw()?.and_then(RawRecord::decode))
    }
}

/// Reads until `buf` is full or the stream ends; returns the octets read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Compression of an MRT file, told by its first octets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Plain MRT.
    None,
    /// gzip (RFC 1952), possibly several members as RIS writes them.
    Gzip,
    /// bzip2, possibly several streams.
    Bzip2,
}

impl Compression {
    /// Guesses from the first octets of a file.
    pub fn detect(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(b"BZh") {
            Compression::Bzip2
        } else {
            Compression::None
        }
    }
}

/// Wraps a reader so that it yields the decompressed stream, choosing the
/// decompressor by magic number.
pub fn decompress<R: Read + Send + 'static>(inner: R) -> io::Result<Box<dyn Read + Send>> {
    let mut buf = BufReader::with_capacity(128 * 1024, inner);
    let head = buf.fill_buf()?;
    Ok(match Compression::detect(head) {
        Compression::Gzip => Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(buf))),
        Compression::Bzip2 => Box::new(BufReader::new(bzip2::read::MultiBzDecoder::new(buf))),
        Compression::None => Box::new(buf),
    })
}

/// Opens an MRT file, plain, gzip or bzip2.
pub fn open_path(path: impl AsRef<Path>) -> io::Result<MrtReader<Box<dyn Read + Send>>> {
    let file = File::open(path)?;
    Ok(MrtReader::new(decompress(file)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RecordBody;

    fn record(secs: u32, t: u16, st: u16, body: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&secs.to_be_bytes());
        v.extend_from_slice(&t.to_be_bytes());
        v.extend_from_slice(&st.to_be_bytes());
        v.extend_from_slice(&(body.len() as u32).to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    /// A BGP4MP_MESSAGE_AS4 body: AS 64500 -> 12654, IPv4, KEEPALIVE.
    fn keepalive_body() -> Vec<u8> {
        let mut b = vec![
            0, 0, 0xfb, 0xf4, 0, 0, 0x31, 0x6e, 0, 0, 0, 1, 192, 0, 2, 1, 192, 0, 2, 2,
        ];
        b.extend_from_slice(&[0xff; 16]);
        b.extend_from_slice(&[0, 19, 4]);
        b
    }

    #[test]
    fn reads_messages_et_and_raw_records_with_offsets() {
        let mut s = record(100, types::BGP4MP, 4, &keepalive_body());
        let first_len = s.len() as u64;
        let mut et = 123_456u32.to_be_bytes().to_vec();
        et.extend_from_slice(&keepalive_body());
        s.extend(record(101, types::BGP4MP_ET, 4, &et));
        s.extend(record(102, 99, 7, b"whatever"));
        let items: Vec<_> = MrtReader::new(&s[..]).collect();
        assert_eq!(items.len(), 3);
        let r0 = items[0].as_ref().unwrap();
        assert_eq!(r0.offset, 0);
        let RecordBody::Bgp4mpMessage(m) = &r0.body else {
            panic!("{r0:?}")
        };
        assert_eq!((m.peer_as, m.local_as), (Asn(64500), Asn(12654)));
        assert_eq!(m.peer_ip, "192.0.2.1".parse::<std::net::IpAddr>().unwrap());
        assert!(m.four_octet_as && !m.add_path && !m.local);
        assert_eq!(m.message_type(), Some(4));
        let r1 = items[1].as_ref().unwrap();
        assert_eq!(r1.offset, first_len);
        assert_eq!(
            r1.header.timestamp,
            Timestamp {
                secs: 101,
                micros: Some(123_456)
            }
        );
        assert_eq!(r1.header.length as usize, keepalive_body().len());
        let RecordBody::Bgp4mpMessage(m1) = &r1.body else {
            panic!()
        };
        assert_eq!(m1.timestamp.micros, Some(123_456));
        let r2 = items[2].as_ref().unwrap();
        assert_eq!(r2.body, RecordBody::Raw(Bytes::from_static(b"whatever")));
    }

    use condor_wire::Asn;

    #[test]
    fn truncated_header_and_body_are_errors_that_end_iteration() {
        let full = record(1, types::BGP4MP, 4, &keepalive_body());
        // Cut inside the second record's header.
        let mut s = full.clone();
        s.extend_from_slice(&full[..7]);
        let items: Vec<_> = MrtReader::new(&s[..]).collect();
        assert_eq!(items.len(), 2);
        match &items[1] {
            Err(MrtError::Truncated {
                offset,
                expected: 12,
                got: 7,
            }) => assert_eq!(*offset, full.len() as u64),
            other => panic!("{other:?}"),
        }
        // Cut inside the body.
        let items: Vec<_> = MrtReader::new(&full[..full.len() - 5]).collect();
        assert_eq!(items.len(), 1);
        assert!(items[0]
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("truncated record at offset 0"));
        assert!(items[0].as_ref().unwrap_err().is_fatal());
    }

    #[test]
    fn absurd_length_is_refused_without_allocating_it() {
        let mut s = vec![0, 0, 0, 1, 0, 16, 0, 4, 0xff, 0xff, 0xff, 0xf0];
        s.extend_from_slice(&[0; 100]);
        let items: Vec<_> = MrtReader::new(&s[..]).collect();
        assert_eq!(items.len(), 1);
        assert!(matches!(items[0], Err(MrtError::TooLong { offset: 0, .. })));
        // Below the limit but beyond the data: truncated, after reading only what is there.
        let mut s = vec![0, 0, 0, 1, 0, 16, 0, 4, 0x00, 0xf0, 0, 0];
        s.extend_from_slice(&[0; 100]);
        let items: Vec<_> = MrtReader::new(&s[..]).collect();
        assert!(
            matches!(items[0], Err(MrtError::Truncated { expected, got: 112, .. }) if expected == 12 + 0xf0_0000)
        );
        let items: Vec<_> = MrtReader::new(&s[..]).with_max_record_len(1000).collect();
        assert!(matches!(
            items[0],
            Err(MrtError::TooLong { limit: 1000, .. })
        ));
    }

    #[test]
    fn malformed_body_is_reported_and_reading_goes_on() {
        let mut bad = keepalive_body();
        bad[10..12].copy_from_slice(&[0, 7]); // AFI 7
        let mut s = record(1, types::BGP4MP, 4, &bad);
        s.extend(record(2, types::BGP4MP_ET, 4, &[0, 1])); // no room for microseconds
        s.extend(record(
            3,
            types::TABLE_DUMP_V2,
            2,
            &[0, 0, 0, 1, 33, 1, 2, 3, 4, 5],
        )); // /33
        s.extend(record(4, types::BGP4MP, 4, &keepalive_body()));
        let items: Vec<_> = MrtReader::new(&s[..]).collect();
        assert_eq!(items.len(), 4);
        for (i, want) in [
            (0, "unknown address family 7"),
            (1, "microsecond"),
            (2, "exceeds 32"),
        ] {
            let e = items[i].as_ref().unwrap_err();
            assert!(!e.is_fatal());
            assert!(e.to_string().contains(want), "{e}");
        }
        assert!(items[3].is_ok());
    }

    #[test]
    fn leftover_octets_are_malformed() {
        let mut b = Vec::new();
        b.extend_from_slice(&[
            0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 192, 0, 2, 1, 192, 0, 2, 2, 0, 1, 0, 6,
        ]);
        b.push(0xaa);
        let s = record(1, types::BGP4MP, 5, &b);
        let items: Vec<_> = MrtReader::new(&s[..]).collect();
        assert!(items[0]
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("1 octets left over"));
    }

    #[test]
    fn compression_is_detected() {
        assert_eq!(Compression::detect(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(Compression::detect(b"BZh91AY"), Compression::Bzip2);
        assert_eq!(Compression::detect(&[0, 0, 0, 1]), Compression::None);
        assert_eq!(Compression::detect(&[]), Compression::None);
    }

    #[test]
    fn decompress_reads_gzip_and_bzip2() {
        use std::io::Write;
        let plain = record(7, types::BGP4MP, 4, &keepalive_body());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&plain).unwrap();
        let gz = gz.finish().unwrap();
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        bz.write_all(&plain).unwrap();
        let bz = bz.finish().unwrap();
        for data in [plain.clone(), gz, bz] {
            let r = MrtReader::new(decompress(std::io::Cursor::new(data)).unwrap());
            let items: Vec<_> = r.collect();
            assert_eq!(items.len(), 1);
            assert_eq!(items[0].as_ref().unwrap().header.timestamp.secs, 7);
        }
    }

    proptest::proptest! {
        /// Arbitrary octets never panic, and every item is a record or an
        /// error; a fatal error is the last item.
        #[test]
        fn hostile_input_never_panics(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
            let items: Vec<_> = MrtReader::new(&data[..]).collect();
            if let Some(pos) = items.iter().position(|r| r.as_ref().is_err_and(MrtError::is_fatal)) {
                proptest::prop_assert_eq!(pos, items.len() - 1);
            }
            proptest::prop_assert!(items.len() <= data.len() / HEADER_LEN + 1);
        }

        /// A valid stream cut anywhere reads every whole record, then reports
        /// the cut record as truncated at its offset.
        #[test]
        fn any_cut_is_reported_at_the_cut_record(cut in 0usize..200) {
            let mut s = record(1, types::BGP4MP, 4, &keepalive_body());
            s.extend(record(2, types::TABLE_DUMP_V2, 2, &[0, 0, 0, 1, 24, 192, 0, 2, 0, 1, 0, 0, 0, 0, 0, 9, 0, 0]));
            s.extend(record(3, types::BGP4MP, 4, &keepalive_body()));
            let cut = cut.min(s.len());
            let starts = [0usize, 51, 81, s.len()];
            let items: Vec<_> = MrtReader::new(&s[..cut]).collect();
            let whole = starts.iter().filter(|&&b| b > 0 && b <= cut).count();
            for item in &items[..whole] {
                proptest::prop_assert!(item.is_ok());
            }
            if starts.contains(&cut) {
                proptest::prop_assert_eq!(items.len(), whole);
            } else {
                proptest::prop_assert_eq!(items.len(), whole + 1);
                let at = starts[whole] as u64;
                let is_truncated = matches!(&items[whole], Err(MrtError::Truncated { offset, .. }) if *offset == at);
                proptest::prop_assert!(is_truncated, "{:?}", items[whole]);
            }
        }
    }
}
