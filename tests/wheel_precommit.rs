//! The install route that needs no Rust: the wheel built with maturin
//! (`pyproject.toml`, `bindings = "bin"`) and the pre-commit hook repository
//! made from `packaging/pre-commit-mirror/` (`language: python`, depending on
//! `intercom-guard==<version>`), tested for real and offline.
//!
//! - maturin is installed from PyPI into `target/wheel-venv`, and builds the
//!   wheel once into `target/wheel-dist` (cargo's output in
//!   `target/wheel-target`). The wheel is rebuilt only when what goes into it
//!   changed: the key is a hash of Cargo.toml, Cargo.lock, pyproject.toml,
//!   README.md, LICENSE and src/.
//! - `target/wheel-dist` also holds the setuptools wheel that pip needs to
//!   build the mirror's package, fetched beforehand with `pip download`.
//! - A git repository is made from the template in a temporary folder, a
//!   throw-away repository points the real pre-commit framework at it, and
//!   every command runs with `PIP_NO_INDEX=1 PIP_FIND_LINKS=target/wheel-dist`
//!   and a PATH of only the framework's venv and `/usr/bin:/bin`, on which
//!   neither `cargo` nor an `intercom-guard` is found: the binary that runs
//!   is the wheel's, installed by the framework.
//!
//! The fast test keeps the template in step with the crate: its version pins
//! are Cargo.toml's, its hooks are the root `.pre-commit-hooks.yaml`'s.

mod support_precommit;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde::Deserialize;
use sha2::{Digest, Sha256};
use support_precommit::{
    Framework, Output, TempRepo, cache_root, crate_dir, ensure_venv, fake_access_token,
    find_on_path, run, yaml_quote,
};

/// What the wheel is built with (the `requires` of pyproject.toml).
const MATURIN_REQUIREMENT: &str = "maturin>=1.9,<2.0";
/// What the mirror's package is built with (its pyproject.toml's `requires`).
const SETUPTOOLS_REQUIREMENT: &str = "setuptools>=77";
/// A release build of the crate on two cores with a cold cache.
const BUILD_LIMIT: Duration = Duration::from_secs(45 * 60);
const STEP_LIMIT: Duration = Duration::from_secs(5 * 60);
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// One hook of a `.pre-commit-hooks.yaml`; unknown keys are an error, so a
/// key added to one file and not the other is seen.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Hook {
    id: String,
    name: String,
    description: String,
    language: String,
    entry: String,
    pass_filenames: bool,
    always_run: bool,
    stages: Vec<String>,
    minimum_pre_commit_version: String,
}

fn hooks(path: &Path) -> BTreeMap<String, Hook> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let list: Vec<Hook> =
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut by_id = BTreeMap::new();
    for hook in list {
        let id = hook.id.clone();
        assert!(
            by_id.insert(id.clone(), hook).is_none(),
            "{}: hook id {id} twice",
            path.display()
        );
    }
    by_id
}

fn mirror_dir() -> PathBuf {
    crate_dir().join("packaging").join("pre-commit-mirror")
}

/// The `[project]` table's lines of a pyproject.toml (up to the next table).
fn project_table(text: &str) -> Vec<&str> {
    text.lines()
        .skip_while(|l| l.trim() != "[project]")
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with('['))
        .collect()
}

#[test]
fn mirror_template_pins_the_crate_version_and_has_the_root_hooks() {
    // The mirror's package: its own version and its pin are Cargo.toml's.
    let text = fs::read_to_string(mirror_dir().join("pyproject.toml")).expect("mirror pyproject");
    let project = project_table(&text);
    let versions: Vec<&str> = project
        .iter()
        .filter_map(|l| l.trim().strip_prefix("version = "))
        .map(|v| v.trim_matches('"'))
        .collect();
    assert_eq!(
        versions,
        [VERSION],
        "packaging/pre-commit-mirror/pyproject.toml's version must be Cargo.toml's"
    );
    let pins: Vec<&str> = text
        .match_indices("intercom-guard==")
        .map(|(at, pin)| {
            let rest = &text[at + pin.len()..];
            &rest[..rest.find('"').expect("a quoted requirement")]
        })
        .collect();
    assert_eq!(
        pins,
        [VERSION],
        "packaging/pre-commit-mirror/pyproject.toml must depend on intercom-guard=={VERSION}, \
         the version of Cargo.toml"
    );

    // The mirror's hooks are the root's `language: rust` hooks, field for
    // field, with `language: python`.
    let root = hooks(&crate_dir().join(".pre-commit-hooks.yaml"));
    let mirror = hooks(&mirror_dir().join(".pre-commit-hooks.yaml"));
    let rust: BTreeMap<_, _> = root
        .iter()
        .filter(|(_, h)| h.language == "rust")
        .map(|(id, h)| (id.clone(), h.clone()))
        .collect();
    assert_eq!(
        rust.keys().collect::<Vec<_>>(),
        ["intercom-guard", "intercom-guard-pre-push"]
    );
    assert_eq!(
        mirror.keys().collect::<Vec<_>>(),
        rust.keys().collect::<Vec<_>>()
    );
    for (id, hook) in &mirror {
        assert_eq!(hook.language, "python", "mirror hook {id}");
        let as_rust = Hook {
            language: "rust".into(),
            ..hook.clone()
        };
        assert_eq!(
            &as_rust, &rust[id],
            "mirror hook {id} differs from the root's"
        );
    }

    // The system hook: the pre-commit hook with the binary on PATH.
    let system = root
        .get("intercom-guard-system")
        .expect("root .pre-commit-hooks.yaml has intercom-guard-system");
    assert_eq!(system.language, "system");
    assert_eq!(system.entry, root["intercom-guard"].entry);
    assert_eq!(system.stages, root["intercom-guard"].stages);
    assert!(!system.pass_filenames && system.always_run);

    // The wheel takes its version from Cargo.toml and installs the binary.
    let root_py = fs::read_to_string(crate_dir().join("pyproject.toml")).expect("pyproject.toml");
    let project = project_table(&root_py);
    assert!(
        project
            .iter()
            .any(|l| l.trim() == r#"dynamic = ["version"]"#)
            && !project.iter().any(|l| l.trim().starts_with("version")),
        "pyproject.toml must take the version from Cargo.toml (dynamic), not write one"
    );
    assert!(root_py.lines().any(|l| l.trim() == r#"bindings = "bin""#));
    assert!(
        root_py.contains(&format!("\"{MATURIN_REQUIREMENT}\"")),
        "the test builds with the maturin of pyproject.toml's build-system"
    );
    let template = fs::read_to_string(mirror_dir().join("pyproject.toml")).unwrap();
    assert!(
        template.contains(&format!("\"{SETUPTOOLS_REQUIREMENT}\"")),
        "the test provides the setuptools the mirror's build-system asks for"
    );
}

/// The built wheel and the folder pip finds it in.
struct Wheel {
    dist: PathBuf,
    file: PathBuf,
    venv: PathBuf,
}

/// A hash of everything maturin puts in the wheel.
fn source_key() -> String {
    fn add(hasher: &mut Sha256, root: &Path, path: &Path) {
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = fs::read_dir(path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .map(|e| e.expect("dir entry").path())
                .collect();
            entries.sort();
            for entry in entries {
                add(hasher, root, &entry);
            }
        } else {
            let rel = path.strip_prefix(root).expect("inside the crate");
            let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            hasher.update(rel.to_string_lossy().as_bytes());
            hasher.update([0]);
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(&bytes);
        }
    }
    let root = crate_dir();
    let mut hasher = Sha256::new();
    hasher.update(MATURIN_REQUIREMENT.as_bytes());
    for item in [
        "Cargo.toml",
        "Cargo.lock",
        "pyproject.toml",
        "README.md",
        "LICENSE",
        "src",
    ] {
        add(&mut hasher, &root, &root.join(item));
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn intercom_guard_wheels(dist: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dist)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("intercom_guard-") && n.ends_with(".whl"))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// The wheel, built once per change of its sources (and once per test
/// binary at most, however many tests ask).
fn wheel() -> &'static Wheel {
    static WHEEL: OnceLock<Wheel> = OnceLock::new();
    WHEEL.get_or_init(build_wheel)
}

fn build_wheel() -> Wheel {
    let root = cache_root();
    let scratch = root.join("precommit-scratch");
    fs::create_dir_all(&scratch).expect("create target/precommit-scratch");
    let venv = root.join("wheel-venv");
    ensure_venv(&venv, &[MATURIN_REQUIREMENT], &scratch);
    let dist = root.join("wheel-dist");
    fs::create_dir_all(&dist).expect("create target/wheel-dist");

    // What pip needs to build the mirror's package with no index.
    let setuptools_marker = dist.join(".setuptools");
    if fs::read_to_string(&setuptools_marker).ok().as_deref() != Some(SETUPTOOLS_REQUIREMENT) {
        let mut download = Command::new(venv.join("bin").join("python"));
        download
            .args([
                "-m",
                "pip",
                "download",
                "--quiet",
                "--disable-pip-version-check",
                "--no-input",
                "--only-binary=:all:",
                "--no-deps",
                "--dest",
            ])
            .arg(&dist)
            .arg(SETUPTOOLS_REQUIREMENT);
        let out = run(download, STEP_LIMIT, &scratch);
        if !out.success() {
            panic!("could not download {SETUPTOOLS_REQUIREMENT} from PyPI:\n{out}");
        }
        fs::write(&setuptools_marker, SETUPTOOLS_REQUIREMENT).expect("write marker");
    }

    let key = source_key();
    let key_file = dist.join(".intercom-guard-key");
    let existing = intercom_guard_wheels(&dist);
    if fs::read_to_string(&key_file).ok().as_deref() == Some(key.as_str()) && existing.len() == 1 {
        eprintln!("reusing {} (sources unchanged)", existing[0].display());
    } else {
        for old in existing {
            fs::remove_file(&old).unwrap_or_else(|e| panic!("{}: {e}", old.display()));
        }
        let _ = fs::remove_file(&key_file);
        let mut build = Command::new(venv.join("bin").join("maturin"));
        build
            .current_dir(crate_dir())
            .args(["build", "--release", "--out"])
            .arg(&dist)
            .env("CARGO_TARGET_DIR", root.join("wheel-target"));
        let out = run(build, BUILD_LIMIT, &scratch);
        if !out.success() {
            panic!("maturin could not build the wheel:\n{out}");
        }
        eprintln!(
            "built the wheel with maturin in {:.1}s:\n{}",
            out.elapsed.as_secs_f64(),
            out.all()
        );
        fs::write(&key_file, &key).expect("write the wheel's key");
    }
    let wheels = intercom_guard_wheels(&dist);
    assert_eq!(
        wheels.len(),
        1,
        "one intercom-guard wheel in {}",
        dist.display()
    );
    Wheel {
        dist,
        file: wheels[0].clone(),
        venv,
    }
}

#[test]
fn wheel_holds_the_binary_with_the_crate_version_and_license() {
    let wheel = wheel();
    let name = wheel
        .file
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    // A binary wheel: any Python 3, no Python ABI, this platform.
    let prefix = format!("intercom_guard-{VERSION}-py3-none-");
    assert!(name.starts_with(&prefix), "wheel file name {name}");
    assert!(
        !name.ends_with("-any.whl"),
        "a binary wheel is per platform: {name}"
    );

    // List the wheel and read its METADATA with Python's zipfile.
    let script = "import sys, zipfile\n\
                  z = zipfile.ZipFile(sys.argv[1])\n\
                  names = z.namelist()\n\
                  print('\\n'.join(names))\n\
                  print('----')\n\
                  meta = [n for n in names if n.endswith('.dist-info/METADATA')]\n\
                  print(z.read(meta[0]).decode())\n";
    let mut py = Command::new(wheel.venv.join("bin").join("python"));
    py.args(["-c", script]).arg(&wheel.file);
    let out = run(py, STEP_LIMIT, &cache_root().join("precommit-scratch")).expect_success();
    let (names, metadata) = out
        .stdout
        .split_once("----\n")
        .expect("listing and METADATA");
    let names: Vec<&str> = names.lines().collect();
    let data = format!("intercom_guard-{VERSION}.data/scripts/intercom-guard");
    assert!(
        names.contains(&data.as_str()),
        "the wheel does not install the executable ({data}):\n{names:#?}"
    );
    let license = format!("intercom_guard-{VERSION}.dist-info/licenses/LICENSE");
    assert!(
        names.contains(&license.as_str()),
        "the wheel does not carry LICENSE:\n{names:#?}"
    );
    assert!(
        names
            .iter()
            .all(|n| !n.ends_with(".py") && !n.ends_with(".so")),
        "a binary wheel holds no Python code or extension:\n{names:#?}"
    );
    let fields: Vec<&str> = metadata.lines().take_while(|l| !l.is_empty()).collect();
    for want in [
        "Name: intercom-guard".to_owned(),
        format!("Version: {VERSION}"),
        "License-Expression: MIT".to_owned(),
        "License-File: LICENSE".to_owned(),
    ] {
        assert!(
            fields.contains(&want.as_str()),
            "METADATA lacks `{want}`:\n{metadata}"
        );
    }
}

/// The environment a person without Rust commits in: the framework's venv
/// and the system folders on PATH, pip offline with the wheel as its only
/// source, and the framework's and pip's caches fresh.
struct Offline {
    path: OsString,
    home: PathBuf,
    pip_cache: PathBuf,
    app_data: PathBuf,
    find_links: PathBuf,
}

impl Offline {
    fn apply(&self, cmd: &mut Command) {
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy().into_owned();
            if k.starts_with("PIP_") || k.starts_with("VIRTUALENV_") || k.starts_with("CARGO") {
                cmd.env_remove(k);
            }
        }
        cmd.env("PATH", &self.path)
            .env("PRE_COMMIT_HOME", &self.home)
            .env("PIP_NO_INDEX", "1")
            .env("PIP_FIND_LINKS", &self.find_links)
            .env("PIP_CONFIG_FILE", "/dev/null")
            .env("PIP_CACHE_DIR", &self.pip_cache)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .env("VIRTUALENV_OVERRIDE_APP_DATA", &self.app_data);
    }
}

fn run_in(repo: &TempRepo, fw: &Framework, env: &Offline, program: &Path, args: &[&str]) -> Output {
    let mut cmd = repo.command(fw, program);
    env.apply(&mut cmd);
    cmd.args(args);
    let out = run(cmd, STEP_LIMIT, &fw.scratch);
    eprintln!("{out}");
    out
}

fn git_in(dir: &Path, repo: &TempRepo, fw: &Framework, env: &Offline, args: &[&str]) -> Output {
    let mut cmd = fw.command_in(Path::new("git"), dir);
    cmd.env("GIT_CONFIG_GLOBAL", &repo.gitconfig);
    env.apply(&mut cmd);
    cmd.args(args);
    run(cmd, STEP_LIMIT, &fw.scratch)
}

/// Copies the template (dotfiles too) into `to`.
fn copy_template(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create mirror dir");
    for entry in fs::read_dir(from).expect("read the template") {
        let entry = entry.expect("template entry");
        let dest = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_template(&entry.path(), &dest);
        } else {
            fs::copy(entry.path(), &dest).expect("copy a template file");
        }
    }
}

/// The `intercom-guard` executables in the framework's hook environments.
fn hook_env_binaries(home: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for repo in fs::read_dir(home).into_iter().flatten().flatten() {
        for env in fs::read_dir(repo.path()).into_iter().flatten().flatten() {
            let bin = env.path().join("bin").join("intercom-guard");
            if env.file_name().to_string_lossy().starts_with("py_env-") && bin.is_file() {
                found.push(bin);
            }
        }
    }
    found
}

#[test]
fn mirror_hook_from_the_wheel_blocks_a_leak_offline_without_cargo() {
    let fw = Framework::ready();
    let wheel = wheel();
    let tmp = tempfile::Builder::new()
        .prefix("intercom-guard-wheel-")
        .tempdir()
        .expect("temp dir");

    let path = std::env::join_paths([
        fw.venv.join("bin"),
        PathBuf::from("/usr/bin"),
        PathBuf::from("/bin"),
    ])
    .expect("PATH");
    for absent in ["cargo", "rustc", "intercom-guard"] {
        if let Some(found) = find_on_path(absent, &path) {
            panic!(
                "`{absent}` is on the short PATH ({}), so this test cannot show that the \
                 hook needs no Rust and runs the wheel's binary",
                found.display()
            );
        }
    }
    let env = Offline {
        path,
        home: tmp.path().join("pre-commit-home"),
        pip_cache: tmp.path().join("pip-cache"),
        app_data: tmp.path().join("virtualenv-data"),
        find_links: wheel.dist.clone(),
    };
    let repo = TempRepo::new();

    // The hook repository, made from the template as committed.
    let mirror = tmp.path().join("mirror");
    copy_template(&mirror_dir(), &mirror);
    let tag = format!("v{VERSION}");
    for args in [
        &["init", "--quiet"][..],
        &["add", "--all"],
        &["commit", "--quiet", "-m", "intercom-guard hooks"],
        &["tag", &tag],
    ] {
        git_in(&mirror, &repo, &fw, &env, args).expect_success();
    }

    run_in(&repo, &fw, &env, Path::new("git"), &["init", "--quiet"]).expect_success();
    repo.write(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {}\n    rev: {tag}\n    hooks:\n      - id: intercom-guard\n      \
             - id: intercom-guard-pre-push\n",
            yaml_quote(&mirror.to_string_lossy())
        ),
    );

    // 1. From `pre-commit install` to the first refused commit: the
    //    framework makes the hook's virtualenv and pip installs the mirror's
    //    package and the wheel, offline.
    let started = Instant::now();
    run_in(&repo, &fw, &env, &fw.pre_commit_bin(), &["install"]).expect_success();
    let token = fake_access_token();
    repo.write(
        "config/intercom.yml",
        &format!("intercom:\n  access_token: {token}\n"),
    );
    run_in(&repo, &fw, &env, Path::new("git"), &["add", "--all"]).expect_success();
    let out = run_in(
        &repo,
        &fw,
        &env,
        Path::new("git"),
        &["commit", "-m", "leak"],
    );
    let to_first_refusal = started.elapsed();
    let all = out.all();
    assert!(!out.success(), "a commit with a token went through:\n{out}");
    assert_eq!(repo.commit_count(&fw), 0, "the refused commit was created");
    assert!(
        all.contains("Failed") && all.contains("exit code: 1"),
        "the hook did not run and find something (exit 1); an install failure shows here:\n{out}"
    );
    assert!(all.contains("config/intercom.yml"), "no location:\n{out}");
    assert!(!all.contains(&token), "the full token was printed:\n{out}");

    // The binary that ran is the wheel's, in the framework's environment.
    let binaries = hook_env_binaries(&env.home);
    assert_eq!(
        binaries.len(),
        1,
        "one hook env with intercom-guard: {binaries:?}"
    );
    let mut version = Command::new(&binaries[0]);
    version.arg("--version");
    let out = run(version, STEP_LIMIT, &fw.scratch).expect_success();
    assert!(
        out.stdout.contains(VERSION),
        "the hook env's binary is not version {VERSION}:\n{out}"
    );

    // 2. The same file reading the token from the environment is accepted.
    repo.write(
        "config/intercom.yml",
        "intercom:\n  access_token: ${INTERCOM_ACCESS_TOKEN}\n",
    );
    run_in(&repo, &fw, &env, Path::new("git"), &["add", "--all"]).expect_success();
    let out = run_in(
        &repo,
        &fw,
        &env,
        Path::new("git"),
        &["commit", "-m", "clean"],
    );
    assert!(out.success(), "a clean commit was refused:\n{out}");
    assert!(out.all().contains("Passed"), "the hook did not run:\n{out}");
    assert_eq!(repo.commit_count(&fw), 1);

    // 3. The mirror's pre-push hook refuses a push of a leaking commit that
    //    bypassed the pre-commit hook.
    let remote = tmp.path().join("remote.git");
    git_in(
        tmp.path(),
        &repo,
        &fw,
        &env,
        &["init", "--quiet", "--bare", &remote.to_string_lossy()],
    )
    .expect_success();
    let remote = remote.to_string_lossy().into_owned();
    run_in(
        &repo,
        &fw,
        &env,
        Path::new("git"),
        &["push", "--quiet", &remote, "main"],
    )
    .expect_success();
    run_in(
        &repo,
        &fw,
        &env,
        &fw.pre_commit_bin(),
        &["install", "--hook-type", "pre-push"],
    )
    .expect_success();
    repo.write(
        "src/client.js",
        &format!("module.exports = {{ Authorization: 'Bearer {token}' }};\n"),
    );
    run_in(
        &repo,
        &fw,
        &env,
        Path::new("git"),
        &["add", "src/client.js"],
    )
    .expect_success();
    run_in(
        &repo,
        &fw,
        &env,
        Path::new("git"),
        &["commit", "--no-verify", "-m", "bypass"],
    )
    .expect_success();
    let out = run_in(
        &repo,
        &fw,
        &env,
        Path::new("git"),
        &["push", &remote, "main"],
    );
    assert!(
        !out.success(),
        "a push of a leaking commit went through:\n{out}"
    );
    assert!(
        out.all().contains("exit code: 1") && out.all().contains("src/client.js"),
        "the pre-push hook did not run and name the file:\n{out}"
    );
    assert!(
        !out.all().contains(&token),
        "the full token was printed:\n{out}"
    );

    eprintln!(
        "wheel route: `pre-commit install` to the first refused commit took {:.1}s \
         (wheel already built)",
        to_first_refusal.as_secs_f64()
    );
}

/// The release's standalone archives are made from the wheels by
/// packaging/release_archive.py: the archive of this platform's wheel holds
/// a binary that runs, with LICENSE and README.md.
#[test]
fn release_archive_from_the_wheel_holds_a_binary_that_runs() {
    let wheel = wheel();
    let tmp = tempfile::tempdir().expect("temp dir");
    let scratch = cache_root().join("precommit-scratch");
    let script = crate_dir().join("packaging").join("release_archive.py");
    let python = wheel.venv.join("bin").join("python");
    let archive = |target: &str| {
        let mut cmd = Command::new(&python);
        cmd.arg(&script)
            .arg(&wheel.file)
            .arg(target)
            .arg(tmp.path().join("out"));
        let out = run(cmd, STEP_LIMIT, &scratch).expect_success();
        PathBuf::from(out.stdout.trim())
    };

    let target = "x86_64-unknown-linux-gnu";
    let tarball = archive(target);
    let base = format!("intercom-guard-{VERSION}-{target}");
    assert_eq!(
        tarball.file_name().unwrap().to_string_lossy(),
        format!("{base}.tar.gz")
    );
    let unpacked = tmp.path().join("unpacked");
    fs::create_dir_all(&unpacked).unwrap();
    let mut tar = Command::new("tar");
    tar.arg("-xzf").arg(&tarball).arg("-C").arg(&unpacked);
    run(tar, STEP_LIMIT, &scratch).expect_success();
    let folder = unpacked.join(&base);
    let mut names: Vec<String> = fs::read_dir(&folder)
        .expect("the archive's folder")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["LICENSE", "README.md", "intercom-guard"]);
    let mut version = Command::new(folder.join("intercom-guard"));
    version.arg("--version");
    let out = run(version, STEP_LIMIT, &scratch).expect_success();
    assert!(out.stdout.contains(VERSION), "{out}");

    // The same archive is reproducible, and Windows targets get a zip.
    let first = fs::read(&tarball).unwrap();
    assert_eq!(
        first,
        fs::read(archive(target)).unwrap(),
        "not reproducible"
    );
    let zip = archive("x86_64-pc-windows-msvc");
    assert_eq!(
        zip.file_name().unwrap().to_string_lossy(),
        format!("intercom-guard-{VERSION}-x86_64-pc-windows-msvc.zip")
    );
    let mut list = Command::new(&python);
    list.args(["-m", "zipfile", "-l"]).arg(&zip);
    let out = run(list, STEP_LIMIT, &scratch).expect_success();
    assert!(
        out.stdout.contains(&format!(
            "intercom-guard-{VERSION}-x86_64-pc-windows-msvc/intercom-guard"
        )),
        "{out}"
    );
}
