//! The annual workbook printed: converted to PDF by LibreOffice (headless), as an office
//! would print it. Every sheet must come out one page wide on A4 landscape, with its heading
//! rows on every page (so every page of a sheet shows the "STT" heading of column A: a
//! sheet printed more than one page wide has pages that start right of column A), the
//! report's title in the page header and the sheet's name and page number in the footer.
//!
//! The workbook and its PDF are kept in `<target>/tmp/print`, with a PNG of the first page
//! of each sheet, or in `SOTAY_PRINT_SHOTS` (`docs/screenshots/annual-*.png` come from
//! `SOTAY_PRINT_SHOTS=$PWD/docs/screenshots` at the workspace root).
//!
//! Needs `soffice` (Debian's `libreoffice-calc-nogui`) and poppler-utils (`pdfinfo`,
//! `pdftotext`, `pdftoppm`), which `cargo xtask test` installs: without them the test
//! skips with a message, except in CI (`CI=true`), where it fails, as the PostgreSQL tests do.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration as StdDuration, Instant};

use calamine::{Reader, Xlsx};

use super::*;

const TOOLS: [&str; 4] = ["soffice", "pdfinfo", "pdftotext", "pdftoppm"];

/// The sheets in order, and the names their PNGs get.
const SHEETS: [(&str, &str); 13] = [
    ("Tổng hợp", "0-tong-hop"),
    ("1. Truyền thông", "1-truyen-thong"),
    ("2. Tập huấn", "2-tap-huan"),
    ("3. Mô hình", "3-mo-hinh"),
    ("4. Tháng hành động", "4-thang-hanh-dong"),
    ("5. Trường học", "5-truong-hoc"),
    ("6. Dự án 8", "6-du-an-8"),
    ("7. Thanh tra, kiểm tra", "7-thanh-tra-kiem-tra"),
    ("8. Khen thưởng", "8-khen-thuong"),
    ("9. Dịch vụ hỗ trợ", "9-dich-vu-ho-tro"),
    ("10. Ban vì sự tiến bộ phụ nữ", "10-ban-vi-su-tien-bo-phu-nu"),
    ("Theo cơ quan", "11-theo-co-quan"),
    ("Chốt số liệu", "12-chot-so-lieu"),
];

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

/// Whether LibreOffice and poppler-utils are there; panics in CI when they are not.
fn print_tools() -> bool {
    let missing: Vec<&str> = TOOLS.into_iter().filter(|t| !on_path(t)).collect();
    if missing.is_empty() {
        return true;
    }
    let hint = "apt-get install libreoffice-calc-nogui poppler-utils, or run `cargo xtask test`";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{missing:?} not found, and CI=true: the print test must run in CI ({hint})");
    }
    eprintln!("skipping: {missing:?} not found ({hint})");
    false
}

/// Runs `c` to its end (at most `limit`), panicking with its output when it fails.
fn run(mut c: Command, limit: StdDuration) -> String {
    let what = format!("{c:?}");
    let mut child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    // Read while it runs: a full pipe would stop it.
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            pipe.read_to_end(&mut out).ok();
            String::from_utf8_lossy(&out).into_owned()
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            panic!("{what}: still running after {limit:?}");
        }
        std::thread::sleep(StdDuration::from_millis(50));
    };
    let (text, errors) = (stdout.join().unwrap(), stderr.join().unwrap());
    assert!(status.success(), "{what}: {status}\n{text}\n{errors}");
    text
}

fn command(program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args);
    c
}

/// `xlsx` converted to PDF by LibreOffice, with a profile of its own (tests run in
/// parallel, and a profile in use is locked).
fn to_pdf(xlsx: &Path, dir: &Path) -> PathBuf {
    let profile = tempfile::tempdir().expect("a LibreOffice profile directory");
    let mut c = Command::new("soffice");
    c.arg(format!("-env:UserInstallation=file://{}", profile.path().display()))
        .args(["--headless", "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(xlsx)
        .env("HOME", profile.path());
    run(c, StdDuration::from_secs(300));
    let pdf = dir.join(xlsx.with_extension("pdf").file_name().unwrap());
    assert!(pdf.is_file(), "LibreOffice wrote no {}", pdf.display());
    pdf
}

/// Each page's size in points.
fn page_sizes(pdf: &Path) -> Vec<(f64, f64)> {
    let info = run(command("pdfinfo", &[&pdf.to_string_lossy()]), StdDuration::from_secs(60));
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in {info}"));
    let last = pages.to_string();
    let info = run(command("pdfinfo", &["-f", "1", "-l", &last, &pdf.to_string_lossy()]), StdDuration::from_secs(60));
    let sizes: Vec<(f64, f64)> = info
        .lines()
        .filter(|l| l.starts_with("Page ") && l.contains(" size: "))
        .map(|l| {
            let size = l.split(" size: ").nth(1).unwrap();
            let mut n = size.split_whitespace().filter_map(|w| w.parse::<f64>().ok());
            (n.next().unwrap(), n.next().unwrap())
        })
        .collect();
    assert_eq!(sizes.len(), pages, "{info}");
    sizes
}

/// Records all over the province: the generated records of the other report tests, their
/// 2025 communes spread over every commune of the province (pre-2025 ones kept).
async fn seed_province(app: &TestApp, n: usize) {
    let mut rng = StdRng::seed_from_u64(13);
    let communes: Vec<String> =
        app.catalog.reference().unit_lists["units_2025"].communes().map(|u| u.code.clone()).collect();
    assert!(communes.len() > 90, "the province's communes: {}", communes.len());
    let mut gens = generate(&mut rng, n);
    for (i, gen) in gens.iter_mut().enumerate() {
        if gen.record.location.unit_list == "units_2025" {
            gen.record.location = commune(&communes[(i * 7 + rng.gen_range(0..3)) % communes.len()]);
        }
    }
    let admin = app.admin("seeder").await;
    for batch in gens.chunks(100) {
        let changes: Vec<_> = batch.iter().map(|g| new_change(&g.record)).collect();
        for result in app.push(&admin, &changes).await {
            assert_eq!(result["outcome"], "applied", "{result}");
        }
    }
}

#[tokio::test]
async fn every_sheet_of_the_annual_workbook_prints_one_page_wide_on_a4_landscape() {
    if !print_tools() {
        return;
    }
    let Some(app) = TestApp::new(crate::common::Backend::Sqlite).await else { return };
    seed_province(&app, 1400).await;
    let admin = app.admin("admin").await;
    let r = app.get("/api/v1/reports/annual?year=2026&format=xlsx", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let workbook: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(r.body.to_vec())).unwrap();
    assert_eq!(workbook.sheet_names(), SHEETS.map(|(name, _)| name));

    let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join("print");
    let shots = std::env::var_os("SOTAY_PRINT_SHOTS").map_or_else(|| kept.clone(), PathBuf::from);
    for dir in [&kept, &shots] {
        std::fs::create_dir_all(dir).unwrap();
    }
    let work = tempfile::tempdir().unwrap();
    let xlsx = work.path().join("annual-2026.xlsx");
    std::fs::write(&xlsx, &r.body).unwrap();
    let pdf = to_pdf(&xlsx, work.path());
    std::fs::copy(&xlsx, kept.join("annual-2026.xlsx")).unwrap();
    std::fs::copy(&pdf, kept.join("annual-2026.pdf")).unwrap();

    let sizes = page_sizes(&pdf);
    let text = run(command("pdftotext", &["-layout", &pdf.to_string_lossy(), "-"]), StdDuration::from_secs(60));
    let pages: Vec<&str> = text.split('\u{c}').take(sizes.len()).collect();
    assert_eq!(pages.len(), sizes.len(), "a text per page");

    // Which sheet a page is of: a sheet's first page holds its title (in A1).
    let markers: Vec<String> = (0..SHEETS.len())
        .map(|i| match i {
            0 => "BÁO CÁO KẾT QUẢ THỰC HIỆN".to_owned(),
            i if i == AREA_COUNT + 1 => "KẾT QUẢ THEO CƠ QUAN".to_owned(),
            i if i == AREA_COUNT + 2 => "TÌNH TRẠNG CHỐT SỐ LIỆU".to_owned(),
            // "Biểu 1." is not part of "Biểu 10.": each marker finds its own sheet.
            _ => format!("Biểu {i}."),
        })
        .collect();
    let mut sheet_of = Vec::new();
    let mut first_page = vec![None; SHEETS.len()];
    let mut sheet = 0;
    for (p, page) in pages.iter().enumerate() {
        if let Some(next) = (sheet + 1..SHEETS.len()).find(|&s| page.contains(&markers[s])) {
            sheet = next;
        }
        assert!(p > 0 || page.contains(&markers[0]), "the overview comes first: {page}");
        first_page[sheet].get_or_insert(p);
        sheet_of.push(sheet);
    }
    let count = |s: usize| sheet_of.iter().filter(|&&x| x == s).count();
    let summary: Vec<String> =
        SHEETS.iter().enumerate().map(|(s, (name, _))| format!("{name}: {}", count(s))).collect();
    eprintln!("{} pages: {}", pages.len(), summary.join(", "));

    for (p, page) in pages.iter().enumerate() {
        let (name, _) = SHEETS[sheet_of[p]];
        let what = format!("page {} of {} (sheet {name})", p + 1, pages.len());
        let (w, h) = sizes[p];
        assert!((w - 841.9).abs() < 2.0 && (h - 595.3).abs() < 2.0, "{what}: A4 landscape, not {w} × {h} pt");
        assert!(
            page.contains("STT"),
            "{what}: no heading 'STT' (column A): the sheet is printed more than one page wide, \
             or without its heading rows on every page:\n{page}"
        );
        assert!(page.contains(&markers[sheet_of[p]]), "{what}: the title in the page header:\n{page}");
        assert!(page.contains(name) && page.contains("Trang "), "{what}: the sheet and page in the footer:\n{page}");
    }
    for (s, (name, slug)) in SHEETS.iter().enumerate() {
        let p = first_page[s].unwrap_or_else(|| panic!("no page of sheet {name}")) + 1;
        let png = shots.join(format!("annual-{slug}"));
        let (p, png) = (p.to_string(), png.to_string_lossy().into_owned());
        let args = ["-png", "-r", "60", "-f", &p, "-l", &p, "-singlefile", &pdf.to_string_lossy(), &png];
        run(command("pdftoppm", &args), StdDuration::from_secs(60));
    }
}
