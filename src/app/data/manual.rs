//! Manual entry: a grid of dates and sales (seven days to start with), validated live by the
//! same ingestion as files, and forecast like a file.

use horizon_core::data::{IngestOptions, Report, ingest_csv};

#[derive(Debug, Clone, PartialEq)]
pub struct ManualRow {
    pub date: String,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct ManualGrid {
    pub rows: Vec<ManualRow>,
    /// Report of the last validation of the grid.
    pub report: Report,
    /// Text pasted from a spreadsheet, waiting for "Fill the grid".
    pub pasted: String,
}

pub const MANUAL_SOURCE: &str = "manual entry";

impl Default for ManualGrid {
    fn default() -> Self {
        let today = chrono::Local::now().date_naive();
        ManualGrid::starting(today - chrono::Duration::days(7), 7)
    }
}

impl ManualGrid {
    /// `days` consecutive dates from `start`, values empty.
    pub fn starting(start: chrono::NaiveDate, days: usize) -> Self {
        let rows = (0..days)
            .map(|k| ManualRow {
                date: horizon_core::Frequency::Daily.advance(start, k as i64).to_string(),
                value: String::new(),
            })
            .collect();
        let mut g = ManualGrid {
            rows,
            report: Report::new(MANUAL_SOURCE),
            pasted: String::new(),
        };
        g.validate();
        g
    }

    /// The grid as a CSV file, as ingestion reads it.
    pub fn to_csv(&self) -> String {
        let mut s = String::from("date,sales\n");
        for r in &self.rows {
            s.push_str(&format!(
                "{},{}\n",
                r.date.trim().replace(',', " "),
                r.value.trim().replace(',', ".")
            ));
        }
        s
    }

    /// How the grid is read, for the live check and for the forecast alike: one daily series.
    pub fn options() -> IngestOptions {
        IngestOptions {
            id_columns: Some(vec![]),
            date_column: Some("date".into()),
            value_column: Some("sales".into()),
            season: Some(7),
            ..Default::default()
        }
    }

    pub fn validate(&mut self) {
        self.report = ingest_csv(self.to_csv().as_bytes(), MANUAL_SOURCE, &Self::options()).report;
    }

    /// Replace the grid with rows pasted from a spreadsheet: one per line, cells split by tabs
    /// (else semicolons, else commas); a date and a value, or a value alone, dated the day after
    /// the row before it (the grid's first date for the first). Blank lines are skipped. Returns
    /// the number of rows read; nothing changes when there are none.
    pub fn paste(&mut self, text: &str) -> usize {
        let first = self
            .rows
            .first()
            .and_then(|r| chrono::NaiveDate::parse_from_str(r.date.trim(), "%Y-%m-%d").ok());
        let mut rows: Vec<ManualRow> = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            // Tabs (what spreadsheets copy) or semicolons separate cells; a comma only when it
            // follows a date, since `13,5` and `1,234` are numbers.
            let cells: Vec<&str> = match ['\t', ';'].into_iter().find(|c| line.contains(*c)) {
                Some(c) => line.split(c).map(str::trim).collect(),
                None => match line.split_once(',') {
                    Some((d, v)) if chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").is_ok() => {
                        vec![d.trim(), v.trim()]
                    }
                    _ => vec![line],
                },
            };
            // A copied header row (`date  sales`) is not data.
            let value = cells.get(1).or(cells.first()).copied().unwrap_or("");
            if rows.is_empty() && value.replace(',', ".").parse::<f64>().is_err() {
                continue;
            }
            let (date, value) = match cells.as_slice() {
                [value] => {
                    let previous = rows
                        .last()
                        .and_then(|r| chrono::NaiveDate::parse_from_str(&r.date, "%Y-%m-%d").ok())
                        .and_then(|d| d.succ_opt())
                        .or(first);
                    (previous.map(|d| d.to_string()).unwrap_or_default(), value.to_string())
                }
                [date, value, ..] => (date.to_string(), value.to_string()),
                [] => continue,
            };
            rows.push(ManualRow { date, value });
        }
        let n = rows.len();
        if n > 0 {
            self.rows = rows;
            self.validate();
        }
        n
    }

    /// Add a row dated one day after the last.
    pub fn add_row(&mut self) {
        let next = self
            .rows
            .last()
            .and_then(|r| chrono::NaiveDate::parse_from_str(r.date.trim(), "%Y-%m-%d").ok())
            .and_then(|d| d.succ_opt())
            .map(|d| d.to_string())
            .unwrap_or_default();
        self.rows.push(ManualRow {
            date: next,
            value: String::new(),
        });
        self.validate();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> ManualGrid {
        ManualGrid::starting(chrono::NaiveDate::from_ymd_opt(2024, 3, 4).unwrap(), 7)
    }

    #[test]
    fn pasted_dates_and_values_fill_the_grid() {
        let mut g = grid();
        let n = g.paste("2024-05-01\t12\n2024-05-02\t13,5\n\n2024-05-03\t14\n");
        assert_eq!(n, 3);
        assert_eq!(
            g.rows[1],
            ManualRow {
                date: "2024-05-02".into(),
                value: "13,5".into()
            }
        );
        assert!(!g.report.has_errors(), "{:?}", g.report.lines());
        assert!(g.to_csv().contains("2024-05-02,13.5\n"));
        assert_eq!(g.paste("2024-06-01;7\n2024-06-02;8"), 2);
        assert_eq!(g.rows[0].date, "2024-06-01");
        // A header row is skipped; a comma after a date separates.
        assert_eq!(g.paste("date\tsales\n2024-07-01\t3\n"), 1);
        assert_eq!(g.paste("2024-08-01,4\n2024-08-02,5\n"), 2);
        assert_eq!(
            g.rows[1],
            ManualRow {
                date: "2024-08-02".into(),
                value: "5".into()
            }
        );
    }

    /// One column of European or US-formatted numbers: the comma is part of the number.
    #[test]
    fn a_single_column_keeps_its_decimal_commas() {
        let mut g = grid();
        assert_eq!(g.paste("13,5\n1,234\n"), 2);
        assert_eq!(
            g.rows[0],
            ManualRow {
                date: "2024-03-04".into(),
                value: "13,5".into()
            }
        );
        assert_eq!(g.rows[1].value, "1,234");
    }

    #[test]
    fn pasted_values_alone_continue_from_the_first_date() {
        let mut g = grid();
        assert_eq!(g.paste("5\n6\n7\n"), 3);
        let dates: Vec<&str> = g.rows.iter().map(|r| r.date.as_str()).collect();
        assert_eq!(dates, ["2024-03-04", "2024-03-05", "2024-03-06"]);
        assert_eq!(g.paste("  \n\n"), 0);
        assert_eq!(g.rows.len(), 3, "an empty paste changes nothing");
    }
}
