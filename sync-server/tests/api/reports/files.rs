//! The annual report as XLSX (read back with calamine) and CSV, and raw exports.

use std::io::{Cursor, Read as _};

use calamine::{Data, Reader, Xlsx};

use super::*;

// ---- the annual report ---------------------------------------------------------------------

pub(super) fn text_of(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

fn num(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// A table's columns by (group heading, heading below it), from its two heading rows
/// (a merged group heading is read in its first cell only).
pub(super) fn columns(rows: &[Vec<String>], top: usize) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    let mut group = String::new();
    for (c, title) in rows[top].iter().enumerate() {
        if !title.is_empty() {
            group = title.clone();
        }
        out.insert((group.clone(), rows[top + 1].get(c).cloned().unwrap_or_default()), c);
    }
    out
}

/// Checks one area table (rows as text) against the records of its area in 2026.
pub(super) fn check_area_rows(
    rows: &[Vec<String>],
    number: &dyn Fn(usize, usize) -> f64,
    gens: &[Gen],
    area: usize,
    what: &str,
) {
    let top = rows.iter().position(|r| r.first().is_some_and(|c| c == "STT")).expect("a heading row");
    let cols = columns(rows, top);
    let col = |g: &str, s: &str| {
        *cols.get(&(g.to_owned(), s.to_owned())).unwrap_or_else(|| panic!("{what}: no column {g} / {s} in {cols:?}"))
    };
    let keep = |g: &Gen| g.date.year() == 2026 && area_of(g.form()) == area;
    let by_unit = want_by(gens, keep, |g| g.unit.1.clone());
    let eth = cells_by(gens, keep, |g, c| (g.unit.1.clone(), c.ethnicity.clone()));
    let groups = cells_by(gens, keep, |g, c| (g.unit.1.clone(), c.group.clone()));
    let figures = figures_by(gens, keep, |g| g.unit.1.clone());
    let data = top + 2;
    let total_row = rows.iter().position(|r| r.get(2).is_some_and(|c| c == "Tổng cộng")).expect("a total row");
    assert_eq!(total_row - data, by_unit.len(), "{what}: a row per commune with activities: {rows:?}");
    let participants = counts_participants(area);
    for r in data..=total_row {
        let code = rows[r][1].split(' ').next().unwrap().to_owned();
        let (w, key) = if r == total_row { (want(gens, keep), None) } else { (by_unit[&code], Some(code.clone())) };
        let what = format!("{what} row {code}");
        assert_eq!(number(r, col("Số hoạt động", "")), w.activities as f64, "{what}: activities");
        let area_figures: Vec<_> = FIGURES.iter().filter(|(f, _, _)| area_of(f) == area).collect();
        for (_, field, heading) in &area_figures {
            let sum: i64 = figures
                .iter()
                .filter(|((u, f), _)| f == field && key.as_ref().is_none_or(|k| k == u))
                .map(|(_, n)| n)
                .sum();
            assert_eq!(number(r, col(heading, "")), sum as f64, "{what}: {field}");
        }
        if !participants {
            assert_eq!(rows[top].len(), 4 + area_figures.len(), "{what}: activities and figures, no participants");
            continue;
        }
        let people = "Số lượt người tham gia";
        assert_eq!(number(r, col(people, "Tổng số")), (w.male + w.female) as f64, "{what}: total");
        assert_eq!(number(r, col(people, "Nam")), w.male as f64, "{what}: male");
        assert_eq!(number(r, col(people, "Nữ")), w.female as f64, "{what}: female");
        assert_eq!(number(r, col("Dân tộc Kinh", "Nữ")), w.kinh.1 as f64, "{what}: Kinh women");
        assert_eq!(number(r, col("Dân tộc thiểu số", "Nam")), w.minority.0 as f64, "{what}: minority men");
        assert_eq!(number(r, col("Dân tộc thiểu số", "Nữ")), w.minority.1 as f64, "{what}: minority women");
        let sum = |map: &BTreeMap<(String, String), (u64, u64)>, inner: &str| {
            map.iter()
                .filter(|((u, i), _)| i == inner && key.as_ref().is_none_or(|k| k == u))
                .fold((0, 0), |(m, f), (_, (a, b))| (m + a, f + b))
        };
        for (code, name) in [("19", "Hrê"), ("30", "Co"), ("04", "Hoa")] {
            let (m, f) = sum(&eth, code);
            if let Some(&c) = cols.get(&(name.to_owned(), "Nam".to_owned())) {
                assert_eq!((number(r, c), number(r, c + 1)), (m as f64, f as f64), "{what}: {name}");
            } else {
                assert_eq!(sum(&eth, code), (0, 0), "{what}: {name} has a column when counted");
            }
        }
        let group_label = match area {
            1 | 4 => Some(("child", "Trẻ em (dưới 16 tuổi)")),
            6 => Some(("pupil_child", "Học sinh, trẻ em")),
            5 => Some(("age_11_14", "Từ 11 đến 14 tuổi")),
            _ => None,
        };
        if let Some((value, label)) = group_label {
            let (m, f) = sum(&groups, value);
            assert_eq!(
                (number(r, col(label, "Nam")), number(r, col(label, "Nữ"))),
                (m as f64, f as f64),
                "{what}: {label}"
            );
        }
    }
}

fn sheet_rows(workbook: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> (Vec<Vec<Data>>, Vec<Vec<String>>) {
    let range = workbook.worksheet_range(name).unwrap_or_else(|e| panic!("sheet {name}: {e}"));
    assert_eq!(range.start(), Some((0, 0)), "the title is in A1");
    let data: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    let text = data.iter().map(|r| r.iter().map(text_of).collect()).collect();
    (data, text)
}

both!(the_annual_workbook_holds_the_figures_of_each_plan_area);
async fn the_annual_workbook_holds_the_figures_of_each_plan_area(app: TestApp) {
    let gens = seed(&app, 11, 150).await;
    let admin = app.admin("admin").await;
    let r = app.get("/api/v1/reports/annual?year=2026&format=xlsx", Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
    assert!(r.header("content-disposition").is_some_and(|d| d.contains("attachment") && d.contains(".xlsx")));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let bytes = r.body.to_vec();
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.clone())).expect("an xlsx file");
    let names = workbook.sheet_names();
    assert_eq!(
        names,
        [
            "Tổng hợp",
            "1. Truyền thông",
            "2. Tập huấn",
            "3. Mô hình",
            "4. Tháng hành động",
            "5. Trường học",
            "6. Dự án 8",
            "7. Thanh tra, kiểm tra",
            "8. Khen thưởng",
            "9. Dịch vụ hỗ trợ",
            "10. Ban vì sự tiến bộ phụ nữ",
            "Theo cơ quan",
            "Chốt số liệu"
        ]
    );

    for (area, name) in names.iter().enumerate().skip(1).take(AREA_COUNT) {
        let (data, text) = sheet_rows(&mut workbook, name);
        assert!(text[0][0].starts_with(&format!("Biểu {area}.")) && text[0][0].ends_with("năm 2026"), "{}", text[0][0]);
        let number = |r: usize, c: usize| num(&data[r][c]);
        check_area_rows(&text, &number, &gens, area, name);
    }

    // The overview: one row per area.
    let (data, text) = sheet_rows(&mut workbook, "Tổng hợp");
    let top = text.iter().position(|r| r[0] == "STT").unwrap();
    let cols = columns(&text, top);
    for area in 1..=AREA_COUNT {
        let w = want(&gens, |g| g.date.year() == 2026 && area_of(g.form()) == area);
        let row = &data[top + 1 + area];
        assert_eq!(num(&row[0]), area as f64);
        assert_eq!(
            num(&row[cols[&("Số hoạt động".into(), String::new())]]),
            w.activities as f64,
            "overview area {area}"
        );
        let total = cols[&("Số lượt người tham gia".into(), "Tổng số".into())];
        assert_eq!(num(&row[total]), (w.male + w.female) as f64, "overview area {area}");
        let share = &row[cols[&("Số lượt người tham gia".into(), "Tỷ lệ nữ (%)".into())]];
        if w.male + w.female > 0 {
            assert!((num(share) - w.female as f64 / (w.male + w.female) as f64).abs() < 1e-9, "share is a fraction");
        } else {
            assert_eq!(*share, Data::Empty);
        }
    }

    // Merged headings, frozen panes, number formats.
    workbook.load_merged_regions().unwrap();
    let merged: Vec<_> =
        workbook.merged_regions_by_sheet("1. Truyền thông").iter().map(|(_, _, d)| (d.start, d.end)).collect();
    let (_, text) = sheet_rows(&mut workbook, "1. Truyền thông");
    let top = text.iter().position(|r| r[0] == "STT").unwrap() as u32;
    let last = text[top as usize].len() as u32 - 1;
    assert!(merged.contains(&((0, 0), (0, last))), "the title spans the table: {merged:?}");
    assert!(merged.contains(&((top, 0), (top + 1, 0))), "STT spans both heading rows: {merged:?}");
    assert!(merged.contains(&((top, 4), (top, 7))), "participants over total, men, women, share: {merged:?}");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet2.xml").unwrap().read_to_string(&mut sheet).unwrap();
    let pane = format!(r#"<pane xSplit="3" ySplit="{}" topLeftCell="D{}""#, top + 2, top + 3);
    assert!(
        sheet.contains(&pane) && sheet.contains(r#"state="frozen""#),
        "headings and communes frozen: {sheet:.2000}"
    );
    let mut styles = String::new();
    zip.by_name("xl/styles.xml").unwrap().read_to_string(&mut styles).unwrap();
    assert!(styles.contains(r##"formatCode="#,##0""##) && styles.contains(r#"formatCode="0.0%""#), "{styles:.2000}");
}

both!(the_annual_csv_starts_with_a_bom_and_holds_the_same_figures);
async fn the_annual_csv_starts_with_a_bom_and_holds_the_same_figures(app: TestApp) {
    let gens = seed(&app, 5, 140).await;
    let supervisor = app.province_supervisor("supervisor").await;
    let r = app.get("/api/v1/reports/annual?year=2026&format=csv", Some(&supervisor)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(r.body.starts_with(b"\xEF\xBB\xBF"), "UTF-8 byte-order mark first");
    let text = std::str::from_utf8(&r.body[3..]).expect("UTF-8");
    let rows = parse_csv(text);
    for area in 1..=AREA_COUNT {
        let start = rows.iter().position(|r| r[0].starts_with(&format!("Biểu {area}."))).expect("a block per area");
        let end = start + rows[start..].iter().position(|r| r.len() == 1 && r[0].is_empty()).unwrap();
        // One heading line "group - column": split it into the two rows the checker reads.
        let block = &rows[start..end];
        let top = block.iter().position(|r| r[0] == "STT").unwrap();
        let (groups, subs): (Vec<String>, Vec<String>) = block[top]
            .iter()
            .map(|h| match h.split_once(" - ") {
                Some((g, s)) => (g.to_owned(), s.to_owned()),
                None => (h.clone(), String::new()),
            })
            .unzip();
        let mut table = block[..top].to_vec();
        table.push(groups);
        table.push(subs);
        table.extend(block[top + 1..].iter().filter(|r| r.len() > 1).cloned());
        let number = |r: usize, c: usize| table[r][c].parse::<f64>().unwrap_or_else(|_| panic!("{:?}", table[r]));
        check_area_rows(&table, &number, &gens, area, &format!("CSV block {area}"));
    }
}

// ---- raw export ----------------------------------------------------------------------------

both!(the_raw_export_has_a_row_per_record_and_a_column_per_grid_cell);
async fn the_raw_export_has_a_row_per_record_and_a_column_per_grid_cell(app: TestApp) {
    let gens = seed(&app, 3, 140).await;
    let admin = app.admin("admin").await;
    for (form, grid) in
        [("outreach_event", "participants"), ("training_session", "participants"), ("school_session", "students")]
    {
        let r = app.get(&format!("/api/v1/reports/raw?form={form}&format=csv"), Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.body.starts_with(b"\xEF\xBB\xBF"), "UTF-8 byte-order mark first");
        let rows = parse_csv(std::str::from_utf8(&r.body[3..]).unwrap());
        let header = &rows[0];
        let expected: BTreeMap<String, &Gen> =
            gens.iter().filter(|g| g.counted && g.form() == form).map(|g| (g.record.id.to_string(), g)).collect();
        assert_eq!(rows.len() - 1, expected.len(), "{form}: one row per final, non-deleted record");
        let key_of = |h: &str| h.rsplit_once(" (").map(|(_, k)| k.trim_end_matches(')').to_owned());
        for row in &rows[1..] {
            let gen = expected[&row[0]];
            assert_eq!(row[header.iter().position(|h| h == "Ngày hoạt động").unwrap()], gen.date.to_string());
            assert_eq!(row[header.iter().position(|h| h == "Mã đơn vị").unwrap()], gen.record.location.unit_code);
            let mut seen = 0;
            for (h, value) in header.iter().zip(row) {
                let Some(key) = key_of(h).filter(|k| k.starts_with(&format!("{grid}."))) else { continue };
                let parts: Vec<&str> = key.split('.').collect();
                let count: u64 = gen
                    .cells
                    .iter()
                    .filter(|c| {
                        c.ethnicity == parts[1]
                            && (c.sex == Sex::Male) == (parts[2] == "male")
                            && c.group == parts.get(3).copied().unwrap_or("")
                    })
                    .map(|c| c.count)
                    .sum();
                assert_eq!(value, &count.to_string(), "{form} {key}");
                seen += count;
            }
            let total: u64 = gen.cells.iter().map(|c| c.count).sum();
            assert_eq!(seen, total, "{form}: every cell of the record has its column");
            let total_col = header.iter().position(|h| h.ends_with(&format!("({grid}_total)"))).unwrap();
            assert_eq!(row[total_col], total.to_string(), "{form}: the stored total");
        }
        assert!(header.iter().all(|h| !h.is_empty()));
        assert_eq!(header.len(), rows[1].len());

        // A period: the records of 2026 only, as CSV and as a workbook with the same columns.
        let query = format!("/api/v1/reports/raw?form={form}&year=2026");
        let r = app.get(&format!("{query}&format=csv"), Some(&admin)).await;
        let rows = parse_csv(std::str::from_utf8(&r.body[3..]).unwrap());
        let header = &rows[0];
        let in_2026 = expected.values().filter(|g| g.date.year() == 2026).count();
        assert_eq!(rows.len() - 1, in_2026, "{form}: rows of 2026 only");
        let r = app.get(&format!("{query}&format=xlsx"), Some(&admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(r.body.to_vec())).unwrap();
        let (data, text) = sheet_rows(&mut workbook, form);
        assert_eq!(text[1][0], "Mã phiếu");
        assert_eq!(data.len() - 2, in_2026, "{form}: rows of 2026 only");
        assert_eq!(data[0].len(), header.len(), "{form}: the same columns");
        for (x, row) in data[2..].iter().enumerate() {
            let csv_row = rows.iter().find(|r| r[0] == text[x + 2][0]).expect("the same record in the CSV");
            for (c, h) in header.iter().enumerate() {
                if key_of(h).is_some_and(|k| k.starts_with(&format!("{grid}."))) {
                    assert_eq!(num(&row[c]).to_string(), csv_row[c], "{form} {h}");
                }
            }
            assert!(matches!(row[5], Data::DateTime(_)), "the activity date is a date: {:?}", row[5]);
        }
    }
}

// An empty export as clients that offer several encodings ask for it: python-requests
// (schemathesis) sends `gzip, deflate`, and the compression layer polled the finished
// stream again, which panicked mid-response.
both!(a_raw_export_is_whole_whatever_encodings_the_client_offers);
async fn a_raw_export_is_whole_whatever_encodings_the_client_offers(app: TestApp) {
    let admin = app.admin("admin").await;
    for form in ["action_month_event", "model_check"] {
        for encoding in ["gzip, deflate", "gzip", "br", "identity", "br;q=1.0, gzip;q=0.5"] {
            let request = axum::http::Request::get(format!("/api/v1/reports/raw?form={form}&format=csv"))
                .header("authorization", format!("Bearer {admin}"))
                .header("accept-encoding", encoding)
                .body(axum::body::Body::empty())
                .unwrap();
            let r = app.send(request).await;
            assert_eq!(r.status, StatusCode::OK, "{form}, {encoding}: {}", r.text());
            assert!(!r.body.is_empty(), "{form}, {encoding}: a heading at least");
        }
    }
}

both!(the_annual_workbook_says_who_signed_off);
async fn the_annual_workbook_says_who_signed_off(app: TestApp) {
    let admin = app.admin("admin").await;
    let body = json!({ "kind": "commune", "target": A, "period": "reporting_year", "year": 2026 });
    let r = app.post("/api/v1/admin/sign-offs", Some(&admin), &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = app.get("/api/v1/reports/annual?year=2026&format=xlsx", Some(&admin)).await;
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(r.body.to_vec())).expect("an xlsx file");
    let (_, text) = sheet_rows(&mut workbook, "Chốt số liệu");
    let row_of = |code: &str| text.iter().find(|r| r.get(1).map(String::as_str) == Some(code)).cloned().unwrap();
    let a = row_of(A);
    assert!(a[3].contains("/2026") || a[3].contains("/20"), "signed-off time dd/mm/yyyy: {a:?}");
    assert_eq!(a[4], "Test admin");
    assert_eq!(
        (row_of(A)[5].as_str(), row_of(B)[3].as_str()),
        ("Chưa chốt", "Chưa chốt"),
        "the Action Month and B are not"
    );
    assert!(text.iter().any(|r| r.get(1).map(String::as_str) == Some("so_noi_vu")), "the province lists agencies too");
}
