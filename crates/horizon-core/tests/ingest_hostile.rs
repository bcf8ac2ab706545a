//! Files a hostile-input probe found read wrongly or without bound, each refused with the row
//! named or read right: thousands separators that split a value, extra fields, values beyond
//! any sales figure, all-missing sales, a date a century away, control characters, UTF-16, and
//! lines of millions of fields.

use horizon_core::data::{IngestOptions, Ingested, IssueKind, Severity, ingest_csv};

fn read(text: &str) -> Ingested {
    ingest_csv(text.as_bytes(), "f.csv", &IngestOptions::default())
}

fn start() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap()
}

/// 120 days of sales from 2023-01-01; `row(i, date, value)` writes line i (0-based).
fn daily(row: impl Fn(usize, String, f64) -> String) -> String {
    let mut out = String::from("date,sales\n");
    for i in 0..120 {
        let d = (start() + chrono::Days::new(i as u64)).to_string();
        out.push_str(&row(i, d, 100.0 + (i % 7) as f64 * 5.0));
        out.push('\n');
    }
    out
}

fn errors(ing: &Ingested) -> Vec<String> {
    ing.report
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| format!("row {:?}: {}", i.row, i.message))
        .collect()
}

#[test]
fn an_unquoted_thousands_separator_is_refused_with_its_row_and_a_hint() {
    let ing = read(&daily(|i, d, v| {
        if i == 5 {
            format!("{d},1,000")
        } else {
            format!("{d},{v}")
        }
    }));
    assert!(ing.panel.is_none());
    let e = errors(&ing);
    assert_eq!(e.len(), 1, "{e:?}");
    // Line i = 5 is spreadsheet row 7 (the header is row 1).
    assert!(
        e[0].starts_with("row Some(7)") && e[0].contains("'1,000'") && e[0].contains("thousands separator"),
        "{e:?}"
    );
    // Quoted, it is one field, but not a number Horizon guesses at (1,000 or 1.0?).
    let ing = read(&daily(|i, d, v| {
        if i == 5 {
            format!("{d},\"1,000\"")
        } else {
            format!("{d},{v}")
        }
    }));
    assert!(ing.panel.is_none());
    assert_eq!(errors(&ing), ["row Some(7): '1,000' is not a number"]);
}

/// A European export (`;`, decimal commas): `1.250` is 1250 with a thousands point there, 1.25
/// read with a decimal point. Either reading may be a thousand times off, so it is refused with
/// both; `1.000,5` is unambiguous and read as 1000.5.
#[test]
fn a_thousands_point_in_a_semicolon_file_is_refused_with_both_readings() {
    let semi = |text: String| read(&text.replace(',', ";"));
    let ing = semi(daily(|i, d, v| {
        if i == 5 {
            format!("{d},1.250")
        } else {
            format!("{d},{v}")
        }
    }));
    assert!(ing.panel.is_none());
    assert_eq!(
        errors(&ing),
        [
            "row Some(7): '1.250' could be 1250 (a thousands point, as in a file with decimal commas) or 1.25: \
          write it without the point, or with a decimal comma"
        ]
    );
    let text = daily(|i, d, v| {
        if i == 5 {
            format!("{d};1.000,5")
        } else {
            format!("{d};{v}")
        }
    })
    .replace("date,sales", "date;sales");
    let p = read(&text).panel.expect("read");
    assert_eq!(p.series[0].values[5], 1000.5);
}

/// The mirror case: `1,250` in a `;` file is 1.25 with a decimal comma, 1250 with a thousands
/// comma. A column whose values are 950, 1,250, 1,100, 980 was read as 950, 1.25, 1.1, 980 and
/// forecast without a word; it is refused with both readings unless another value of the
/// column (`12,5`) settles that its commas are decimal ones.
#[test]
fn a_thousands_comma_in_a_semicolon_file_is_refused_unless_the_column_settles_it() {
    let semi = |cells: &[&str]| {
        let mut text = String::from("date;sales\n");
        for (i, c) in cells.iter().cycle().take(40).enumerate() {
            text.push_str(&format!("{};{c}\n", start() + chrono::Days::new(i as u64)));
        }
        read(&text)
    };
    let ing = semi(&["950", "1,250", "1,100", "980"]);
    assert!(ing.panel.is_none());
    let e = errors(&ing);
    assert_eq!(e.len(), 20, "{e:?}");
    assert_eq!(
        e[0],
        "row Some(3): '1,250' could be 1.25 (a decimal comma, as in a file separated by ';') or 1250 (a thousands \
         comma), and no other value of the column settles which: write 1250 without the comma, or 1.25 with a point"
    );
    // A value with one decimal shows the column's commas are decimal: 1,250 is 1.25.
    let p = semi(&["0,95", "1,250", "1,1", "0,98"]).panel.expect("read");
    assert_eq!(&p.series[0].values[..4], &[0.95, 1.25, 1.1, 0.98]);
}

#[test]
fn extra_fields_are_named_and_a_split_number_is_refused() {
    // Extra fields that cannot hold a piece of a number: read, and each such row named.
    for extra in [",,", ",oops", ",x,y,z,w"] {
        let ing = read(&daily(|i, d, v| {
            if i == 3 {
                format!("{d},{v}{extra}")
            } else {
                format!("{d},{v}")
            }
        }));
        assert!(ing.panel.is_some(), "{}", ing.report);
        let warned: Vec<_> = ing
            .report
            .issues
            .iter()
            .filter(|i| i.kind == IssueKind::RaggedRow)
            .collect();
        assert_eq!(warned.len(), 1, "{extra}");
        assert_eq!(warned[0].row, Some(5));
    }
    // A decimal comma that split a value: refused.
    let ing = read(&daily(
        |i, d, _| if i == 3 { format!("{d},5,3") } else { format!("{d},5.5") },
    ));
    assert!(ing.panel.is_none());
    let e = errors(&ing);
    assert!(e[0].contains("'5,3'") && e[0].contains("5.3"), "{e:?}");
}

#[test]
fn a_line_of_millions_of_fields_is_refused_before_it_is_held() {
    // A quote inside a field is text (the CSV reader's rule): it neither hides the fields
    // after it nor turns a legitimate file's commas into one record.
    let inch = format!(
        "date,sales,name\n2023-01-01,1,TV 55\"\n{}",
        "2023-01-02,2,a\n".repeat(6000)
    );
    assert!(
        errors(&read(&inch)).iter().all(|e| !e.contains("fields")),
        "{:?}",
        errors(&read(&inch))
    );
    let sneaky = format!("date,sales\n2023-01-01,5\"\n{}\n", ",".repeat(30_000));
    assert!(
        errors(&read(&sneaky))[0].contains("more than 10000 fields"),
        "{:?}",
        errors(&read(&sneaky))
    );
    // Lines ended by a lone CR (classic Mac files) are lines, not one long record.
    let mac: String = std::iter::once("date,sales,note\r".to_string())
        .chain((0..6000).map(|i| format!("{},{},a\r", start() + chrono::Days::new(i), i % 9)))
        .collect();
    assert!(
        errors(&read(&mac)).iter().all(|e| !e.contains("fields")),
        "{:?}",
        errors(&read(&mac))
    );
    let text = format!("date,sales\n2023-01-01,1\n{}\n", ",".repeat(3_000_000));
    let ing = read(&text);
    assert!(ing.panel.is_none());
    let e = errors(&ing);
    assert!(
        e[0].starts_with("row Some(3)") && e[0].contains("more than 10000 fields"),
        "{e:?}"
    );
    // Commas inside quotes are one field's text, not fields.
    let quoted = format!(
        "date,sales,note\n2023-01-01,1,\"{}\"\n2023-01-02,2,x\n2023-01-03,3,y\n",
        ",".repeat(20_000)
    );
    assert!(
        errors(&read(&quoted)).iter().all(|e| !e.contains("fields")),
        "{:?}",
        errors(&read(&quoted))
    );
}

#[test]
fn values_beyond_any_sales_figure_are_refused() {
    let ing = read(&daily(|i, d, v| {
        if i == 60 {
            format!("{d},1e154")
        } else {
            format!("{d},{v}")
        }
    }));
    assert!(ing.panel.is_none());
    let e = errors(&ing);
    assert!(e[0].starts_with("row Some(62)") && e[0].contains("too large"), "{e:?}");
    // A large but possible figure is read.
    assert!(read(&daily(|_, d, _| format!("{d},1e12"))).panel.is_some());
}

#[test]
fn a_file_whose_sales_are_all_missing_is_not_usable() {
    let ing = read(&daily(|_, d, _| format!("{d},NaN")));
    assert!(ing.panel.is_none(), "{}", ing.report);
    assert!(
        errors(&ing).iter().any(|e| e.contains("no series has a sales value")),
        "{:?}",
        errors(&ing)
    );
    // In a file of several series, one without a value is left out and said so.
    let mut text = String::from("store,date,sales\n");
    for i in 0..60 {
        text.push_str(&format!("a,{},{}\n", start() + chrono::Days::new(i), 10 + i % 7));
        text.push_str(&format!("b,{},\n", start() + chrono::Days::new(i)));
    }
    let ing = read(&text);
    assert!(
        ing.report
            .to_string()
            .contains("series 'b': warning: every sales value"),
        "{}",
        ing.report
    );
    assert_eq!(ing.panel.expect("store a is read").series.len(), 1);
}

#[test]
fn a_date_a_century_away_is_an_error_naming_its_row() {
    let ing = read(&daily(|i, d, v| {
        let d = if i == 50 { d.replacen("2023", "2123", 1) } else { d };
        format!("{d},{v}")
    }));
    assert!(ing.panel.is_none());
    let e = errors(&ing);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("row Some(52)") && e[0].contains("2123-02-20") && e[0].contains("100 years"),
        "{e:?}"
    );
    // The same in the first years: 1923.
    let ing = read(&daily(|i, d, v| {
        let d = if i == 50 { d.replacen("2023", "1923", 1) } else { d };
        format!("{d},{v}")
    }));
    assert!(errors(&ing)[0].contains("1923-02-20"), "{:?}", errors(&ing));
}

#[test]
fn real_gaps_are_not_taken_for_mistyped_dates() {
    // A shop closed for two and a half years between two long stretches of sales.
    let mut text = String::from("date,sales\n");
    let start = chrono::NaiveDate::from_ymd_opt(2018, 1, 1).unwrap();
    for i in (0..400).chain(1300..1700) {
        text.push_str(&format!("{},{}\n", start + chrono::Days::new(i), 10 + i % 7));
    }
    assert!(errors(&read(&text)).is_empty(), "{:?}", errors(&read(&text)));
    // A pilot of three weeks three years before 80 weeks of sales.
    let mut text = String::from("date,sales\n");
    let monday = chrono::NaiveDate::from_ymd_opt(2019, 1, 7).unwrap();
    for w in (0..3).chain(160..240) {
        text.push_str(&format!("{},{}\n", monday + chrono::Days::new(7 * w), 50 + w % 5));
    }
    assert!(errors(&read(&text)).is_empty(), "{:?}", errors(&read(&text)));
    // Intermittent sales: a few days a month over two years.
    let mut text = String::from("date,sales\n");
    for i in (0..730).filter(|i| i % 11 < 2) {
        text.push_str(&format!("{},3\n", start + chrono::Days::new(i)));
    }
    assert!(errors(&read(&text)).is_empty(), "{:?}", errors(&read(&text)));
}

#[test]
fn control_characters_of_the_file_are_shown_escaped() {
    let ing = read(&daily(|i, d, v| {
        if i == 3 {
            format!("{d},\u{1b}[31mred\u{1b}[0m")
        } else {
            format!("{d},{v}")
        }
    }));
    let e = errors(&ing);
    assert!(e[0].contains("'\\u{1b}[31mred\\u{1b}[0m' is not a number"), "{e:?}");
    assert!(ing.report.to_string().chars().all(|c| !c.is_control() || c == '\n'));
}

#[test]
fn utf16_files_are_read_like_utf8() {
    let text = daily(|_, d, v| format!("{d},{v}"));
    let utf8 = read(&text).panel.unwrap();
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for (name, bytes) in [
        ("LE with BOM", [&[0xFF, 0xFE][..], &le].concat()),
        ("BE with BOM", [&[0xFE, 0xFF][..], &be].concat()),
        ("LE without BOM", le.clone()),
    ] {
        let ing = ingest_csv(&bytes, "f.csv", &IngestOptions::default());
        assert_eq!(ing.panel.as_ref(), Some(&utf8), "{name}: {}", ing.report);
    }
}
