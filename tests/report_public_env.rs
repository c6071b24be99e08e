//! A secret's name shipped to the browser, through the binary: the name is
//! the finding (rule `intercom-secret-public-env`), shown in full since it
//! is no secret, with the fingerprint of the normalised name and guidance
//! of its own; a value given to it is a second finding, redacted as any
//! secret. `explain public-env` prints the steps.

mod common;

use common::Scratch;
use sha2::{Digest, Sha256};

const NAME: &str = "NEXT_PUBLIC_INTERCOM_IDENTITY_SECRET";
const VALUE: &str = "Hq4Zt8Wm2Lx6Vc9Rn3Kb7Pd1Jy5Gs0Fa";

fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn setup() -> Scratch {
    let s = Scratch::new();
    s.write(
        ".env.local",
        format!("NEXT_PUBLIC_INTERCOM_APP_ID=abc12def\n{NAME}={VALUE}\n"),
    );
    s.write(
        "src/Chat.tsx",
        format!("const hash = hmac(user.id, process.env.{NAME});\n"),
    );
    s
}

#[test]
fn json_names_the_variable_in_full_and_fingerprints_its_normalised_name() {
    let s = setup();
    let run = s.guard(&["scan", ".", "--format", "json"]);
    run.assert_code(1);
    let findings = run.findings();
    let public: Vec<_> = findings
        .iter()
        .filter(|f| f["rule_id"] == "intercom-secret-public-env")
        .collect();
    assert_eq!(
        public.len(),
        2,
        "the .env line and the component: {findings:?}"
    );
    for f in &public {
        assert_eq!(f["redacted"], NAME);
        assert_eq!(f["kind"], "identity_secret");
        assert_eq!(
            f["fingerprint"],
            sha256_hex(b"nextpublicintercomidentitysecret")
        );
    }
    let value: Vec<_> = findings
        .iter()
        .filter(|f| f["rule_id"] == "intercom-identity-secret")
        .collect();
    assert_eq!(value.len(), 1, "{findings:?}");
    assert_ne!(value[0]["redacted"], VALUE);
    assert!(!run.all().contains(VALUE), "{}", run.all());
}

#[test]
fn human_shows_the_name_hides_the_value_and_says_why_and_what_to_do() {
    let s = setup();
    let run = s.guard_with(&["scan", ".", "--color", "never"], |c| {
        c.env("COLUMNS", "100");
    });
    run.assert_code(1);
    let out = run.all();
    assert!(out.contains(NAME), "{out}");
    assert!(!out.contains(VALUE), "{out}");
    for needle in [
        "shipped to the browser",
        "every visitor",
        "must stay on the server",
        "user_hash",
        "INTERCOM_IDENTITY_SECRET",
        "the secret is published: rotate it",
    ] {
        assert!(out.contains(needle), "{needle:?} in {out}");
    }
}

#[test]
fn explain_public_env_prints_the_steps() {
    let s = Scratch::new();
    for topic in ["public-env", "intercom-secret-public-env"] {
        let run = s.guard_with(&["explain", topic], |c| {
            c.env("COLUMNS", "80");
        });
        run.assert_code(0);
        for needle in [
            "shipped to the browser",
            "must stay on the server",
            "user_hash",
            "regenerate it:",
            "revoke the old one",
            "git filter-repo --replace-text",
            "fingerprints:",
        ] {
            assert!(
                run.stdout.contains(needle),
                "{topic}: {needle:?} in {}",
                run.stdout
            );
        }
    }
    let run = s.guard(&["explain", "no-such-kind"]);
    run.assert_code(2);
    assert!(run.all().contains("public-env"), "{}", run.all());
}
