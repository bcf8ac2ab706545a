//! Guessing how a CSV file is laid out: text encoding, delimiter, and which column holds the
//! date, the sales value, the series ids and the exogenous drivers. Every guess can be
//! overridden through [`super::IngestOptions`].

use super::dates::{DateFormat, candidate_formats};
use super::validate::{Issue, IssueKind, Report};
use std::borrow::Cow;

pub use super::numbers::{
    NotANumber, ambiguous_number, comma_grouped, parse_number, settles_decimal_comma, thousands_grouped,
};

/// Delimiters we look for, in order of preference on a tie.
pub const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// Column names that usually hold the date.
const DATE_NAMES: [&str; 12] = [
    "date",
    "ds",
    "day",
    "week",
    "month",
    "quarter",
    "period",
    "time",
    "timestamp",
    "datetime",
    "order_date",
    "week_start",
];
/// Column names that usually hold the quantity to forecast.
const VALUE_NAMES: [&str; 18] = [
    "sales",
    "value",
    "y",
    "units",
    "unit_sales",
    "units_sold",
    "quantity",
    "qty",
    "amount",
    "revenue",
    "demand",
    "count",
    "target",
    "volume",
    "sold",
    "orders",
    "rentals",
    "trips",
];
/// Words that make a compound name a quantity to forecast when they end it (`total_sales`,
/// `Weekly_Sales`, `SalesQty`, `sales_amount`) or begin it (`sales_eur`) without an id or a
/// price word in it (`sales_id`, `sales_price`).
const VALUE_WORDS: [&str; 14] = [
    "sales", "units", "unit", "quantity", "qty", "amount", "revenue", "demand", "volume", "sold", "orders", "rentals",
    "trips", "turnover",
];
/// Words that make a name a price or a rate, not a quantity (`sales_price`, `units_share`).
const NOT_VALUE_WORDS: [&str; 9] = [
    "price", "cost", "discount", "rate", "pct", "percent", "share", "margin", "promo",
];
/// Name fragments of id columns (matched on the lower-cased name).
const ID_FRAGMENTS: [&str; 30] = [
    "id",
    "store",
    "product",
    "sku",
    "isbn",
    "item",
    "series",
    "key",
    "code",
    "category",
    "region",
    "shop",
    "station",
    "title",
    "dept",
    "department",
    "warehouse",
    "location",
    "branch",
    "outlet",
    "customer",
    "client",
    "channel",
    "brand",
    "family",
    "city",
    "country",
    "zone",
    "site",
    "supplier",
];

/// The words of a column name, lower-cased: split at anything not a letter or digit and where
/// a capital follows a lower-case letter (`Weekly_Sales`, `SalesQty` → weekly, sales; sales, qty).
fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in name.trim().chars() {
        if !c.is_alphanumeric() {
            words.extend((!word.is_empty()).then(|| std::mem::take(&mut word)));
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            words.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        word.extend(c.to_lowercase());
    }
    words.extend((!word.is_empty()).then_some(word));
    words
}

/// True for the cells of a yes/no flag (`TRUE`/`FALSE`, `yes`/`no`): a column of them tells
/// something about the row (a holiday week), never which series it belongs to.
fn is_flag(cell: &str) -> bool {
    matches!(
        cell.trim().to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "y" | "n" | "t" | "f"
    )
}

/// Decode file bytes: strip a UTF-8 BOM; a file that is not UTF-8 is read as Windows-1252
/// (what spreadsheet exports on Windows usually are; Latin-1 plus € and typographic quotes in
/// 0x80–0x9F) with a warning naming the first bad row.
pub fn decode<'a>(bytes: &'a [u8], report: &mut Report) -> Cow<'a, str> {
    if let Some(text) = decode_utf16(bytes) {
        return Cow::Owned(text);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(e) => {
            let at = e.valid_up_to();
            let row = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            report.push(
                Issue::warning(
                    IssueKind::Encoding,
                    format!(
                        "the file is not UTF-8 (first invalid byte 0x{:02X} at byte {at}); \
                         it was read as Windows-1252 (Latin-1) — check accented names",
                        bytes[at]
                    ),
                )
                .at_row(row),
            );
            Cow::Owned(bytes.iter().map(|&b| windows_1252(b)).collect())
        }
    }
}

/// The text of a UTF-16 file (Excel's "Unicode text" export), little- or big-endian: told by
/// its byte-order mark, or without one by the zero high bytes of ASCII text in its first
/// characters. `None` for anything else.
fn decode_utf16(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(64) & !1];
    let zeros_at = |parity: usize| {
        head.len() >= 4
            && head.iter().skip(parity).step_by(2).all(|&b| b == 0)
            && head.iter().skip(1 - parity).step_by(2).any(|&b| b != 0)
    };
    let (little, skip) = match bytes {
        [0xFF, 0xFE, ..] => (true, 2),
        [0xFE, 0xFF, ..] => (false, 2),
        _ if zeros_at(1) => (true, 0),
        _ if zeros_at(0) => (false, 0),
        _ => return None,
    };
    let units = bytes[skip..].chunks_exact(2).map(|p| {
        let pair = [p[0], p[1]];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    Some(
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
}

/// One Windows-1252 byte as a char (WHATWG encoding table); the five unassigned bytes keep
/// their Latin-1 (C1 control) reading.
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// Count `delim` outside double quotes in one line.
fn count_outside_quotes(line: &str, delim: u8) -> usize {
    let mut in_quotes = false;
    let mut n = 0;
    for &b in line.as_bytes() {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if b == delim && !in_quotes {
            n += 1;
        }
    }
    n
}

/// Pick the delimiter whose count per line is the same on (nearly) every one of the first
/// lines and highest. `None` when no candidate appears in the header.
pub fn sniff_delimiter(text: &str) -> Option<u8> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(50).collect();
    let header = lines.first()?;
    let mut best: Option<(u8, usize, usize)> = None; // (delim, consistent lines, fields)
    for d in DELIMITERS {
        let n = count_outside_quotes(header, d);
        if n == 0 {
            continue;
        }
        let consistent = lines.iter().filter(|l| count_outside_quotes(l, d) == n).count();
        let better = match best {
            None => true,
            Some((_, c, f)) => (consistent, n) > (c, f),
        };
        if better {
            best = Some((d, consistent, n));
        }
    }
    best.map(|(d, _, _)| d)
}

pub fn delimiter_name(d: u8) -> String {
    match d {
        b'\t' => "tab".to_string(),
        b',' => "comma".to_string(),
        b';' => "semicolon".to_string(),
        other => format!("'{}'", other as char),
    }
}

/// What the first rows of a column look like.
#[derive(Debug, Clone, Default)]
pub struct ColumnProfile {
    pub name: String,
    pub non_empty: usize,
    pub dates: usize,
    pub numbers: usize,
    pub formats: Vec<DateFormat>,
    /// How many cells each of [`DateFormat::ALL`] parses.
    pub format_hits: [usize; 3],
    pub first_cell: String,
}

impl ColumnProfile {
    pub fn dates_in(&self, f: DateFormat) -> usize {
        DateFormat::ALL
            .iter()
            .position(|g| *g == f)
            .map_or(0, |i| self.format_hits[i])
    }
    pub fn is_date(&self) -> bool {
        self.non_empty > 0 && self.dates * 10 >= self.non_empty * 9
    }
    pub fn is_numeric(&self) -> bool {
        self.non_empty > 0 && self.numbers * 10 >= self.non_empty * 9 && !self.is_date()
    }
    fn lower(&self) -> String {
        self.name.trim().to_ascii_lowercase()
    }
    pub fn named_like_date(&self) -> bool {
        let n = self.lower();
        DATE_NAMES.contains(&n.as_str()) || n.ends_with("_date") || n.starts_with("date")
    }
    /// Exactly a quantity's name (`sales`, `qty`), or a compound one (`total_sales`,
    /// `Weekly_Sales`, `SalesQty`): a quantity word last, or first with no id or price word.
    pub fn named_like_value(&self) -> bool {
        if VALUE_NAMES.contains(&self.lower().as_str()) {
            return true;
        }
        let words = name_words(&self.name);
        let (Some(first), Some(last)) = (words.first(), words.last()) else {
            return false;
        };
        let quantity = |w: &String| VALUE_WORDS.contains(&w.as_str());
        let other = |w: &String| NOT_VALUE_WORDS.contains(&w.as_str()) || ID_FRAGMENTS.contains(&w.as_str());
        (quantity(last) && !words.iter().any(|w| NOT_VALUE_WORDS.contains(&w.as_str())))
            || (quantity(first) && !words.iter().any(other))
    }
    pub fn named_like_id(&self) -> bool {
        let n = self.lower();
        name_words(&self.name)
            .iter()
            .any(|part| ID_FRAGMENTS.contains(&part.as_str()))
            || ID_FRAGMENTS.iter().any(|f| n == *f)
    }
}

/// Profile each column on the given sample rows.
pub fn profile_columns(header: &[String], rows: &[Vec<String>], decimal_comma: bool) -> Vec<ColumnProfile> {
    header
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let cells: Vec<&str> = rows
                .iter()
                .filter_map(|r| r.get(j).map(|s| s.trim()))
                .filter(|s| !s.is_empty())
                .collect();
            let dates = cells
                .iter()
                .filter(|c| DateFormat::ALL.iter().any(|f| f.parse(c).is_some()))
                .count();
            let numbers = cells
                .iter()
                .filter(|c| matches!(parse_number(c, decimal_comma), Ok(Some(_))))
                .count();
            let formats = candidate_formats(cells.iter().copied());
            let format_hits = DateFormat::ALL.map(|f| cells.iter().filter(|c| f.parse(c).is_some()).count());
            let first_cell = cells.first().map(|c| c.to_string()).unwrap_or_default();
            ColumnProfile {
                name: name.clone(),
                non_empty: cells.len(),
                dates,
                numbers,
                formats,
                format_hits,
                first_cell,
            }
        })
        .collect()
}

/// Guess the date column: one named like a date whose cells parse as dates, else the first
/// column whose cells parse as dates.
pub fn guess_date_column(profiles: &[ColumnProfile]) -> Option<usize> {
    profiles
        .iter()
        .position(|p| p.named_like_date() && p.is_date())
        .or_else(|| profiles.iter().position(ColumnProfile::is_date))
        .or_else(|| profiles.iter().position(ColumnProfile::named_like_date))
}

/// Guess the value column among numeric columns that are not the date or an id: one named
/// exactly like a quantity, else one with a quantity's word in its name, else the first numeric.
pub fn guess_value_column(profiles: &[ColumnProfile], date: usize, ids: &[usize]) -> Option<usize> {
    let usable = |j: &usize| *j != date && !ids.contains(j);
    (0..profiles.len())
        .filter(usable)
        .find(|&j| VALUE_NAMES.contains(&profiles[j].lower().as_str()))
        .or_else(|| {
            (0..profiles.len())
                .filter(usable)
                .find(|&j| profiles[j].named_like_value())
        })
        .or_else(|| (0..profiles.len()).filter(usable).find(|&j| profiles[j].is_numeric()))
}

/// Guess id columns: text columns, and numeric columns named like ids (`store_id`, `ISBN`).
///
/// A text column that only describes the date (a weekday, a month or holiday name) is not an
/// id: in the sample it takes several values yet a single one per date, where a true id
/// either repeats one value (the sample shows one series) or varies among the rows of a date.
pub fn guess_id_columns(profiles: &[ColumnProfile], date: usize, sample: &[Vec<String>]) -> Vec<usize> {
    (0..profiles.len())
        .filter(|&j| j != date)
        .filter(|&j| {
            let p = &profiles[j];
            let flags = p.non_empty > 0
                && sample
                    .iter()
                    .filter_map(|r| r.get(j))
                    .all(|c| c.trim().is_empty() || is_flag(c));
            // A text column with blank cells (a promotion name on some rows) names no series;
            // a column named like an id with a blank cell is one, and the blank row is refused.
            let filled = p.non_empty > 0 && p.non_empty == sample.len();
            !p.named_like_value()
                && !flags
                && (p.named_like_id() || (!p.is_numeric() && filled && !describes_the_date(sample, date, j)))
        })
        .collect()
}

/// True when column `j` takes several values in the sample but one per date of column `date`.
fn describes_the_date(sample: &[Vec<String>], date: usize, j: usize) -> bool {
    let mut by_date: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    let mut first: Option<&str> = None;
    let mut several = false;
    for row in sample {
        let (Some(d), Some(v)) = (row.get(date), row.get(j)) else {
            continue;
        };
        let (d, v) = (d.trim(), v.trim());
        several |= first.is_some_and(|f| f != v);
        first.get_or_insert(v);
        if by_date.insert(d, v).is_some_and(|before| before != v) {
            return false;
        }
    }
    several
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_delimiters() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), Some(b','));
        assert_eq!(sniff_delimiter("a;b;c\n1,5;2;3\n"), Some(b';'));
        assert_eq!(sniff_delimiter("a\tb\n1\t2\n"), Some(b'\t'));
        assert_eq!(sniff_delimiter("\"x,y\";b\n\"1,2\";3\n"), Some(b';'));
        assert_eq!(sniff_delimiter("just one column\n1\n"), None);
    }

    #[test]
    fn decodes_bom_and_latin1() {
        let mut r = Report::new("f");
        assert_eq!(decode(b"\xEF\xBB\xBFdate", &mut r), "date");
        assert!(r.issues.is_empty());
        assert_eq!(decode(b"a\nb\xE9", &mut r), "a\nb\u{e9}");
        assert_eq!(r.issues[0].row, Some(2));
    }

    #[test]
    fn a_weekday_column_is_not_an_id() {
        let header = ["date", "store", "weekday", "sales"].map(String::from);
        let rows = [
            ["2024-01-01", "A", "Mon", "1"],
            ["2024-01-01", "B", "Mon", "2"],
            ["2024-01-02", "A", "Tue", "3"],
            ["2024-01-02", "B", "Tue", "4"],
        ];
        let sample: Vec<Vec<String>> = rows.iter().map(|r| r.map(String::from).to_vec()).collect();
        let profiles = profile_columns(&header, &sample, false);
        assert_eq!(guess_id_columns(&profiles, 0, &sample), vec![1]);
        // A sample of one store only: the store column repeats one value and stays an id.
        let one: Vec<Vec<String>> = sample.iter().filter(|r| r[1] == "A").cloned().collect();
        let profiles = profile_columns(&header, &one, false);
        assert_eq!(guess_id_columns(&profiles, 0, &one), vec![1]);
    }

    #[test]
    fn compound_names_of_quantities_and_ids_are_told_apart() {
        let named = |n: &str| ColumnProfile {
            name: n.into(),
            ..Default::default()
        };
        for n in [
            "sales",
            "total_sales",
            "Weekly_Sales",
            "SalesQty",
            "sales_amount",
            "daily_sales",
            "units_sold",
            "Demand",
        ] {
            assert!(named(n).named_like_value(), "{n}");
        }
        for n in [
            "price",
            "sales_price",
            "sales_id",
            "unit_price",
            "discount",
            "Dept",
            "store_id",
            "IsHoliday",
        ] {
            assert!(!named(n).named_like_value(), "{n}");
        }
        for n in ["Dept", "Store", "warehouse", "branch", "StoreID", "location_code"] {
            assert!(named(n).named_like_id(), "{n}");
        }
        assert_eq!(name_words("SalesQty"), ["sales", "qty"]);
        assert_eq!(name_words("Weekly_Sales"), ["weekly", "sales"]);
        assert_eq!(name_words("StoreID"), ["store", "id"]);
    }

    /// Walmart's public weekly sales: `Store,Dept,Date,Weekly_Sales,IsHoliday`. The numeric
    /// store and department are ids, `Weekly_Sales` the value (not the department number), and
    /// the holiday flag is not an id (it would split a series at every holiday week).
    #[test]
    fn a_walmart_file_is_read_by_store_and_department() {
        let header = ["Store", "Dept", "Date", "Weekly_Sales", "IsHoliday"].map(String::from);
        let rows = [
            ["1", "1", "2010-02-05", "24924.5", "FALSE"],
            ["1", "2", "2010-02-05", "50605.27", "FALSE"],
            ["1", "1", "2010-02-12", "46039.49", "TRUE"],
            ["1", "2", "2010-02-12", "44682.74", "TRUE"],
        ];
        let sample: Vec<Vec<String>> = rows.iter().map(|r| r.map(String::from).to_vec()).collect();
        let profiles = profile_columns(&header, &sample, false);
        let date = guess_date_column(&profiles).unwrap();
        let ids = guess_id_columns(&profiles, date, &sample);
        assert_eq!((date, ids.clone()), (2, vec![0, 1]));
        assert_eq!(guess_value_column(&profiles, date, &ids), Some(3));
        // A price column before the sales: the sales are forecast, not the price.
        let header = ["store_id", "date", "price", "total_sales"].map(String::from);
        let rows = [["S1", "2024-01-01", "4.99", "120"], ["S1", "2024-01-02", "4.99", "130"]];
        let sample: Vec<Vec<String>> = rows.iter().map(|r| r.map(String::from).to_vec()).collect();
        let profiles = profile_columns(&header, &sample, false);
        assert_eq!(guess_value_column(&profiles, 1, &[0]), Some(3));
    }

    #[test]
    fn non_utf8_is_read_as_windows_1252() {
        let mut report = Report::new("t.csv");
        let text = decode(b"name,price\nCaf\xe9 \x80,1\n", &mut report);
        assert_eq!(text, "name,price\nCafé €,1\n");
        assert_eq!(report.issues[0].row, Some(2));
    }
}
