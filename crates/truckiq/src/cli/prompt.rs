//! Reading secrets: from a hidden prompt on a terminal, else one line per secret from stdin (for
//! scripts: `printf '%s\n' "$PASSWORD" | truckiq accounts set-password Acme`). Never from argv,
//! where other users and shell history can see them.

use std::io::{BufRead, IsTerminal};

use anyhow::Context as _;
use truckiq::secrets::Sensitive;

pub struct SecretInput {
    terminal: bool,
    lines: std::io::StdinLock<'static>,
}

impl SecretInput {
    pub fn stdin() -> Self {
        Self { terminal: std::io::stdin().is_terminal(), lines: std::io::stdin().lock() }
    }

    /// The next secret; `what` names it in the prompt and in errors.
    pub fn read(&mut self, what: &str) -> anyhow::Result<Sensitive<String>> {
        let text = if self.terminal {
            rpassword::prompt_password(format!("{what}: ")).with_context(|| format!("cannot read the {what}"))?
        } else {
            let mut line = String::new();
            let read = self.lines.read_line(&mut line).with_context(|| format!("cannot read the {what} from stdin"))?;
            anyhow::ensure!(read > 0, "expected the {what} on stdin (one line), but stdin ended");
            line.trim_end_matches(['\r', '\n']).to_owned()
        };
        Ok(Sensitive::new(text))
    }
}
