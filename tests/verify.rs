//! `--verify` against a real HTTP server on 127.0.0.1 that speaks `/me` as
//! Intercom does (`support_verify`), through the real binary: the status of
//! each finding (live, revoked, unknown and why), the headers the server
//! received, one request per distinct token per run, the region fallback,
//! 429 with Retry-After, a server error, a server that never answers, the
//! run's budget; and that without `--verify` (and in pre-receive unless the
//! server's configuration says so) the server receives nothing.
//!
//! Every run points the binary at the test server with
//! `INTERCOM_GUARD_API_URL`; nothing here reaches Intercom.

mod common;
mod support_push;
mod support_verify;

use std::time::{Duration, Instant};

use common::{Repo, Run, Scratch, bin, lines, token};
use serde_json::Value;
use support_push::{Server, push, remote_lines};
use support_verify::{FakeApi, Reply, Request};

const API_URL: &str = "INTERCOM_GUARD_API_URL";
const TIMEOUT_MS: &str = "INTERCOM_GUARD_VERIFY_TIMEOUT_MS";
const BUDGET_MS: &str = "INTERCOM_GUARD_VERIFY_BUDGET_MS";

/// Jane's admin answer, in the EU.
fn jane() -> Reply {
    Reply::admin("Jane Doe", "jane@acme.test", "Acme", "abc123", "EU")
}

/// Run the binary in `dir` with `args`, the API at `api_url`, and `env`.
fn guard(dir: &Scratch, args: &[&str], api_url: &str, env: &[(&str, &str)]) -> Run {
    dir.guard_with(args, |c| {
        c.env(API_URL, api_url);
        for (k, v) in env {
            c.env(k, v);
        }
    })
}

/// The finding at `path` in a JSON report.
fn at<'a>(run: &'a Run, findings: &'a [Value], path: &str) -> &'a Value {
    findings
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no finding at {path}: {run:?}"))
}

fn status(finding: &Value) -> &str {
    finding["verification"]["status"]
        .as_str()
        .unwrap_or("<none>")
}

fn reason(finding: &Value) -> &str {
    finding["verification"]["reason"]
        .as_str()
        .unwrap_or("<none>")
}

/// The paths the server was asked for `token`, in order.
fn paths_for(api: &FakeApi, token: &str) -> Vec<String> {
    api.requests()
        .iter()
        .filter(|r| r.token() == Some(token))
        .map(|r| r.path.clone())
        .collect()
}

#[test]
fn live_revoked_and_a_server_error_each_get_their_status_and_each_token_is_sent_once() {
    let (live, revoked, failing) = (token(), token(), token());
    let answers = [
        (live.clone(), jane()),
        (revoked.clone(), Reply::unauthorized()),
        (failing.clone(), Reply::status(500)),
    ];
    let api = FakeApi::start(move |r: &Request, _| {
        answers
            .iter()
            .find(|(t, _)| r.token() == Some(t.as_str()))
            .map_or_else(|| Reply::status(404), |(_, reply)| reply.clone())
    });
    let dir = Scratch::new();
    dir.write("a.env", format!("INTERCOM_ACCESS_TOKEN={live}\n"));
    // The same token again, as a URL writes it: still one request.
    let escaped = live.replace('=', "%3D");
    dir.write(
        "b.yaml",
        format!("callback: https://hooks.test/?t={escaped}\n"),
    );
    dir.write("c.js", format!("const auth = \"Bearer {revoked}\";\n"));
    dir.write("d.txt", format!("{failing}\n"));
    let run = guard(
        &dir,
        &[
            "scan", "a.env", "b.yaml", "c.js", "d.txt", "--verify", "--format", "json",
        ],
        &api.base(""),
        &[],
    );
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 4, "{run:?}");

    for path in ["a.env", "b.yaml"] {
        let f = at(&run, &findings, path);
        assert_eq!(status(f), "live", "{path}: {f}");
        assert_eq!(
            f["verification"],
            serde_json::json!({
                "status": "live", "reason": format!("200 from {}: an admin", api.base("")),
                "admin": "Jane Doe <jane@acme.test>", "workspace": "Acme",
                "app_id": "abc123", "region": "eu",
            })
        );
    }
    let r = at(&run, &findings, "c.js");
    assert_eq!(status(r), "revoked", "{r}");
    assert_eq!(reason(r), format!("401 from {}", api.base("")));
    assert_eq!(r["verification"]["admin"], Value::Null);
    let e = at(&run, &findings, "d.txt");
    assert_eq!(status(e), "unknown", "{e}");
    assert!(reason(e).contains("server error 500"), "{e}");

    // Once per distinct token, whatever the number of places and forms.
    assert_eq!(api.sent(&live), 1);
    assert_eq!(api.sent(&revoked), 1);
    assert_eq!(api.sent(&failing), 1);
    assert_eq!(api.requests().len(), 3);
    for request in api.requests() {
        assert_eq!(request.method, "GET");
        assert_eq!(request.path, "/me");
        assert_eq!(request.header("accept"), Some("application/json"));
        assert_eq!(request.header("intercom-version"), Some("2.14"));
        assert!(
            request
                .header("user-agent")
                .is_some_and(|ua| ua.starts_with("intercom-guard/")),
            "{request:?}"
        );
        // Nothing else of the run goes along: no cookie, no query.
        assert!(request.header("cookie").is_none(), "{request:?}");
    }
    // The token goes in the header alone, never into the report.
    assert!(!run.all().contains(&live) && !run.all().contains(&revoked));
}

#[test]
fn the_human_report_names_the_workspace_and_says_how_urgent_it_is() {
    let (live, revoked) = (token(), token());
    let l = live.clone();
    let api = FakeApi::start(move |r: &Request, _| {
        if r.token() == Some(l.as_str()) {
            jane()
        } else {
            Reply::unauthorized()
        }
    });
    let dir = Scratch::new();
    dir.write("app.env", format!("INTERCOM_ACCESS_TOKEN={live}\n"));
    dir.write("old.env", format!("INTERCOM_ACCESS_TOKEN={revoked}\n"));
    let run = guard(
        &dir,
        &["scan", "app.env", "old.env", "--verify", "--color", "never"],
        &api.base(""),
        &[("COLUMNS", "100")],
    );
    run.assert_code(1);
    let out = &run.stdout;
    assert!(
        out.contains(
            "LIVE — admin Jane Doe <jane@acme.test> of workspace \"Acme\" (app abc123, eu)"
        ),
        "{out}"
    );
    assert!(out.contains("REVOKED — 401 from"), "{out}");
    let prose = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        prose.contains("LIVE, in workspace \"Acme\" as Jane Doe <jane@acme.test>: rotate it now"),
        "{prose}"
    );
    assert!(
        out.contains("https://app.eu.intercom.com/a/apps/abc123/developer-hub"),
        "the workspace's Developer Hub: {out}"
    );
    assert!(prose.contains("no longer works"), "{prose}");
    assert!(prose.contains("find where else it went"), "{prose}");
    assert!(!out.contains(&live) && !out.contains(&revoked), "{out}");
}

#[test]
fn a_429_is_waited_out_within_a_bound() {
    let (patient, impatient) = (token(), token());
    let (p, i) = (patient.clone(), impatient.clone());
    let api = FakeApi::start(move |r: &Request, earlier| match r.token() {
        Some(t) if t == p && earlier == 0 => Reply::rate_limited(1),
        Some(t) if t == p => jane(),
        Some(t) if t == i => Reply::rate_limited(60),
        _ => Reply::status(404),
    });
    let dir = Scratch::new();
    dir.write("p.env", format!("INTERCOM_ACCESS_TOKEN={patient}\n"));
    dir.write("i.env", format!("INTERCOM_ACCESS_TOKEN={impatient}\n"));
    let started = Instant::now();
    let run = guard(
        &dir,
        &["scan", "p.env", "i.env", "--verify", "--format", "json"],
        &api.base(""),
        &[],
    );
    let took = started.elapsed();
    run.assert_code(1);
    let findings = run.findings();
    let p = at(&run, &findings, "p.env");
    assert_eq!(status(p), "live", "{p}");
    assert_eq!(api.sent(&patient), 2, "asked again after the 429");
    assert!(
        took >= Duration::from_secs(1),
        "waited Retry-After: {took:?}"
    );
    let i = at(&run, &findings, "i.env");
    assert_eq!(status(i), "unknown", "{i}");
    assert!(
        reason(i).contains("429") && reason(i).contains("Retry-After 60 s"),
        "{i}"
    );
    assert_eq!(api.sent(&impatient), 1, "a 60 s wait is not waited");
}

#[test]
fn a_server_that_never_answers_is_unknown_once_the_timeout_passes() {
    let hung = token();
    let api = FakeApi::start(|_, _| Reply::Hang);
    let dir = Scratch::new();
    dir.write("h.env", format!("INTERCOM_ACCESS_TOKEN={hung}\n"));
    let started = Instant::now();
    let run = guard(
        &dir,
        &["scan", "h.env", "--verify", "--format", "json"],
        &api.base(""),
        &[(TIMEOUT_MS, "300")],
    );
    let took = started.elapsed();
    // The secret still blocks: verification never changes the exit code.
    run.assert_code(1);
    let f = &run.findings()[0];
    assert_eq!(status(f), "unknown", "{f}");
    assert!(reason(f).contains("no answer within 0.3 s"), "{f}");
    assert_eq!(api.sent(&hung), 1);
    // Well under the default timeout of 5 s.
    assert!(took < Duration::from_secs(4), "{took:?}");
}

#[test]
fn the_run_budget_bounds_verification_however_many_tokens_hang() {
    let api = FakeApi::start(|_, _| Reply::Hang);
    let dir = Scratch::new();
    let tokens: Vec<String> = (0..6).map(|_| token()).collect();
    let files: Vec<String> = (0..6).map(|i| format!("t{i}.env")).collect();
    for (file, t) in files.iter().zip(&tokens) {
        dir.write(file, format!("INTERCOM_ACCESS_TOKEN={t}\n"));
    }
    let mut args = vec!["scan", "--verify", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let started = Instant::now();
    let run = guard(
        &dir,
        &args,
        &api.base(""),
        &[(TIMEOUT_MS, "4000"), (BUDGET_MS, "500")],
    );
    let took = started.elapsed();
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 6);
    assert!(findings.iter().all(|f| status(f) == "unknown"), "{run:?}");
    // At most four at once: the last ones never went out.
    assert!(api.requests().len() <= 4, "{:?}", api.requests());
    assert!(
        findings.iter().any(|f| reason(f).contains("ran out")),
        "{run:?}"
    );
    // The 4 s request timeout was cut to what was left of the budget.
    assert!(took < Duration::from_millis(3500), "{took:?}");
}

#[test]
fn a_region_that_answers_401_hands_over_to_the_next() {
    let (eu, gone, flaky) = (token(), token(), token());
    let (e, f) = (eu.clone(), flaky.clone());
    let api = FakeApi::start(move |r: &Request, _| {
        let token = r.token().unwrap_or_default();
        match r.path.as_str() {
            "/us/me" => Reply::unauthorized(),
            "/eu/me" if token == e => jane(),
            "/eu/me" if token == f => Reply::status(503),
            "/eu/me" | "/au/me" => Reply::unauthorized(),
            _ => Reply::status(404),
        }
    });
    let bases = format!(
        "{},{},{}",
        api.base("/us"),
        api.base("/eu"),
        api.base("/au")
    );
    let dir = Scratch::new();
    dir.write("eu.env", format!("INTERCOM_ACCESS_TOKEN={eu}\n"));
    dir.write("gone.env", format!("INTERCOM_ACCESS_TOKEN={gone}\n"));
    dir.write("flaky.env", format!("INTERCOM_ACCESS_TOKEN={flaky}\n"));
    let run = guard(
        &dir,
        &[
            "scan",
            "eu.env",
            "gone.env",
            "flaky.env",
            "--verify",
            "--format",
            "json",
        ],
        &bases,
        &[],
    );
    run.assert_code(1);
    let findings = run.findings();

    let live = at(&run, &findings, "eu.env");
    assert_eq!(status(live), "live", "{live}");
    assert_eq!(live["verification"]["region"], "eu");
    assert_eq!(reason(live), "200 from eu: an admin");
    assert_eq!(
        paths_for(&api, &eu),
        ["/us/me", "/eu/me"],
        "AU is not asked"
    );

    let revoked = at(&run, &findings, "gone.env");
    assert_eq!(status(revoked), "revoked", "{revoked}");
    assert_eq!(reason(revoked), "401 from every region (us, eu, au)");
    assert_eq!(paths_for(&api, &gone), ["/us/me", "/eu/me", "/au/me"]);

    // A 401 in one region and no answer in the next is no proof of anything.
    let unknown = at(&run, &findings, "flaky.env");
    assert_eq!(status(unknown), "unknown", "{unknown}");
    assert_eq!(reason(unknown), "401 from us; eu: server error 503");
    assert_eq!(paths_for(&api, &flaky), ["/us/me", "/eu/me"]);
}

#[test]
fn kinds_no_api_checks_are_unknown_and_never_sent() {
    let api = FakeApi::start(|_, _| Reply::status(500));
    let dir = Scratch::new();
    // Random values, made here: the project's own scan finds no literal.
    let random = || common::uuid_underscored().replace('_', "");
    dir.write(
        "hooks.env",
        lines(&[
            &format!("INTERCOM_WEBHOOK_SECRET={}", random()),
            &format!("INTERCOM_IDENTITY_SECRET={}", random()),
        ]),
    );
    let run = guard(
        &dir,
        &["scan", "hooks.env", "--verify", "--format", "json"],
        &api.base(""),
        &[],
    );
    run.assert_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 2, "{run:?}");
    for f in &findings {
        assert_eq!(status(f), "unknown", "{f}");
        assert!(reason(f).contains("no API checks one"), "{f}");
    }
    assert!(api.requests().is_empty(), "{:?}", api.requests());
}

#[test]
fn without_verify_the_server_receives_nothing() {
    let api = FakeApi::start(|_, _| jane());
    let dir = Scratch::new();
    dir.write("a.env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    for format in ["json", "human", "sarif"] {
        let run = guard(
            &dir,
            &["scan", "a.env", "--format", format],
            &api.base(""),
            &[],
        );
        run.assert_code(1);
        for word in ["\"verification\"", "LIVE —", "UNKNOWN —", "--verify"] {
            assert!(!run.stdout.contains(word), "{format} says {word}");
        }
    }
    assert!(api.requests().is_empty(), "{:?}", api.requests());
}

#[test]
fn a_base_that_would_send_the_token_in_clear_is_refused_and_the_run_goes_on() {
    let dir = Scratch::new();
    dir.write("a.env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    let run = guard(
        &dir,
        &["scan", "a.env", "--verify", "--format", "json"],
        "http://intercom.example.test",
        &[],
    );
    run.assert_code(1);
    let f = &run.findings()[0];
    assert_eq!(status(f), "unknown", "{f}");
    assert!(
        reason(f).starts_with("not sent: INTERCOM_GUARD_API_URL"),
        "{f}"
    );
}

#[test]
fn sarif_carries_the_verification_in_the_results_properties() {
    let api = FakeApi::start(|_, _| jane());
    let dir = Scratch::new();
    dir.write("a.env", format!("INTERCOM_ACCESS_TOKEN={}\n", token()));
    let run = guard(
        &dir,
        &["scan", "a.env", "--verify", "--format", "sarif"],
        &api.base(""),
        &[],
    );
    run.assert_code(1);
    let doc: Value = serde_json::from_str(&run.stdout).expect("SARIF");
    let v = &doc["runs"][0]["results"][0]["properties"]["verification"];
    assert_eq!(v["status"], "live", "{doc}");
    assert_eq!(v["workspace"], "Acme");
    assert_eq!(v["app_id"], "abc123");
}

#[test]
fn pre_commit_verifies_the_staged_token_and_still_blocks() {
    let api = FakeApi::start(|_, _| jane());
    let repo = Repo::new();
    let t = token();
    repo.stage("config/app.env", format!("INTERCOM_ACCESS_TOKEN={t}\n"));
    let json = guard(
        &repo,
        &["pre-commit", "--verify", "--format", "json"],
        &api.base(""),
        &[],
    );
    json.assert_code(1);
    assert_eq!(status(&json.findings()[0]), "live");
    let human = guard(
        &repo,
        &["pre-commit", "--verify", "--color", "never"],
        &api.base(""),
        &[],
    );
    human.assert_code(1);
    assert!(
        human
            .stderr
            .contains("LIVE — admin Jane Doe <jane@acme.test>"),
        "{human:?}"
    );
    assert!(
        human
            .stderr
            .contains("https://app.eu.intercom.com/a/apps/abc123/developer-hub"),
        "{human:?}"
    );
    assert!(!human.all().contains(&t));
    assert_eq!(api.sent(&t), 2, "once per run");
}

#[test]
fn pre_push_and_history_verify_what_they_find() {
    let api = FakeApi::start(|_, _| Reply::unauthorized());
    let repo = Repo::new();
    repo.write("README.md", "hi\n");
    repo.commit_all("init");
    let _server = Server::new(&repo);
    assert_eq!(push(&repo, &["origin", "main"]).code, 0);
    let t = token();
    repo.write("deploy/.env", format!("INTERCOM_ACCESS_TOKEN={t}\n"));
    repo.commit_all("leak");

    let history = guard(
        &repo,
        &["history", "--verify", "--format", "json"],
        &api.base(""),
        &[],
    );
    history.assert_code(1);
    assert_eq!(status(&history.findings()[0]), "revoked", "{history:?}");

    let hook = repo.path().join(".git/hooks/pre-push");
    let report = repo.path().join("../pre-push.json");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\nexec '{}' pre-push --verify --format json \"$@\" > '{}'\n",
            bin(),
            report.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let pushed = repo.git_run_with(&["push", "origin", "main"], |c| {
        c.env(API_URL, api.base(""));
    });
    assert_ne!(pushed.code, 0, "a revoked token still blocks: {pushed:?}");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).expect("JSON report");
    assert_eq!(status(&doc["findings"][0]), "revoked", "{doc}");
    assert_eq!(api.sent(&t), 2, "once in each run");
}

/// A work repository with a token committed, and a server whose
/// pre-receive hook runs the binary with `hook_args`, its own configuration
/// holding `config` (none when empty).
fn server_with(config: &str, hook_args: &str) -> (Repo, Server, String) {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("init");
    let server = Server::new(&repo);
    assert_eq!(push(&repo, &["origin", "main"]).code, 0);
    if !config.is_empty() {
        std::fs::write(server.path.join("guard.yaml"), config).unwrap();
        let set = server.git(&repo, &["config", "intercom-guard.config", "guard.yaml"]);
        assert_eq!(set.code, 0, "{set:?}");
    }
    server.install_hook(hook_args);
    let t = token();
    repo.write("app.env", format!("INTERCOM_ACCESS_TOKEN={t}\n"));
    repo.commit_all("leak");
    (repo, server, t)
}

fn push_with_api(repo: &Repo, api: &FakeApi) -> Run {
    repo.git_run_with(&["push", "--porcelain", "origin", "main"], |c| {
        c.env(API_URL, api.base(""));
    })
}

#[test]
fn pre_receive_verifies_nothing_by_default_not_even_with_the_flag() {
    let api = FakeApi::start(|_, _| jane());
    let (repo, _server, _) = server_with("", "");
    let run = push_with_api(&repo, &api);
    assert_ne!(run.code, 0, "refused: {run:?}");
    assert!(!remote_lines(&run).join("\n").contains("LIVE"), "{run:?}");

    let (repo, _server, _) = server_with("", "--verify");
    let run = push_with_api(&repo, &api);
    assert_ne!(run.code, 0, "refused: {run:?}");
    let text = remote_lines(&run).join("\n");
    assert!(text.contains("pre-receive ignores --verify"), "{text}");
    assert!(!text.contains("LIVE"), "{text}");
    assert!(api.requests().is_empty(), "{:?}", api.requests());
}

#[test]
fn pre_receive_verifies_when_the_servers_configuration_says_so() {
    let api = FakeApi::start(|_, _| jane());
    let (repo, _server, t) = server_with("verify: true\n", "");
    let run = push_with_api(&repo, &api);
    assert_ne!(run.code, 0, "a live token is refused: {run:?}");
    let text = remote_lines(&run).join("\n");
    assert!(
        text.contains(
            "LIVE — admin Jane Doe <jane@acme.test> of workspace \"Acme\" (app abc123, eu)"
        ),
        "{text}"
    );
    assert!(
        text.contains("https://app.eu.intercom.com/a/apps/abc123/developer-hub"),
        "{text}"
    );
    assert_eq!(api.sent(&t), 1);
    assert!(!run.stderr.contains(&t));
}

#[test]
fn verify_true_in_the_configuration_turns_it_on_and_config_says_where_from() {
    let api = FakeApi::start(|_, _| jane());
    let dir = Scratch::new();
    let t = token();
    dir.write(".intercom-guard.yaml", "verify: true\n");
    dir.write("a.env", format!("INTERCOM_ACCESS_TOKEN={t}\n"));
    let run = guard(
        &dir,
        &["scan", "a.env", "--format", "json"],
        &api.base(""),
        &[],
    );
    run.assert_code(1);
    assert_eq!(status(&run.findings()[0]), "live", "{run:?}");
    assert_eq!(api.sent(&t), 1);

    let config = guard(&dir, &["config", "--format", "json"], &api.base(""), &[]);
    config.assert_code(0);
    let doc = config.json();
    assert_eq!(doc["values"]["verify"]["value"], true, "{doc}");
    assert!(
        doc["values"]["verify"]["from"]
            .as_str()
            .is_some_and(|f| f.ends_with(".intercom-guard.yaml:1")),
        "{doc}"
    );
    let flag = guard(
        &Scratch::new(),
        &["config", "--verify", "--format", "json"],
        "",
        &[],
    );
    assert_eq!(flag.json()["values"]["verify"]["from"], "--verify");
}
