//! An exported XLSForm opens cleanly in LibreOffice, the office suite the province's staff
//! have: converted to CSV headless, its survey sheet has the rows the definition has; and
//! saved again by LibreOffice as .xlsx (as an admin editing it would), it imports to the
//! same definition.
//!
//! Needs `soffice` (Debian's `libreoffice-calc-nogui`, which `cargo xtask test` installs):
//! without it the test skips with a message, except in CI (`CI=true`), where it fails, as
//! the server's print test does.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{reference, shipped};

fn soffice_present() -> bool {
    let found =
        std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("soffice").is_file()));
    if found {
        return true;
    }
    let hint = "apt-get install libreoffice-calc-nogui, or run `cargo xtask test`";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("soffice not found, and CI=true: the LibreOffice test must run in CI ({hint})");
    }
    eprintln!("skipping: soffice not found ({hint})");
    false
}

/// `soffice --headless --convert-to <to>` of `file` into `dir`, with a profile of its own
/// (tests run in parallel, and a profile in use is locked).
fn convert(file: &Path, to: &str, dir: &Path) {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.path().display()))
        .args(["--headless", "--norestore", "--nolockcheck", "--convert-to", to, "--outdir"])
        .arg(dir)
        .arg(file)
        .env("HOME", profile.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("soffice starts");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "soffice --convert-to {to}: {status}");
            return;
        }
        if start.elapsed() > Duration::from_secs(300) {
            child.kill().ok();
            child.wait().ok();
            panic!("soffice --convert-to {to}: still running after 5 minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// RFC 4180 CSV as LibreOffice writes it: `"` quotes a field, `""` is a quote.
fn csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = vec![];
    let (mut row, mut field, mut quoted) = (vec![], String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            ('\r', false) => {}
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[test]
fn libreoffice_opens_the_export_and_saves_it_back_importable() {
    if !soffice_present() {
        return;
    }
    let reference = reference();
    let dir = tempfile::tempdir().unwrap();
    let (path, def, figures) = shipped().into_iter().find(|(p, _, _)| p == "training_session/v2.toml").unwrap();
    let xlsx = dir.path().join("training_session_v2.xlsx");
    std::fs::write(&xlsx, xlsform::export(&def, figures.as_ref(), &reference).unwrap()).unwrap();

    // The first sheet (survey) as UTF-8 CSV: filter options 44 (,) 34 (") 76 (UTF-8).
    convert(&xlsx, "csv:Text - txt - csv (StarCalc):44,34,76,1", dir.path());
    let text = std::fs::read_to_string(dir.path().join("training_session_v2.csv")).unwrap();
    let rows = csv(&text);
    assert_eq!(rows[0][..4], ["type", "name", "label::Tiếng Việt (vi)", "label::English (en)"]);
    let mut expected = Vec::new();
    for s in &def.sections {
        expected.push(("begin group".to_owned(), s.id.clone()));
        for f in &s.fields {
            expected.push((f.field_type.as_str().to_owned(), f.name.clone()));
        }
        expected.push(("end group".to_owned(), String::new()));
    }
    let got: Vec<(String, String)> = rows[1..].iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    assert_eq!(got.len(), expected.len(), "{path}: one survey row per section boundary and question\n{text}");
    for ((t, name), (want_type, want_name)) in got.iter().zip(&expected) {
        assert_eq!(name, want_name);
        // `select_one topic`, and a long text is `text` with appearance multiline.
        let head = t.split(' ').next().unwrap();
        let want = if want_type == "long_text" { "text" } else { want_type.as_str() };
        assert!(t.starts_with(want) || head == want, "{name}: type {t}, expected {want_type}");
    }
    let topic = rows.iter().find(|r| r[1] == "topic_other").unwrap();
    assert_eq!(topic[7], "selected(${topic}, 'other')", "the relevant column, in XLSForm syntax");
    assert!(rows.iter().any(|r| r[1] == "start_date" && r[2] == "Ngày bắt đầu"), "Vietnamese survives the trip");

    // Saved again by LibreOffice, it imports to the same definition.
    let again = dir.path().join("again");
    convert(&xlsx, "xlsx:Calc MS Excel 2007 XML", &again);
    let bytes = std::fs::read(again.join("training_session_v2.xlsx")).unwrap();
    let imported = xlsform::import(&bytes, &reference).unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(imported.definition, def);
    assert_eq!(imported.figures, common::figures_of(&def, figures.as_ref()));
}
