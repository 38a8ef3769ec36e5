//! `condor mrt summary`: prints `condor_mrt::Summary` as a table or JSON.
//!
//! A stream with malformed records still gets its summary (the errors are in
//! it) and exits 0; a stream of which not one record could be read (not MRT
//! at all, say) is a runtime error.

use crate::cli::SummaryArgs;
use crate::{mrt_source, output};
use anyhow::{bail, Context as _};
use condor_mrt::Summary;
use std::io::Write;

/// Runs the command, writing to `out`.
pub fn run(args: &SummaryArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let opened = mrt_source::open(&args.source)?;
    let summary = Summary::from_records(opened.records);
    check_readable(&summary, &opened.name)?;
    if args.json {
        let text =
            serde_json::to_string_pretty(&summary).context("cannot serialise the summary")?;
        output::line(out, &text)
    } else {
        write!(out, "{summary}").context("cannot write to standard output")
    }
}

/// Fails when records were seen but none of them could be read.
fn check_readable(summary: &Summary, name: &str) -> anyhow::Result<()> {
    if summary.records > 0 && summary.errors == summary.records {
        let first = summary
            .error_messages
            .first()
            .map(String::as_str)
            .unwrap_or("unknown error");
        bail!("{name}: no MRT record could be read: {first}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use condor_mrt::MrtError;

    #[test]
    fn a_stream_of_only_errors_is_an_error_naming_the_file() {
        let s = Summary::from_records(vec![Err(MrtError::Truncated {
            offset: 0,
            expected: 12,
            got: 5,
        })]);
        let e = check_readable(&s, "x.mrt")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.starts_with("x.mrt: no MRT record could be read: truncated"),
            "{e}"
        );
    }

    #[test]
    fn an_empty_stream_is_fine() {
        assert!(check_readable(&Summary::new(), "empty.mrt").is_ok());
    }
}
