//! Standard output for commands: buffered, with write errors returned (not
//! panicking as `println!` does), and a closed pipe (`condor … | head`)
//! treated as a normal end.

use anyhow::Context as _;
use std::io::{self, BufWriter, Stdout, Write};

/// The buffered standard output commands write to.
pub type Out = BufWriter<Stdout>;

/// A buffered handle on standard output.
pub fn stdout() -> Out {
    BufWriter::new(io::stdout())
}

/// Writes `text` and a newline.
pub fn line(out: &mut impl Write, text: &str) -> anyhow::Result<()> {
    writeln!(out, "{text}").context("cannot write to standard output")
}

/// Flushes what is left.
pub fn finish(mut out: Out) -> anyhow::Result<()> {
    out.flush().context("cannot write to standard output")
}

/// True when the error is a write to a closed pipe: the reader went away,
/// which is not a failure of ours.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::BrokenPipe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_pipe_is_recognised_through_context() {
        let e = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe)).context("writing");
        assert!(is_broken_pipe(&e));
        let other = anyhow::Error::new(io::Error::from(io::ErrorKind::NotFound)).context("writing");
        assert!(!is_broken_pipe(&other));
    }

    #[test]
    fn line_appends_a_newline() {
        let mut v = Vec::new();
        line(&mut v, "condor").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v, b"condor\n");
    }
}
