//! # condor-mrt
//!
//! Reading and writing MRT files (RFC 6396), the format route collectors
//! (RIPE RIS, RouteViews) and BGP daemons use to dump BGP messages and RIBs:
//! BGP4MP and BGP4MP_ET messages and state changes (§4.4, with the ADD-PATH
//! subtypes of RFC 8050), TABLE_DUMP (§4.2) and TABLE_DUMP_V2 (§4.3, RFC 8050
//! §4). BGP messages and attribute blocks are kept as raw bytes for
//! `condor-wire` to decode. Records of other types are returned raw; the
//! reader never panics on hostile input and bounds every allocation by the
//! record's length.

mod bgp4mp;
mod cursor;
mod error;
mod reader;
mod record;
pub mod summary;
mod table_dump;
mod table_dump_v2;
mod writer;

pub use error::MrtError;
pub use reader::{decompress, open_path, Compression, MrtReader, DEFAULT_MAX_RECORD_LEN};
pub use record::{
    bgp4mp_subtypes, table_dump_v2_subtypes, type_name, types, Bgp4mpMessage, Header, Peer,
    PeerIndexTable, RawRecord, Record, RecordBody, RibEntry, RibRecord, StateChange,
    TableDumpEntry, Timestamp, HEADER_LEN,
};
pub use summary::Summary;
pub use writer::MrtWriter;
