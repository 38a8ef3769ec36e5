//! Opens the MRT stream a `condor mrt` command reads: a file (plain, gzip or
//! bzip2) or the in-memory demo stream.

use crate::cli::MrtSource;
use anyhow::Context as _;
use condor_mrt::{MrtError, MrtReader, Record};
use std::io::Cursor;

/// The records of a stream, and a name for it in messages.
pub struct Opened {
    /// The file name, or `demo`.
    pub name: String,
    /// The records, in stream order.
    pub records: Box<dyn Iterator<Item = Result<Record, MrtError>>>,
}

/// Opens the stream `source` names; fails (with the file name) when the file
/// cannot be opened.
pub fn open(source: &MrtSource) -> anyhow::Result<Opened> {
    match &source.file {
        Some(path) => {
            let reader = condor_mrt::open_path(path)
                .with_context(|| format!("cannot open MRT file {}", path.display()))?;
            Ok(Opened {
                name: path.display().to_string(),
                records: Box::new(reader),
            })
        }
        None => {
            let bytes = crate::demo::mrt_stream().context("cannot generate the demo MRT stream")?;
            let reader = MrtReader::new(Cursor::new(bytes));
            Ok(Opened {
                name: "demo".to_string(),
                records: Box::new(reader),
            })
        }
    }
}
