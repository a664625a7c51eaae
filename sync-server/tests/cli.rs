//! The administration CLI, run as the real binary on an embedded SQLite database.

#[macro_use]
mod common;

use std::io::Cursor;
use std::path::Path;
use std::process::{Command, Output};

use calamine::{Data, Reader, Xlsx};
use forms::Catalog;
use sync_server::store::records::PreparedChange;
use sync_server::store::users::{NewUser, Role};
use sync_server::Db;

fn run(data: &Path, args: &[&str], password: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sotay-sync-server"));
    c.arg("--data-dir").arg(data).args(args).env_remove("DATABASE_URL").env("RUST_LOG", "error");
    c.env_remove("SOTAY_PASSWORD").env_remove("SOTAY_PUBLIC_URL").env_remove("SOTAY_PHOTO_STORE");
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

    // An agency's officer in charge: a supervisor with a known agency code only.
    let supervisor = |name: &str, agency: &str| {
        let args =
            ["user", "add", name, "--role", "supervisor", "--name", "Hoà", "--whole-province", "--agency", agency];
        run(data, &args, None)
    };
    let in_charge = supervisor("hoa", "so_noi_vu");
    assert!(in_charge.status.success(), "{}", String::from_utf8_lossy(&in_charge.stderr));
    assert_eq!(supervisor("hoa2", "so_khong_co").status.code(), Some(1), "an agency code the list lacks");
    let collector =
        ["user", "add", "thu", "--role", "collector", "--name", "Thu", "--commune", "21025", "--agency", "so_noi_vu"];
    assert_eq!(run(data, &collector, None).status.code(), Some(1), "only supervisors are in charge of an agency");

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

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

/// The data folder, the database and its WAL, backups, exports and reports hold password
/// hashes and answers: only the server's own user may read them, whatever the umask.
#[test]
fn files_the_server_writes_are_its_users_only() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // An earlier release left the folder readable by everyone.
    std::fs::create_dir_all(&data).unwrap();
    std::fs::set_permissions(&data, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let added = run(
        &data,
        &["user", "add", "admin2", "--role", "admin", "--name", "A", "--whole-province"],
        Some("mật-khẩu-dài"),
    );
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let report = data.join("annual.xlsx");
    let export = data.join("records.jsonl");
    let backup = dir.path().join("copy.db");
    for args in [
        vec!["report", "annual", "--year", "2025", "--out", report.to_str().unwrap()],
        vec!["export", "--output", export.to_str().unwrap()],
        vec!["backup", backup.to_str().unwrap()],
    ] {
        let o = run(&data, &args, None);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(mode(&data), 0o700, "the data folder");
    let mut files = vec![data.join("sotay.db"), report, export, backup];
    files.extend(["sotay.db-wal", "sotay.db-shm"].map(|f| data.join(f)).into_iter().filter(|p| p.exists()));
    for file in files {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

/// The last active admin cannot be disabled from the terminal either; a database whose
/// admins are all disabled (an older release allowed it) starts with a way out, not an error.
#[test]
fn the_last_admin_stays_and_a_start_without_one_says_how_to_recover() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    assert!(run(
        data,
        &["user", "add", "boss", "--role", "admin", "--name", "B", "--whole-province"],
        Some("mật-khẩu-dài")
    )
    .status
    .success());
    let refused = run(data, &["user", "disable", "boss"], None);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("last active admin"), "{refused:?}");

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let db = Db::connect(&Db::sqlite_url(data)).await.unwrap();
        sqlx::query("UPDATE users SET disabled = 1").execute(&db.pool).await.unwrap();
    });
    // 192.0.2.1 (TEST-NET-1) is no address of this machine: serve stops at the bind,
    // after what it says about the admins.
    let start = run(data, &["serve", "--listen", "192.0.2.1:8080"], None);
    let stderr = String::from_utf8_lossy(&start.stderr);
    assert!(stderr.contains("no administrator is active"), "{stderr}");
    assert!(stderr.contains("user enable") && stderr.contains("reset-password"), "{stderr}");
    assert!(!stderr.contains("already exists"), "{stderr}");
    assert!(
        stdout(&run(data, &["user", "list"], None)).lines().all(|l| !l.starts_with("admin\t")),
        "no second 'admin'"
    );
}

#[test]
fn help_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let help = run(dir.path(), &["--help"], None);
    assert!(help.status.success());
    let text = stdout(&help);
    for command in ["serve", "user", "enroll", "export", "report", "forms", "backup"] {
        assert!(text.contains(command), "--help lists {command}");
    }
    assert_eq!(run(dir.path(), &["frobnicate"], None).status.code(), Some(2), "usage errors exit 2");
    assert_eq!(run(dir.path(), &["user", "add", "x"], None).status.code(), Some(2), "missing --role is a usage error");
}

#[test]
fn reports_from_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    // One outreach event (22/11/2025, 61 participants: 37 women and girls, 56 from
    // minorities), stored through the library as a push stores it.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let db = Db::connect(&Db::sqlite_url(data)).await.unwrap();
        let catalog = Catalog::bundled().unwrap();
        let new = NewUser {
            username: "admin",
            display_name: "Quản trị",
            role: Role::Admin,
            password: None,
            whole_province: true,
            communes: &[],
        };
        let user = db.create_user(&new, catalog.reference()).await.unwrap();
        let record = common::record_of("outreach_event", 1, common::commune("21025"));
        let validated = catalog.validate_record(&record).unwrap();
        let form = catalog.form("outreach_event", 1).unwrap();
        let prepared = PreparedChange::new(common::new_change(&record), &validated, form, &catalog);
        db.apply_changes(&user, "cli-test", &user.scope(), catalog.reference(), vec![prepared]).await.unwrap();
        // A record of the version with the sign-in sheet photo, in another year.
        let mut with_photo = common::record_of("outreach_event", 2, common::commune("21025"));
        with_photo
            .values
            .insert("sign_in_sheet".into(), serde_json::json!([{ "sha256": "ab".repeat(32), "bytes": 1000 }]));
        with_photo.values.insert("event_date".into(), "2024-11-20".into());
        let validated = catalog.validate_record(&with_photo).unwrap();
        let form = catalog.form("outreach_event", 2).unwrap();
        let prepared = PreparedChange::new(common::new_change(&with_photo), &validated, form, &catalog);
        db.apply_changes(&user, "cli-test", &user.scope(), catalog.reference(), vec![prepared]).await.unwrap();
        db.pool.close().await;
    });

    let summary = run(data, &["report", "summary", "--year", "2025"], None);
    assert!(summary.status.success(), "{}", String::from_utf8_lossy(&summary.stderr));
    let json: serde_json::Value = serde_json::from_slice(&summary.stdout).expect("JSON on stdout");
    assert_eq!(json["totals"]["activities"], 1);
    assert_eq!(json["totals"]["participants"], serde_json::json!({ "male": 24, "female": 37, "total": 61 }));
    assert_eq!(json["totals"]["minority"]["total"], 56);
    let outside = run(data, &["report", "summary", "--from", "2025-11-23", "--to", "2025-12-31"], None);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&outside.stdout).unwrap()["totals"]["activities"], 0);

    let xlsx = data.join("bao-cao.xlsx");
    let annual = run(data, &["report", "annual", "--year", "2025", "--out", xlsx.to_str().unwrap()], None);
    assert!(annual.status.success(), "{}", String::from_utf8_lossy(&annual.stderr));
    let bytes = std::fs::read(&xlsx).unwrap();
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = workbook.worksheet_range("1. Truyền thông").unwrap();
    let row = sheet.rows().find(|r| r.get(1) == Some(&Data::String("21025".into()))).expect("a row for the commune");
    assert_eq!(row[3], Data::Float(1.0), "one activity");
    assert_eq!(row[4], Data::Float(61.0), "61 participants");

    let csv = data.join("bao-cao.csv");
    let annual =
        run(data, &["report", "annual", "--year", "2025", "--format", "csv", "--out", csv.to_str().unwrap()], None);
    assert!(annual.status.success());
    let text = std::fs::read(&csv).unwrap();
    assert!(text.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a byte-order mark");
    assert!(String::from_utf8(text).unwrap().contains("1,21025,Phường Cẩm Thành,1,61,24,37,60.7"));

    let raw = data.join("phieu.csv");
    let export = run(data, &["report", "raw", "--form", "outreach_event", "--out", raw.to_str().unwrap()], None);
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    let text = String::from_utf8(std::fs::read(&raw).unwrap()).unwrap();
    assert_eq!(text.lines().count(), 3, "a heading line and two records: {text}");
    let photo = format!("/photos/{}", "ab".repeat(32));
    assert!(text.contains(",/api/v1/records/") && text.contains(&photo), "a photo's path on the server: {text}");
    assert!(!text.contains("https://"), "no address given, no address made up: {text}");
    let linked = data.join("phieu-links.csv");
    let public = ["--public-url", "https://sotay.example.vn/", "report", "raw", "--form", "outreach_event"];
    let export = run(data, &[&public[..], &["--out", linked.to_str().unwrap()]].concat(), None);
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    let text = String::from_utf8(std::fs::read(&linked).unwrap()).unwrap();
    assert!(text.contains("https://sotay.example.vn/api/v1/records/"), "a full link from --public-url: {text}");
    assert!(text.contains(&photo), "{text}");
    let raw_xlsx = data.join("phieu.xlsx");
    let export = run(
        data,
        &["report", "raw", "--form", "outreach_event", "--format", "xlsx", "--out", raw_xlsx.to_str().unwrap()],
        None,
    );
    assert!(export.status.success());
    assert!(std::fs::read(&raw_xlsx).unwrap().starts_with(b"PK\x03\x04"), "a zip (xlsx) file");

    assert_eq!(
        run(data, &["report", "raw", "--form", "nope", "--out", raw.to_str().unwrap()], None).status.code(),
        Some(1)
    );
    assert_eq!(run(data, &["report", "summary"], None).status.code(), Some(1), "a period is required");
    let pdf = run(data, &["report", "annual", "--year", "2025", "--format", "pdf", "--out", "x"], None);
    assert_eq!(pdf.status.code(), Some(2), "an unknown format is a usage error");
}

/// Sends `request` through `router` and reads the answer.
async fn call(router: &axum::Router, request: axum::http::Request<axum::body::Body>) -> (u16, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    (status, response.into_body().collect().await.unwrap().to_bytes().to_vec())
}

/// `forms list` and `forms export` read the catalog as stored (a withdrawal made on the
/// running server included) and write what the console downloads.
#[test]
fn forms_from_the_terminal() {
    use axum::body::Body;
    use axum::http::Request;
    use sync_server::catalog::Catalogs;

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let added =
        run(data, &["user", "add", "boss", "--role", "admin", "--name", "B", "--whole-province"], Some("mật-khẩu-dài"));
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let list = stdout(&run(data, &["forms", "list"], None));
    assert!(list.contains("training_session\t1\tin_use\t"), "{list}");
    assert!(list.contains("training_session\t2\tin_use\t"), "{list}");

    // On the server, over the same database: version 1 withdrawn, then downloaded.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (toml_http, xlsx_http) = runtime.block_on(async {
        let db = Db::connect(&Db::sqlite_url(data)).await.unwrap();
        let catalogs = Catalogs::load(&db, &Catalog::bundled().unwrap()).await.unwrap();
        let router = sync_server::app(sync_server::AppState::new(
            db.clone(),
            catalogs,
            common::test_settings(),
            sync_server::photos::PhotoStore::in_folder(&data.join("photos")).unwrap(),
        ));
        let sign_in = serde_json::json!({ "username": "boss", "password": "mật-khẩu-dài", "device_id": "cli-test" });
        let request = Request::post("/api/v1/auth/sign-in")
            .header("content-type", "application/json")
            .body(Body::from(sign_in.to_string()))
            .unwrap();
        let (status, body) = call(&router, request).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let token = serde_json::from_slice::<serde_json::Value>(&body).unwrap()["token"].as_str().unwrap().to_owned();
        let bearer = format!("Bearer {token}");
        let request = |method: &str, path: &str| {
            Request::builder().method(method).uri(path).header("authorization", &bearer).body(Body::empty()).unwrap()
        };
        let (status, body) = call(&router, request("POST", "/api/v1/admin/forms/training_session/1/withdraw")).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let (status, toml) = call(&router, request("GET", "/api/v1/admin/forms/training_session/1/toml")).await;
        assert_eq!(status, 200);
        let (status, xlsx) = call(&router, request("GET", "/api/v1/admin/forms/training_session/1/xlsform")).await;
        assert_eq!(status, 200);
        db.pool.close().await;
        (toml, xlsx)
    });
    let list = stdout(&run(data, &["forms", "list"], None));
    assert!(list.contains("training_session\t1\twithdrawn\t"), "{list}");

    // TOML on standard output: the very bytes of the download, and the shipped definition.
    let toml = run(data, &["forms", "export", "training_session", "1", "--format", "toml"], None);
    assert!(toml.status.success(), "{}", String::from_utf8_lossy(&toml.stderr));
    assert_eq!(stdout(&toml), String::from_utf8(toml_http).unwrap());
    let catalog = Catalog::bundled().unwrap();
    let shipped = &catalog.form("training_session", 1).unwrap().definition;
    let reimported: forms::definition::FormDefinition = toml::from_str(&stdout(&toml)).unwrap();
    assert_eq!(&reimported, shipped, "the TOML reads back as the published definition");

    // A workbook to a file: it imports as the download does, the published definition.
    let xlsx = data.join("tap-huan-v1.xlsx");
    let out = ["forms", "export", "training_session", "1", "--format", "xlsform", "--out", xlsx.to_str().unwrap()];
    let export = run(data, &out, None);
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    assert_eq!(stdout(&export).trim(), xlsx.to_str().unwrap());
    let from_cli = xlsform::import(&std::fs::read(&xlsx).unwrap(), catalog.reference()).unwrap();
    let from_http = xlsform::import(&xlsx_http, catalog.reference()).unwrap();
    assert_eq!(from_cli.definition, from_http.definition);
    assert_eq!(from_cli.figures, from_http.figures);
    let sections = |d: &forms::definition::FormDefinition| serde_json::to_value(&d.sections).unwrap();
    assert_eq!(sections(&from_cli.definition), sections(shipped));
    assert!(!from_cli.definition.withdrawn, "a download is the version as published");

    // What is not there says so and fails; a wrong format or version is a usage error.
    let none = run(data, &["forms", "export", "nothing", "1", "--format", "toml"], None);
    assert_eq!(none.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no form 'nothing'"), "{none:?}");
    let nine = run(data, &["forms", "export", "training_session", "9", "--format", "toml"], None);
    assert_eq!(nine.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&nine.stderr).contains("has no version 9; its versions: 1, 2"), "{nine:?}");
    assert!(nine.stdout.is_empty());
    let pdf = run(data, &["forms", "export", "training_session", "1", "--format", "pdf"], None);
    assert_eq!(pdf.status.code(), Some(2));
    let word = run(data, &["forms", "export", "training_session", "one", "--format", "toml"], None);
    assert_eq!(word.status.code(), Some(2));
}

/// A backup holds the photos the database names, beside it (`<backup>.photos/`), as
/// stored: a photo in the folder that no row names (an upload cut before its row) is not
/// part of the backup.
#[test]
fn a_backup_copies_the_stored_photos_beside_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let (named, stray) = (
        b"\xFF\xD8\xFF\xE0 trang 1 \xFF\xD9".to_vec(),
        [&b"\xFF\xD8\xFF\xE0 "[..], "lạc".as_bytes(), b" \xFF\xD9"].concat(),
    );
    let hex = |bytes: &[u8]| -> String {
        use sha2::Digest;
        sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        std::fs::create_dir_all(data).unwrap();
        let db = Db::connect(&Db::sqlite_url(data)).await.unwrap();
        let photos = sync_server::photos::PhotoStore::in_folder(&data.join("photos")).unwrap();
        photos.put(&hex(&named), named.clone().into()).await.unwrap();
        db.photo_saved(&hex(&named), named.len() as u64).await.unwrap();
        photos.put(&hex(&stray), stray.clone().into()).await.unwrap();
    });
    let backup_file = data.join("copy.db");
    let backup = run(data, &["backup", backup_file.to_str().unwrap()], None);
    assert!(backup.status.success(), "{}", String::from_utf8_lossy(&backup.stderr));
    assert!(stdout(&backup).contains("(1 photos)"), "{}", stdout(&backup));
    let h = hex(&named);
    let copied = std::fs::read(data.join("copy.db.photos").join(&h[..2]).join(format!("{h}.jpg"))).unwrap();
    assert_eq!(copied, named, "the photo's bytes, as stored");
    let s = hex(&stray);
    assert!(!data.join("copy.db.photos").join(&s[..2]).exists(), "a photo no row names is not backed up");
}
