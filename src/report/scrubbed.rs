//! A diagnostic as it may be shown: its message, causes, help and labels
//! with every secret the detector sees redacted ([`crate::redact::scrub`]),
//! so a token in a path, a ref or an argument is never echoed by an error.
//! The source it quotes is the diagnostic's own: the configuration's and the
//! baseline's quotes are redacted where they are made
//! ([`crate::policy::excerpt`]).
//!
//! Every diagnostic the binary shows goes through it: the final error
//! (main.rs), problems as they come, the plain `remote:` lines, doctor's
//! configuration item. A diagnostic's `diagnostic_source` chain is kept (a
//! nested configuration error still shows its quote); related diagnostics
//! are not shown.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, Severity, SourceCode};

use crate::redact::scrub;

/// See the module docs.
pub struct Scrubbed {
    /// The diagnostic at the head of the chain.
    root: Arc<dyn Diagnostic + Send + Sync>,
    /// Which diagnostic of `root`'s `diagnostic_source` chain this one
    /// shows (0: `root` itself): its source code is read from there.
    depth: usize,
    message: String,
    code: Option<String>,
    help: Option<String>,
    url: Option<String>,
    labels: Option<Vec<LabeledSpan>>,
    next: Option<Box<Next>>,
}

/// What follows a diagnostic in its chain.
#[derive(Debug)]
enum Next {
    /// A diagnostic of its own (miette shows its snippet and help).
    Diagnostic(Scrubbed),
    /// A plain error, and what caused it.
    Cause(Cause),
}

/// One cause of the chain, as its redacted message.
#[derive(Debug)]
struct Cause {
    message: String,
    next: Option<Box<Cause>>,
}

impl Scrubbed {
    pub fn new(diagnostic: impl Diagnostic + Send + Sync + 'static) -> Scrubbed {
        Scrubbed::shared(Arc::new(diagnostic))
    }

    pub fn shared(root: Arc<dyn Diagnostic + Send + Sync>) -> Scrubbed {
        Scrubbed::at(root, 0)
    }

    fn at(root: Arc<dyn Diagnostic + Send + Sync>, depth: usize) -> Scrubbed {
        let d = chain(&*root, depth).expect("a depth the chain has");
        let text = |t: &dyn fmt::Display| scrub(&t.to_string());
        let labels = d.labels().map(|labels| {
            labels
                .map(|l| {
                    let label = l.label().map(scrub);
                    if l.primary() {
                        LabeledSpan::new_primary_with_span(label, *l.inner())
                    } else {
                        LabeledSpan::new_with_span(label, *l.inner())
                    }
                })
                .collect()
        });
        let next = if d.diagnostic_source().is_some() {
            Some(Next::Diagnostic(Scrubbed::at(Arc::clone(&root), depth + 1)))
        } else {
            d.source().map(|cause| Next::Cause(Cause::chain(cause)))
        };
        Scrubbed {
            message: text(d),
            code: d.code().map(|c| text(&*c)),
            help: d.help().map(|h| text(&*h)),
            url: d.url().map(|u| text(&*u)),
            labels,
            next: next.map(Box::new),
            depth,
            root,
        }
    }

    fn shown(&self) -> Option<&dyn Diagnostic> {
        chain(&*self.root, self.depth)
    }
}

/// The diagnostic `depth` steps down `root`'s `diagnostic_source` chain.
fn chain(root: &dyn Diagnostic, depth: usize) -> Option<&dyn Diagnostic> {
    let mut d = root;
    for _ in 0..depth {
        d = d.diagnostic_source()?;
    }
    Some(d)
}

impl Cause {
    fn chain(error: &(dyn std::error::Error + 'static)) -> Cause {
        Cause {
            message: scrub(&error.to_string()),
            next: error.source().map(|e| Box::new(Cause::chain(e))),
        }
    }
}

impl fmt::Debug for Scrubbed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scrubbed")
            .field("message", &self.message)
            .field("code", &self.code)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Scrubbed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Scrubbed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.next.as_deref()? {
            Next::Diagnostic(d) => Some(d),
            Next::Cause(c) => Some(c),
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.next
            .as_deref()
            .map(|c| c as &(dyn std::error::Error + 'static))
    }
}

impl Diagnostic for Scrubbed {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<Severity> {
        self.shown()?.severity()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.shown()?.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.labels
            .as_ref()
            .map(|l| Box::new(l.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }

    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        match self.next.as_deref()? {
            Next::Diagnostic(d) => Some(d),
            Next::Cause(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "dG9rOjhmMTRlNDVmX2NlZWFfNDY3Zl9hMGU2X2IxYzZiNWUzYTJkOToxOjA=";

    #[derive(Debug, thiserror::Error, miette::Diagnostic)]
    #[error("cannot read {path}")]
    #[diagnostic(code(test::read), help("check {path}"))]
    struct Failed {
        path: String,
        #[source]
        source: std::io::Error,
    }

    #[test]
    fn message_causes_and_help_show_no_secret() {
        let failed = Failed {
            path: format!("dir/{TOKEN}.env"),
            source: std::io::Error::other(format!("no such file {TOKEN}")),
        };
        let report = miette::Report::new(Scrubbed::new(failed));
        let text = format!("{report:?}");
        assert!(!text.contains(TOKEN), "{text}");
        assert!(text.contains("cannot read dir/dG9rOj…OjA=.env"), "{text}");
        assert!(text.contains("no such file dG9rOj…OjA="), "{text}");
        assert!(text.contains("check dir/dG9rOj…OjA=.env"), "{text}");
        assert!(text.contains("test::read"), "{text}");
    }

    #[derive(Debug, thiserror::Error, miette::Diagnostic)]
    #[error("cannot use {name}")]
    struct Outer {
        name: String,
        #[source]
        #[diagnostic_source]
        inner: Quoted,
    }

    #[derive(Debug, thiserror::Error, miette::Diagnostic)]
    #[error("bad value {value}")]
    #[diagnostic(help("not {value}"))]
    struct Quoted {
        value: String,
        #[source_code]
        src: String,
        #[label("here")]
        span: miette::SourceSpan,
    }

    #[test]
    fn a_nested_diagnostic_keeps_its_quote() {
        let outer = Outer {
            name: format!("{TOKEN}.json"),
            inner: Quoted {
                value: TOKEN.to_owned(),
                src: "line one\nline two\n".to_owned(),
                span: (9, 4).into(),
            },
        };
        let text = format!("{:?}", miette::Report::new(Scrubbed::new(outer)));
        assert!(!text.contains(TOKEN), "{text}");
        assert!(text.contains("line two") && text.contains("here"), "{text}");
        assert!(text.contains("not dG9rOj…OjA="), "{text}");
    }
}
