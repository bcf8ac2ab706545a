//! The rows of a file as a spreadsheet shows them, for a data preview that jumps to the row a
//! validation issue names: where every record starts (byte and row number), each record read
//! only when it is shown, so a million-row file costs a few megabytes of positions.

use super::validate::Report;
use std::sync::Arc;

/// Where each record of a delimited text starts, with its row number (the header is row 1;
/// a record is numbered by the line it starts on, as in the validation report).
#[derive(Debug, Clone, PartialEq)]
pub struct RowIndex {
    text: Arc<str>,
    delimiter: u8,
    header: Vec<String>,
    /// (byte offset, row number) of every data record.
    starts: Vec<(usize, usize)>,
}

/// Line numbers of byte offsets, counted as an editor counts them: `\r\n`, `\n` and a lone `\r`
/// (old Mac files) each end a line. Offsets are asked for in increasing order.
pub(crate) struct LineCounter {
    at: usize,
    line: usize,
}

impl LineCounter {
    pub(crate) fn new() -> Self {
        LineCounter { at: 0, line: 1 }
    }

    /// A counter that has counted `text[..at]`, which ends on line `line`.
    pub(crate) fn at(at: usize, line: usize) -> Self {
        LineCounter { at, line }
    }

    /// Where a record really starts (byte offset, line number): csv reports the position
    /// before the blank lines it skipped, and counts no lone `\r`, so both are handled here.
    pub(crate) fn record_start(&mut self, text: &[u8], pos: &csv::Position) -> (usize, usize) {
        self.record_start_at(text, pos.byte() as usize)
    }

    /// [`LineCounter::record_start`] of a record the reader placed at byte `byte` of `text`.
    pub(crate) fn record_start_at(&mut self, text: &[u8], byte: usize) -> (usize, usize) {
        let mut byte = byte.min(text.len());
        while byte < text.len() && (text[byte] == b'\n' || text[byte] == b'\r') {
            byte += 1;
        }
        (byte, self.line_at(text, byte))
    }

    /// The line `text[byte]` is on (counting forward from where this counter is).
    pub(crate) fn line_at(&mut self, text: &[u8], byte: usize) -> usize {
        let byte = byte.min(text.len());
        if self.at < byte {
            for i in memchr::memchr2_iter(b'\n', b'\r', &text[self.at..byte]) {
                let i = self.at + i;
                if text[i] == b'\n' || text.get(i + 1) != Some(&b'\n') {
                    self.line += 1;
                }
            }
            self.at = byte;
        }
        self.line
    }
}

impl RowIndex {
    /// Index `bytes` (decoded as ingestion decodes them) split by `delimiter`.
    pub fn build(bytes: &[u8], delimiter: u8) -> RowIndex {
        let text: Arc<str> = Arc::from(super::sniff::decode(bytes, &mut Report::new("")).as_ref());
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut header = Vec::new();
        let mut starts = Vec::new();
        let mut record = csv::ByteRecord::new();
        let mut lines = LineCounter::new();
        loop {
            let pos = reader.position().clone();
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                // A broken quote ends what can be shown; the report says why.
                Ok(false) | Err(_) => break,
            }
            let (start, row) = lines.record_start(text.as_bytes(), record.position().unwrap_or(&pos));
            if header.is_empty() && starts.is_empty() {
                header = record.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect();
            } else {
                starts.push((start, row));
            }
        }
        RowIndex {
            text,
            delimiter,
            header,
            starts,
        }
    }

    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Number of data records.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The row number of record `i` (0-based), as a spreadsheet shows it.
    pub fn row_number(&self, i: usize) -> Option<usize> {
        self.starts.get(i).map(|s| s.1)
    }

    /// The cells of record `i` (0-based).
    pub fn record(&self, i: usize) -> Vec<String> {
        let Some(&(start, _)) = self.starts.get(i) else {
            return Vec::new();
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(&self.text.as_bytes()[start..]);
        let mut record = csv::ByteRecord::new();
        match reader.read_byte_record(&mut record) {
            Ok(true) => record.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect(),
            _ => Vec::new(),
        }
    }

    /// The record holding line `row` (a record spanning several lines holds them all; past the
    /// end, the last record); `None` for the header.
    pub fn index_of_row(&self, row: usize) -> Option<usize> {
        let k = self.starts.partition_point(|s| s.1 <= row);
        k.checked_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_numbered_as_in_a_spreadsheet() {
        let csv = "date,sales,note\n2024-01-01,1,a\n\n2024-01-02,2,\"two\nlines\"\n2024-01-03,3,c\n";
        let ix = RowIndex::build(csv.as_bytes(), b',');
        assert_eq!(ix.header(), ["date", "sales", "note"]);
        assert_eq!(ix.len(), 3);
        // The blank line 3 is skipped; the quoted line break makes the next record start on 6.
        assert_eq!((0..3).map(|i| ix.row_number(i).unwrap()).collect::<Vec<_>>(), [2, 4, 6]);
        assert_eq!(ix.record(1), ["2024-01-02", "2", "two\nlines"]);
        assert_eq!(ix.record(2), ["2024-01-03", "3", "c"]);
        assert_eq!(ix.index_of_row(4), Some(1));
        assert_eq!(ix.index_of_row(5), Some(1));
        assert_eq!(ix.index_of_row(6), Some(2));
        assert_eq!(ix.index_of_row(1), None);
        assert!(ix.record(9).is_empty());
    }

    /// The row a validation issue names is the row the index finds.
    #[test]
    fn the_row_of_an_ingestion_error_is_found() {
        let mut csv = String::from("date,sales\n");
        for d in 1..=28 {
            let date = if d == 16 {
                "2024-01-XX".to_string()
            } else {
                format!("2024-01-{d:02}")
            };
            csv.push_str(&format!("{date},{d}\n"));
        }
        let ingested = crate::data::ingest_csv(csv.as_bytes(), "f.csv", &Default::default());
        let row = ingested.report.issues[0].row.unwrap();
        let ix = RowIndex::build(csv.as_bytes(), b',');
        let i = ix.index_of_row(row).unwrap();
        assert_eq!(ix.record(i)[0], "2024-01-XX");
    }

    /// CRLF, lone CR (old Mac) and LF files number their rows alike, quoted line breaks and
    /// blank lines included; ingestion names the same rows.
    #[test]
    fn every_line_ending_numbers_rows_alike() {
        let lf = "date,sales,note\n2024-01-01,1,a\n\n2024-01-02,2,\"x\ny\"\n2024-01-0X,3,c\n";
        for eol in ["\n", "\r\n", "\r"] {
            let text = lf.replace('\n', eol);
            let ix = RowIndex::build(text.as_bytes(), b',');
            let rows: Vec<usize> = (0..ix.len()).filter_map(|i| ix.row_number(i)).collect();
            assert_eq!(rows, [2, 4, 6], "{eol:?}");
            let ingested = crate::data::ingest_csv(text.as_bytes(), "f.csv", &Default::default());
            let bad = ingested
                .report
                .issues
                .iter()
                .find(|i| i.kind == crate::data::IssueKind::BadDate);
            assert_eq!(bad.and_then(|i| i.row), Some(6), "{eol:?}: {}", ingested.report);
        }
    }

    #[test]
    fn windows_1252_and_broken_quotes_do_not_panic() {
        let ix = RowIndex::build(b"name,v\nM\xfcller,1\n\"open,2\n", b',');
        assert_eq!(ix.record(0), ["Müller", "1"]);
        let _ = ix.record(1);
        assert!(RowIndex::build(b"", b',').is_empty());
    }
}
