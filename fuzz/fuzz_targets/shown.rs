//! Shared by the parser targets: a diagnostic rendered every way the binary
//! shows one, and the check that no secret of the input is in it.

use intercom_guard::detect::mask;
use intercom_guard::report::{doctor, plain, scrubbed::Scrubbed};

/// The diagnostic as the binary prints it on a terminal (main.rs), as
/// doctor lists it, and as the plain `remote:` lines of a server hook.
pub fn rendered<E>(err: E) -> String
where
    E: miette::Diagnostic + Send + Sync + 'static,
{
    let report = miette::Report::new(Scrubbed::new(err));
    let mut text = format!("{report:?}\n{report}\n");
    text.push_str(&plain::error_lines(report.as_ref()));
    let boxed: Box<dyn miette::Diagnostic + Send + Sync> = report.into();
    text.push_str(&doctor::diagnostic_lines(Passed(boxed)).join("\n"));
    text
}

/// Every secret of ten bytes or more that the detector sees in `input` is
/// absent from `shown`.
pub fn assert_no_secret(input: &[u8], shown: &str) {
    for range in mask::secrets(input) {
        let secret = &input[range];
        if secret.len() >= 10 {
            let needle = String::from_utf8_lossy(secret);
            assert!(
                !shown.contains(&*needle),
                "the diagnostic shows the secret {needle:?}:\n{shown}"
            );
        }
    }
}

/// A boxed diagnostic handed on as one.
struct Passed(Box<dyn miette::Diagnostic + Send + Sync>);

impl std::fmt::Debug for Passed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl std::fmt::Display for Passed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Passed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl miette::Diagnostic for Passed {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.code()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.help()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.0.labels()
    }
    fn diagnostic_source(&self) -> Option<&dyn miette::Diagnostic> {
        self.0.diagnostic_source()
    }
}
