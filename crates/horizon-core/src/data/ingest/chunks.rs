//! The row loop of a large file in parallel: the rows after the guessing sample are cut into
//! one chunk per thread at line ends, each chunk is read by its own CSV reader into its own
//! series and report, and the chunks are joined in file order — the same series, rows, row
//! numbers and issues as one reader would give (a test compares both on varied files). Only
//! for text without quotes, where every line end ends a record.

use super::rows::{Accumulator, RowContext};
use crate::data::preview::LineCounter;
use crate::data::validate::Report;
use rayon::prelude::*;

/// Files whose rows past the sample are shorter than this are read in one thread.
pub(super) const PARALLEL_FROM: usize = 1 << 20;

/// The smallest chunk worth a thread.
const MIN_CHUNK: usize = 1 << 16;

/// The chunks' series and reports in file order, the rows read and the first read error.
pub(super) type Read = (Vec<(Accumulator, Report)>, usize, Option<csv::Error>);

/// What a chunk's reader gave.
struct Chunk {
    acc: Accumulator,
    report: Report,
    rows: usize,
    error: Option<csv::Error>,
}

/// The rows from byte `start` of `text` on, read in parallel: each chunk's series and report in
/// file order (for the caller to absorb), how many rows were read and the first read error.
/// `None` when the rows are left to one reader: fewer than `from` bytes, a quote among them,
/// or one thread.
pub(super) fn read_rows(
    text: &[u8],
    start: usize,
    delimiter: u8,
    ctx: &RowContext,
    (n_exog, source): (usize, &str),
    from: usize,
) -> Option<Read> {
    let rest = text.get(start..)?;
    let threads = rayon::current_num_threads();
    if rest.len() < from || threads < 2 || memchr::memchr(b'"', rest).is_some() {
        return None;
    }
    let parts = threads.min(rest.len() / MIN_CHUNK).max(1);
    if parts < 2 {
        return None;
    }
    // Cut after a `\n` at or past each even share: a line end, hence a record's end.
    let mut cuts = vec![start];
    for i in 1..parts {
        let nominal = (start + rest.len() * i / parts).max(*cuts.last().unwrap_or(&start));
        if let Some(k) = memchr::memchr(b'\n', &text[nominal..]) {
            let cut = nominal + k + 1;
            if cut < text.len() && cut > *cuts.last().unwrap_or(&start) {
                cuts.push(cut);
            }
        }
    }
    cuts.push(text.len());
    let mut counter = LineCounter::new();
    let ranges: Vec<(usize, usize, usize)> = cuts
        .windows(2)
        .map(|w| (w[0], w[1], counter.line_at(text, w[0])))
        .collect();
    let chunks: Vec<Chunk> = ranges
        .into_par_iter()
        .map(|(from, to, line)| read_chunk(text, from, to, line, delimiter, ctx, n_exog, source))
        .collect();
    let (mut parts, mut rows) = (Vec::with_capacity(chunks.len()), 0);
    for c in chunks {
        rows += c.rows;
        parts.push((c.acc, c.report));
        if c.error.is_some() {
            // One reader stops at the first record it cannot read: so do the chunks after it.
            // (Without quotes a flexible reader of bytes meets none; the line it names would be
            // counted from the chunk's start.)
            return Some((parts, rows, c.error));
        }
    }
    Some((parts, rows, None))
}

#[allow(clippy::too_many_arguments)]
fn read_chunk(
    text: &[u8],
    from: usize,
    to: usize,
    line: usize,
    delimiter: u8,
    ctx: &RowContext,
    n_exog: usize,
    source: &str,
) -> Chunk {
    let mut chunk = Chunk {
        acc: Accumulator::new(n_exog),
        report: Report::new(source),
        rows: 0,
        error: None,
    };
    let mut lines = LineCounter::at(from, line);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(&text[from..to]);
    let mut rec = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut rec) {
            Ok(true) => {
                chunk.rows += 1;
                let at = from + rec.position().map_or(0, |p| p.byte() as usize);
                let row = lines.record_start_at(text, at).1;
                ctx.process(&rec, row, &mut chunk.acc, &mut chunk.report);
            }
            Ok(false) => break,
            Err(e) => {
                chunk.error = Some(e);
                break;
            }
        }
    }
    chunk
}
