//! intercom-guard: keeps Intercom credentials out of git.
//!
//! Data flows one way: [`source`] → [`detect`] → [`policy`] → [`report`];
//! the [`engine`] runs that sequence for every mode. With `--verify`, the
//! [`verify`] layer asks Intercom's API about the findings between the
//! engine and the report.
//! [`doctor`] is the security checklist: checks over a repository that
//! return items, which the report renders.
//! The binary (`main.rs`, [`cli`]) only parses arguments and wires the layers.
//! [`finding`], [`catalog`] (the rules), [`env_file`] (which names are
//! `.env` files) and [`redact`] (how a secret is shown when it must not be)
//! are the vocabulary they share.

// The library is this binary's own: its documentation is read with its
// private items (`cargo doc --document-private-items`), where links to
// them resolve; clap's help text is written in doc comments, where a
// `<TAB>` is text, not HTML.
#![allow(rustdoc::private_intra_doc_links, rustdoc::invalid_html_tags)]
// What prints is the report, through a writer: no print macros outside
// `cli` (which allows them) and the binary.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod catalog;
pub mod cli;
pub mod detect;
pub mod doctor;
pub mod engine;
pub mod env_file;
pub mod finding;
pub mod history_pass;
pub mod install;
pub mod parallel;
pub mod policy;
pub mod redact;
pub mod report;
pub mod source;
pub mod sweep;
pub mod verify;
