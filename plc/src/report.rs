//! Where a command's messages go: the terminal (stderr, with a progress
//! bar when it is one), or a buffer the MCP server hands back to an agent.

use std::io::IsTerminal;

/// The destination of diagnostics and build messages.
pub struct Report {
    captured: Option<String>,
}

impl Report {
    /// Messages go to stderr.
    pub fn terminal() -> Report {
        Report { captured: None }
    }

    /// Messages are kept, for [`Report::into_text`].
    pub fn captured() -> Report {
        Report {
            captured: Some(String::new()),
        }
    }

    /// Writes `text` (which ends with its own line break).
    pub fn emit(&mut self, text: &str) {
        match &mut self.captured {
            Some(buffer) => buffer.push_str(text),
            None => eprint!("{text}"),
        }
    }

    /// True if messages go to an interactive terminal (progress bars make
    /// sense there, and nowhere else).
    pub fn is_interactive(&self) -> bool {
        self.captured.is_none() && std::io::stderr().is_terminal()
    }

    /// True if messages are shown as they come, on stderr.
    pub fn is_terminal(&self) -> bool {
        self.captured.is_none()
    }

    /// What was captured (empty for the terminal).
    pub fn into_text(self) -> String {
        self.captured.unwrap_or_default()
    }
}
