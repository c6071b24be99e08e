//! Errors and problems on a stderr that is not a terminal (a pipe, a CI
//! log, a hook's captured output) are not wrapped: a long path stays on one
//! line, whole, so it can be found and copied. (On a terminal they wrap at
//! its width.)

mod common;

use common::Scratch;

/// A path far wider than any terminal, with hyphens a wrapper would split.
fn long_path(s: &Scratch) -> String {
    let folder = "a-very-long-folder-name-".repeat(6);
    s.path()
        .join(folder)
        .join("intercom-guard-config.yaml")
        .display()
        .to_string()
}

#[test]
fn an_error_is_not_wrapped_when_stderr_is_not_a_terminal() {
    let s = Scratch::new();
    let path = long_path(&s);
    for columns in [None, Some("80")] {
        let run = s.guard_with(&["--config", &path, "scan", "."], |c| {
            c.env_remove("COLUMNS");
            if let Some(n) = columns {
                c.env("COLUMNS", n);
            }
        });
        run.assert_code(2);
        assert!(
            run.stderr.lines().any(|l| l.contains(&path)),
            "COLUMNS={columns:?}: the path is split: {}",
            run.stderr
        );
    }
}

#[test]
fn a_problem_is_not_wrapped_either() {
    let s = Scratch::new();
    let path = long_path(&s);
    s.write("ok.txt", "nothing\n");
    let run = s.guard_with(&["scan", "ok.txt", &path], |c| {
        c.env("COLUMNS", "80");
    });
    run.assert_code(2);
    assert!(
        run.stderr.lines().any(|l| l.contains(&path)),
        "the path is split: {}",
        run.stderr
    );
}
