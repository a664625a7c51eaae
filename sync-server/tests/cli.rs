//! The administration CLI, run as the real binary on an embedded SQLite database.

use std::path::Path;
use std::process::{Command, Output};

fn run(data: &Path, args: &[&str], password: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sotay-sync-server"));
    c.arg("--data-dir").arg(data).args(args).env_remove("DATABASE_URL").env("RUST_LOG", "error");
    c.env_remove("SOTAY_PASSWORD");
    if let Some(p) = password {
        c.env("SOTAY_PASSWORD", p);
    }
    c.output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn users_enrolment_export_and_backup_from_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();

    let added = run(
        data,
        &["user", "add", "lan.nguyen", "--role", "collector", "--name", "Nguyễn Thị Lan", "--commune", "21025"],
        Some("mật-khẩu-dài"),
    );
    assert!(added.status.success(), "user add: {}", String::from_utf8_lossy(&added.stderr));
    let again =
        run(data, &["user", "add", "lan.nguyen", "--role", "collector", "--name", "X", "--commune", "21025"], None);
    assert_eq!(again.status.code(), Some(1), "a second user of the same name is refused");
    let no_commune = run(data, &["user", "add", "nobody", "--role", "collector", "--name", "X"], None);
    assert_eq!(no_commune.status.code(), Some(1), "a collector needs a commune");
    let not_a_commune =
        run(data, &["user", "add", "prov", "--role", "collector", "--name", "X", "--commune", "51"], None);
    assert_eq!(not_a_commune.status.code(), Some(1), "the province code is not a commune");

    let list = stdout(&run(data, &["user", "list"], None));
    assert!(list.contains("lan.nguyen\tcollector\tactive\t21025\tNguyễn Thị Lan"), "{list}");

    let enroll = run(data, &["--public-url", "https://sotay.example.vn", "enroll", "lan.nguyen"], None);
    let text = stdout(&enroll);
    assert!(enroll.status.success());
    assert!(text.contains("https://sotay.example.vn/#/enroll/"), "{text}");
    assert!(text.contains('█') || text.contains('▀') || text.contains('▄'), "a QR code is drawn");

    assert!(run(data, &["user", "disable", "lan.nguyen"], None).status.success());
    assert!(stdout(&run(data, &["user", "list"], None)).contains("lan.nguyen\tcollector\tdisabled"));
    let enroll_disabled = run(data, &["enroll", "lan.nguyen"], None);
    assert_eq!(enroll_disabled.status.code(), Some(1), "no enrolment for a disabled user");
    assert!(run(data, &["user", "enable", "lan.nguyen"], None).status.success());

    let reset = stdout(&run(data, &["user", "reset-password", "lan.nguyen"], None));
    assert!(reset.starts_with("new password for lan.nguyen: "), "{reset}");
    assert_eq!(run(data, &["user", "reset-password", "ghost"], None).status.code(), Some(1));

    let export_file = data.join("records.jsonl");
    let export = run(data, &["export", "--output", export_file.to_str().unwrap()], None);
    assert!(export.status.success());
    assert_eq!(std::fs::read_to_string(&export_file).unwrap(), "", "no records yet, no lines");

    let backup_file = data.join("copy.db");
    let backup = run(data, &["backup", backup_file.to_str().unwrap()], None);
    assert!(backup.status.success(), "{}", String::from_utf8_lossy(&backup.stderr));
    let header = std::fs::read(&backup_file).unwrap();
    assert!(header.starts_with(b"SQLite format 3\0"), "the backup is a SQLite database");
    let from_backup = stdout(&run(&backup_dir(&backup_file), &["user", "list"], None));
    assert!(from_backup.contains("lan.nguyen"), "the backup holds the users: {from_backup}");
}

/// A data folder whose `sotay.db` is the backup, to open it with the CLI.
fn backup_dir(backup: &Path) -> std::path::PathBuf {
    let dir = backup.parent().unwrap().join("restored");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(backup, dir.join("sotay.db")).unwrap();
    dir
}

#[test]
fn help_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let help = run(dir.path(), &["--help"], None);
    assert!(help.status.success());
    let text = stdout(&help);
    for command in ["serve", "user", "enroll", "export", "backup"] {
        assert!(text.contains(command), "--help lists {command}");
    }
    assert_eq!(run(dir.path(), &["frobnicate"], None).status.code(), Some(2), "usage errors exit 2");
    assert_eq!(run(dir.path(), &["user", "add", "x"], None).status.code(), Some(2), "missing --role is a usage error");
}
