//! What the CLI prints is partly portal text (fault descriptions, alert messages, unit numbers). A
//! portal, or a page in its place, could embed terminal escape sequences that recolour, hide or
//! rewrite what a person reads, or worse on some terminals; they are dropped on the way out.

use std::borrow::Cow;
use std::io::Write;

/// `text` without control characters other than tab and newline: no ESC (so no ANSI sequence),
/// no BEL or backspace, no carriage return that rewrites a line, no C1 controls (U+0080–U+009F,
/// CSI among them).
pub fn printable(text: &str) -> Cow<'_, str> {
    let unwanted = |c: char| (c.is_control() && c != '\n' && c != '\t') || ('\u{80}'..='\u{9f}').contains(&c);
    if text.chars().any(unwanted) {
        Cow::Owned(text.chars().filter(|c| !unwanted(*c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// A writer that passes on only [`printable`] text: the CLI's standard output.
pub struct Printable<W: Write>(pub W);

impl<W: Write> Write for Printable<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(bytes);
        self.0.write_all(printable(&text).as_bytes())?;
        // Everything given was handled, whatever was dropped.
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_from_portal_text_never_reach_the_terminal() {
        assert_eq!(printable("Oil pressure \u{1b}[31mLOW\u{1b}[0m"), "Oil pressure [31mLOW[0m");
        assert_eq!(printable("unit 1042\rRM -RF"), "unit 1042RM -RF", "no carriage return rewriting a line");
        assert_eq!(printable("a\u{7}b\u{8}c\u{9b}2Jd"), "abc2Jd", "BEL, backspace and the C1 CSI");
        assert_eq!(printable("Kenworth T680\tSPN 100 / FMI 1\n"), "Kenworth T680\tSPN 100 / FMI 1\n");
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
        let mut out = Printable(Vec::new());
        let portal_text = "Fault \u{1b}]0;pwned\u{7} here";
        write!(out, "[critical] {portal_text}").unwrap_or_default();
        assert_eq!(String::from_utf8_lossy(&out.0), "[critical] Fault ]0;pwned here");
    }
}
