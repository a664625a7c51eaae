//! The annual report as a printable HTML page (`format=html`): the same tables and figures as
//! the workbook, read back from the page's own markup; nothing but known tags (every text
//! escaped), no script, no download header.

use super::files::check_area_rows;
use super::*;

/// `&amp;` and friends back to text.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// The value of `name="…"` in an opening tag.
fn attribute(tag: &str, name: &str) -> Option<usize> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    tag[start..].split('"').next()?.parse().ok()
}

/// The cells of each `<tr>` in `html`: (text, colspan, rowspan).
fn rows_of(html: &str) -> Vec<Vec<(String, usize, usize)>> {
    html.split("<tr>")
        .skip(1)
        .map(|row| {
            let row = row.split("</tr>").next().unwrap();
            let mut cells = Vec::new();
            let mut rest = row;
            while let Some(start) = rest.find("<t") {
                let open_end = start + rest[start..].find('>').unwrap();
                let tag = &rest[start..open_end];
                let close = open_end + rest[open_end..].find("</t").unwrap();
                cells.push((
                    unescape(&rest[open_end + 1..close]),
                    attribute(tag, "colspan").unwrap_or(1),
                    attribute(tag, "rowspan").unwrap_or(1),
                ));
                rest = &rest[close + 4..];
            }
            cells
        })
        .collect()
}

/// A table of the page as the workbook checker reads it: the title and subtitle lines, two
/// heading rows (a group heading in its first column only), the rows, the total.
fn table_of(section: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for tag in ["h1", "h2", "p"] {
        for part in section.split(&format!("<{tag}")).skip(1) {
            let text = part.split_once('>').unwrap().1.split(&format!("</{tag}>")).next().unwrap();
            if !text.contains('<') {
                out.push(vec![unescape(text)]);
            }
        }
    }
    let head = section.split("<thead>").nth(1).unwrap().split("</thead>").next().unwrap();
    let head = rows_of(head);
    let (mut top, mut below) = (Vec::new(), Vec::new());
    let mut subs = head[1].iter().map(|c| c.0.clone());
    for (title, span, rowspan) in &head[0] {
        for i in 0..*span {
            top.push(if i == 0 { title.clone() } else { String::new() });
            below.push(if *rowspan == 2 { String::new() } else { subs.next().unwrap() });
        }
    }
    assert!(subs.next().is_none(), "every second-row heading sits under a group");
    out.push(top);
    out.push(below);
    let body = section.split("</thead>").nth(1).unwrap();
    out.extend(rows_of(body).into_iter().map(|r| r.into_iter().map(|c| c.0).collect()));
    out
}

/// A count as the page writes it (`1.234`).
fn count_of(text: &str) -> f64 {
    text.replace('.', "").parse().unwrap_or_else(|_| panic!("not a count: {text}"))
}

both!(the_annual_page_holds_the_figures_of_each_plan_area);
async fn the_annual_page_holds_the_figures_of_each_plan_area(app: TestApp) {
    let gens = seed(&app, 11, 150).await;
    let supervisor = app.province_supervisor("supervisor").await;
    let r = app.get("/api/v1/reports/annual?year=2026&format=html", Some(&supervisor)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(r.header("content-disposition").is_none(), "shown, not downloaded");
    assert!(r.header("content-security-policy").is_some_and(|p| p.starts_with("default-src 'none'")));
    let page = r.text();
    assert!(page.starts_with("<!doctype html><html lang=\"vi\">"), "{page:.200}");
    assert!(page.contains("@media print") && page.contains("size:A4 landscape"), "printable");

    // Nothing but the page's own tags: every text from the data is escaped.
    const TAGS: [&str; 19] = [
        "!doctype", "html", "head", "meta", "title", "style", "body", "section", "h1", "h2", "p", "div", "table",
        "thead", "tbody", "tfoot", "tr", "th", "td",
    ];
    for part in page.split('<').skip(1) {
        let name = part.trim_start_matches('/').split([' ', '>']).next().unwrap();
        assert!(TAGS.contains(&name), "unexpected tag <{name}: {part:.80}");
    }

    let sections: Vec<&str> = page.split("<section>").skip(1).collect();
    assert_eq!(sections.len(), AREA_COUNT + 3, "the overview, ten plan areas, the agencies, and who signed off");
    assert!(sections[AREA_COUNT + 1].contains("KẾT QUẢ THEO CƠ QUAN, ĐƠN VỊ TỔ CHỨC NĂM 2026"));
    let signed = sections[AREA_COUNT + 2];
    assert!(signed.contains("TÌNH TRẠNG CHỐT SỐ LIỆU NĂM 2026") && signed.contains("Chưa chốt"));
    let overview = table_of(sections[0]);
    assert_eq!(overview[0][0], "BÁO CÁO KẾT QUẢ THỰC HIỆN KẾ HOẠCH BÌNH ĐẲNG GIỚI NĂM 2026");
    let top = overview.iter().position(|r| r[0] == "STT").unwrap();
    for area in 1..=AREA_COUNT {
        let w = want(&gens, |g| g.date.year() == 2026 && area_of(g.form()) == area);
        let row = &overview[top + 1 + area];
        assert_eq!(row[0], area.to_string());
        assert_eq!(count_of(&row[3]), w.activities as f64, "overview area {area}: activities");
        let people = w.male + w.female;
        assert_eq!(
            (count_of(&row[4]), count_of(&row[5]), count_of(&row[6])),
            (people as f64, w.male as f64, w.female as f64)
        );
        let share = if people == 0 {
            "–".to_owned()
        } else {
            let tenths = (w.female as f64 / people as f64 * 1000.0).round() as u64;
            format!("{},{}", tenths / 10, tenths % 10)
        };
        assert_eq!(row[7], share, "overview area {area}: women's share with a decimal comma");
    }
    for (area, section) in sections.iter().enumerate().skip(1).take(AREA_COUNT) {
        let table = table_of(section);
        assert!(table[0][0].starts_with(&format!("Biểu {area}.")) && table[0][0].ends_with("năm 2026"));
        let number = |r: usize, c: usize| count_of(&table[r][c]);
        check_area_rows(&table, &number, &gens, area, &format!("HTML table {area}"));
    }
}

both!(the_annual_page_is_for_readers_of_the_scope);
async fn the_annual_page_is_for_readers_of_the_scope(app: TestApp) {
    let collector = app.collector("collector.a", &[A]).await;
    let path = "/api/v1/reports/annual?year=2026&format=html";
    app.get(path, Some(&collector)).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    app.get(path, None).await.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    let supervisor_a = app.user_with_token("supervisor.a", Role::Supervisor, &[A], false).await;
    let page = app.get(path, Some(&supervisor_a)).await.text();
    assert!(page.contains("Phạm vi: Phường Cẩm Thành<"), "the scope is named: {page:.3000}");
    app.get(&format!("{path}&commune={B}"), Some(&supervisor_a)).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
}
