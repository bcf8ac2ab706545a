//! Number cells as the readers read them: a point or, in a `;` file (European exports), a
//! decimal comma; missing-value markers; and the cells whose two readings lie a thousand times
//! apart (`1.250`, `1,250`), which are refused rather than guessed.

/// A cell that is neither a number nor a missing-value marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotANumber;

/// Parse a number cell as the ingestion does: trims, accepts a decimal comma when the file
/// uses `;` (European exports). `Ok(None)` is a missing value.
pub fn parse_number(cell: &str, decimal_comma: bool) -> Result<Option<f64>, NotANumber> {
    let s = cell.trim();
    if s.is_empty() || matches!(s, "NA" | "N/A" | "n/a" | "na" | "null" | "NULL" | "-" | "NaN" | "nan") {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) => Ok(Some(v)),
        Err(_) if decimal_comma && s.contains(',') && !s.contains('.') => {
            s.replace(',', ".").parse::<f64>().map(Some).map_err(|_| NotANumber)
        }
        // `1.000,5`: thousands points before a decimal comma, unambiguous in a `;` file.
        Err(_) if decimal_comma && s.split_once(',').is_some_and(|(int, _)| thousands_grouped(int)) => s
            .replace('.', "")
            .replace(',', ".")
            .parse::<f64>()
            .map(Some)
            .map_err(|_| NotANumber),
        Err(_) => Err(NotANumber),
    }
}

/// `1.250`, `-12.500.000`: digits grouped by thousands points (a first group of one to three
/// digits not starting with 0, then groups of three). In a `;` file with decimal commas this is
/// 1250 written with a thousands point; read as a decimal point it would be 1.25.
pub fn thousands_grouped(cell: &str) -> bool {
    grouped_by(cell, '.')
}

/// `1,250`, `12,500,000`: digits grouped as by thousands commas. In a `;` file with decimal
/// commas this is 1.25; written by a program with thousands commas it is 1250.
pub fn comma_grouped(cell: &str) -> bool {
    grouped_by(cell, ',')
}

/// A cell that shows its column's commas are decimal commas: a number with a comma that
/// cannot be a thousands comma (`12,5`, `0,750`, `1.250,5`).
pub fn settles_decimal_comma(cell: &str) -> bool {
    let s = cell.trim();
    s.contains(',') && !comma_grouped(s) && matches!(parse_number(s, true), Ok(Some(_)))
}

/// Why a number cell of a file with decimal commas (`decimal_comma`: `;`-separated) has two
/// readings a thousand times apart: `1.250` always (1250 with a thousands point, or 1.25);
/// `1,250` (1.25 with a decimal comma, or 1250 with a thousands comma) unless another cell of
/// its column settles that the commas are decimal ones (`commas_settled`, see
/// [`settles_decimal_comma`]). `None`: the cell reads one way.
pub fn ambiguous_number(cell: &str, decimal_comma: bool, commas_settled: bool) -> Option<String> {
    let s = cell.trim();
    if !decimal_comma {
        return None;
    }
    if thousands_grouped(s) {
        return Some(format!(
            "'{s}' could be {} (a thousands point, as in a file with decimal commas) or {}: write it without the \
             point, or with a decimal comma",
            s.replace('.', ""),
            s.parse::<f64>().unwrap_or(f64::NAN)
        ));
    }
    match parse_number(s, true) {
        Ok(Some(decimal)) if !commas_settled && comma_grouped(s) => {
            let thousands = s.replace(',', "");
            Some(format!(
                "'{s}' could be {decimal:?} (a decimal comma, as in a file separated by ';') or {thousands} (a \
                 thousands comma), and no other value of the column settles which: write {thousands} without the \
                 comma, or {decimal:?} with a point"
            ))
        }
        _ => None,
    }
}

fn grouped_by(cell: &str, point: char) -> bool {
    let s = cell.trim();
    let s = s.strip_prefix('-').unwrap_or(s);
    let mut groups = s.split(point);
    let Some(first) = groups.next() else { return false };
    let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    let mut rest = groups.peekable();
    rest.peek().is_some()
        && (1..=3).contains(&first.len())
        && digits(first)
        && !first.starts_with('0')
        && rest.all(|g| g.len() == 3 && digits(g))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_decimal_comma_and_missing_markers() {
        assert_eq!(parse_number(" 12.5 ", false), Ok(Some(12.5)));
        assert_eq!(parse_number("12,5", true), Ok(Some(12.5)));
        assert_eq!(parse_number("12,5", false), Err(NotANumber));
        assert_eq!(parse_number("1.000,5", true), Ok(Some(1000.5)));
        assert_eq!(parse_number("-12.345.678,25", true), Ok(Some(-12345678.25)));
        assert_eq!(parse_number("1.000,5", false), Err(NotANumber));
        assert_eq!(parse_number("1.2,5", true), Err(NotANumber));
        for grouped in ["1.250", "-12.500", "999.000.000"] {
            assert!(thousands_grouped(grouped), "{grouped}");
        }
        for plain in ["1.25", "0.125", "1250", "1.2500", "12,5", "4.99"] {
            assert!(!thousands_grouped(plain), "{plain}");
        }
        assert_eq!(parse_number("NA", false), Ok(None));
        assert_eq!(parse_number("abc", false), Err(NotANumber));
        assert!(parse_number("inf", false).is_ok_and(|v| v.is_some_and(f64::is_infinite)));
    }

    #[test]
    fn numbers_a_thousand_times_apart_are_refused_unless_the_column_settles_them() {
        // Read as the ingestion would, each of these is a thousand times off one way.
        let both = |cell: &str, settled: bool| ambiguous_number(cell, true, settled);
        assert!(both("1.250", true).is_some_and(|m| m.contains("1250") && m.contains("1.25")));
        let m = both("1,250", false).unwrap_or_default();
        assert!(m.contains("could be 1.25") && m.contains("or 1250"), "{m}");
        assert!(m.contains("write 1250 without the comma, or 1.25 with a point"), "{m}");
        assert_eq!(both("-2,500", false).map(|m| m.contains("-2500")), Some(true));
        let m = both("1,000", false).unwrap_or_default();
        assert!(m.contains("could be 1.0 ") && m.contains("or 1.0 with a point"), "{m}");
        // A column whose other cells show decimal commas reads 1,250 as 1.25.
        assert_eq!(both("1,250", true), None);
        for settles in ["12,5", "0,750", "1.250,5", "-3,25"] {
            assert!(settles_decimal_comma(settles), "{settles}");
        }
        for not in ["1,250", "12", "1.5", "abc", "12,500,000", ""] {
            assert!(!settles_decimal_comma(not), "{not}");
        }
        // One reading only: a plain number, a decimal comma that cannot be thousands, two
        // groups of thousands commas (not a number at all, refused as such), a `,` file.
        for one in ["1250", "12,5", "0,125", "12,500,000", "1.25"] {
            assert_eq!(both(one, false), None, "{one}");
        }
        assert_eq!(ambiguous_number("1,250", false, false), None);
        assert_eq!(ambiguous_number("1.250", false, false), None);
    }
}
