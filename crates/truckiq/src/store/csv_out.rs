//! CSV as the exports write it: a header row, then the rows, with every text someone else wrote
//! kept from running as a spreadsheet formula.

use std::io::Write;

use super::{Result, StoreError};

pub(super) struct CsvOut<W: Write>(csv::Writer<W>);

impl<W: Write> CsvOut<W> {
    pub(super) fn new(out: W, header: &[&str]) -> Result<Self> {
        let mut writer = Self(csv::Writer::from_writer(out));
        writer.row(header)?;
        Ok(writer)
    }

    pub(super) fn row<I, T>(&mut self, record: I) -> Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.0.write_record(record).map_err(failed)
    }

    pub(super) fn finish(mut self) -> Result<()> {
        self.0.flush().map_err(failed)
    }
}

fn failed(error: impl std::fmt::Display) -> StoreError {
    StoreError::Output(format!("cannot write the CSV: {error}"))
}

/// Text that starts like a formula would run as one in a spreadsheet: "=", "+", "-", "@", and a
/// tab or carriage return, which spreadsheets skip before reading a formula (OWASP's list). A
/// leading apostrophe keeps it text.
pub(super) fn spreadsheet_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_from_portal_text_stay_text() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        for formula in ["+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"] {
            assert!(spreadsheet_safe(formula).starts_with('\''), "{formula:?}");
        }
        assert_eq!(spreadsheet_safe("DEF Quality"), "DEF Quality");
        assert_eq!(spreadsheet_safe(""), "");
    }
}
