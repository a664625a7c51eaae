//! One table of the sign-off screen (communes, or agencies): each with its standing as a
//! badge, the counts behind it, who signed it off and when, and the action — sign off
//! (after a confirmation naming it and the period) or reopen (with a reason, required,
//! typed in a small form in the row). At 360 px the rows are labelled cards, as elsewhere.

use forms::Lang;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::api::{ClosedPeriod, NewSignOff, SignOffKind, SignOffRow, Standing};
use crate::components::{error_box, when};
use crate::hooks::use_action;
use crate::i18n::texts;
use crate::state::use_ctx;
use crate::web;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub rows: Vec<SignOffRow>,
    pub period: ClosedPeriod,
    pub year: i32,
    /// The period in words, as the server names it ("Năm báo cáo 2026 (01/01–30/11/2026)").
    pub period_label: String,
    /// Called with the message to show once an action applied: the screen reads again.
    pub on_done: Callback<String>,
}

/// Where a standing goes in the table. The supervisor's work comes first: records returned
/// and still to be fixed (chase the officers), then communes in progress (check and sign
/// off: the screen's main action), then communes with nothing yet (a phone call), and the
/// ones already signed off — done — last.
pub fn rank(s: Standing) -> u8 {
    match s {
        Standing::NeedsChanges => 0,
        Standing::InProgress => 1,
        Standing::Nothing => 2,
        Standing::Other => 3,
        Standing::SignedOff => 4,
    }
}

/// The rows in the table's order: by [`rank`], then by name as read (Đ with D, marks
/// ignored: "Đặc khu Lý Sơn" before "Phường …").
pub fn ordered(rows: &[SignOffRow]) -> Vec<&SignOffRow> {
    let mut out: Vec<&SignOffRow> = rows.iter().collect();
    out.sort_by_cached_key(|r| (rank(r.standing), crate::query::fold(r.display_name()), r.display_name().to_owned()));
    out
}

pub fn standing_label(lang: Lang, s: Standing) -> &'static str {
    let t = texts(lang);
    match s {
        Standing::Nothing => t.standing_nothing,
        Standing::InProgress => t.standing_in_progress,
        Standing::NeedsChanges => t.standing_needs_changes,
        Standing::SignedOff => t.standing_signed_off,
        Standing::Other => "—",
    }
}

fn badge_class(s: Standing) -> &'static str {
    match s {
        Standing::NeedsChanges => "bad",
        Standing::SignedOff => "ok",
        Standing::InProgress => "progress",
        Standing::Nothing | Standing::Other => "",
    }
}

/// Finished records neither approved nor returned (for an agency: reviewed once, then
/// resubmitted).
fn awaiting(r: &SignOffRow) -> u64 {
    r.counts.records.saturating_sub(r.counts.approved + r.counts.needs_changes).max(r.counts.submitted)
}

pub fn confirm_sign_off(lang: Lang, r: &SignOffRow, period: &str) -> String {
    let name = r.display_name();
    let (returned, waiting) = (r.counts.needs_changes, awaiting(r));
    if lang == Lang::En {
        let mut s = format!("Sign off {name} for {period}?\n\nPhones can then no longer add, change or delete records dated inside this period. To change anything it has to be reopened, with a reason.");
        if returned + waiting > 0 {
            s += &format!("\n\nNote: {returned} records still need changes and {waiting} await review.");
        }
        s
    } else {
        let mut s = format!("Chốt số liệu {name} cho {period}?\n\nTừ lúc này điện thoại không thể thêm, sửa hay xoá phiếu có ngày hoạt động trong kỳ này. Muốn sửa phải mở lại và ghi rõ lý do.");
        if returned + waiting > 0 {
            s += &format!("\n\nLưu ý: còn {returned} phiếu cần sửa và {waiting} phiếu chờ duyệt.");
        }
        s
    }
}

fn signed_message(lang: Lang, name: &str, period: &str, already: bool) -> String {
    match (lang, already) {
        (Lang::En, false) => {
            format!("{name} is signed off for {period}. Phones can no longer change records dated inside it.")
        }
        (Lang::En, true) => format!("{name} was already signed off for {period} (by someone else just now)."),
        (_, false) => format!("Đã chốt số liệu {name} cho {period}. Điện thoại không sửa được phiếu trong kỳ này nữa."),
        (_, true) => format!("{name} đã được chốt cho {period} (có người vừa chốt trước)."),
    }
}

fn reopened_message(lang: Lang, name: &str, period: &str) -> String {
    if lang == Lang::En {
        format!("{name} is reopened for {period}: phones can change its records again.")
    } else {
        format!("Đã mở lại {name} cho {period}: điện thoại sửa được phiếu trở lại.")
    }
}

#[function_component(SignOffTable)]
pub fn sign_off_table(p: &Props) -> Html {
    let ctx = use_ctx();
    let (lang, t) = (ctx.lang, texts(ctx.lang));
    let act = use_action(&ctx);
    // The sign-off whose reopening form is open, and its reason as typed.
    let reopening = use_state(|| None::<i64>);
    let reason = use_state(String::new);
    let missing_reason = use_state(|| false);

    let sign = |r: &SignOffRow| {
        let (act, done) = (act.clone(), p.on_done.clone());
        let body = NewSignOff { kind: r.kind, target: r.target.clone(), period: p.period, year: p.year };
        let question = confirm_sign_off(lang, r, &p.period_label);
        let (name, period) = (r.display_name().to_owned(), p.period_label.clone());
        Callback::from(move |_: MouseEvent| {
            if !web::confirm(&question) {
                return;
            }
            let (body, done, name, period) = (body.clone(), done.clone(), name.clone(), period.clone());
            act.run(
                move |api| async move { api.sign_off(&body).await },
                move |made| done.emit(signed_message(lang, &name, &period, made.is_none())),
            );
        })
    };
    let open_form = |id: i64| {
        let (reopening, reason, missing) = (reopening.clone(), reason.clone(), missing_reason.clone());
        Callback::from(move |_: MouseEvent| {
            reason.set(String::new());
            missing.set(false);
            reopening.set(Some(id));
        })
    };
    let cancel = {
        let reopening = reopening.clone();
        Callback::from(move |_: MouseEvent| reopening.set(None))
    };
    let on_reason = {
        let reason = reason.clone();
        Callback::from(move |e: InputEvent| reason.set(e.target_unchecked_into::<HtmlTextAreaElement>().value()))
    };
    let reopen = |id: i64, name: &str| {
        let (act, done, reason, missing, reopening) =
            (act.clone(), p.on_done.clone(), reason.clone(), missing_reason.clone(), reopening.clone());
        let (name, period) = (name.to_owned(), p.period_label.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let why = reason.trim().to_owned();
            missing.set(why.is_empty());
            if why.is_empty() {
                return;
            }
            let (done, reopening, name, period) = (done.clone(), reopening.clone(), name.clone(), period.clone());
            act.run(
                move |api| async move { api.reopen_sign_off(id, &why).await },
                move |_| {
                    reopening.set(None);
                    done.emit(reopened_message(lang, &name, &period));
                },
            );
        })
    };
    let action = |r: &SignOffRow| -> Html {
        if !r.may_act {
            return html! { <span class="hint">{ t.not_yours }</span> };
        }
        match &r.sign_off {
            None => html! {
                <button class="btn primary" disabled={act.busy()} onclick={sign(r)}>{ t.do_sign_off }</button>
            },
            Some(s) if *reopening == Some(s.id) => {
                let field = format!("reopen-reason-{}", s.id);
                html! {
                    <form class="reopen-form" onsubmit={reopen(s.id, r.display_name())}>
                        <label for={field.clone()}>{ t.reopen_reason }</label>
                        <textarea id={field} rows="2" value={(*reason).clone()} oninput={on_reason.clone()}
                            aria-invalid={missing_reason.then_some("true")} />
                        if *missing_reason { <p class="error" role="alert">{ t.reopen_reason_needed }</p> }
                        if let Some(e) = act.error() { { error_box(lang, &e, None) } }
                        <div class="two-buttons">
                            <button class="btn danger" type="submit" disabled={act.busy()}>{ t.do_reopen }</button>
                            <button class="btn" type="button" onclick={cancel.clone()}>{ t.cancel }</button>
                        </div>
                    </form>
                }
            }
            Some(s) => html! {
                <button class="btn" disabled={act.busy()} aria-expanded="false" onclick={open_form(s.id)}>{ t.do_reopen }</button>
            },
        }
    };
    let first_col = if p.rows.first().is_some_and(|r| r.kind == SignOffKind::Agency) { t.agency } else { t.commune };
    let row = |r: &SignOffRow| {
        let signed = r.sign_off.as_ref().map(|s| (s.signed_by.name().to_owned(), when(Some(s.signed_at))));
        html! {
            <tr class={classes!((r.standing == Standing::NeedsChanges).then_some("attention"))}>
                <th scope="row" data-label={first_col}>{ r.display_name().to_owned() }</th>
                <td data-label={t.standing}>
                    <span class={classes!("badge", badge_class(r.standing))}>{ standing_label(lang, r.standing) }</span>
                </td>
                <td data-label={t.records} class="num">{ r.counts.records }</td>
                <td data-label={t.review_approved} class="num">{ r.counts.approved }</td>
                <td data-label={t.review_needs_changes} class={classes!("num", (r.counts.needs_changes > 0).then_some("bad-text"))}>
                    { r.counts.needs_changes }
                </td>
                <td data-label={t.awaiting_review} class="num">{ awaiting(r) }</td>
                <td data-label={t.signed_off_by}>
                    if let Some((by, at)) = signed { <div>{ by }<br /><small>{ at }</small></div> } else { { "—" } }
                </td>
                <td class="actions">{ action(r) }</td>
            </tr>
        }
    };
    let reopen_open = reopening.is_some();
    html! {
        <>
            if let (false, Some(e)) = (reopen_open, act.error()) { { error_box(lang, &e, None) } }
            <table class="list sign-off-table">
                <thead><tr>
                    <th scope="col">{ first_col }</th>
                    <th scope="col">{ t.standing }</th>
                    <th scope="col" class="num">{ t.records }</th>
                    <th scope="col" class="num">{ t.review_approved }</th>
                    <th scope="col" class="num">{ t.review_needs_changes }</th>
                    <th scope="col" class="num">{ t.awaiting_review }</th>
                    <th scope="col">{ t.signed_off_by }</th>
                    <th scope="col"><span class="sr">{ t.actions }</span></th>
                </tr></thead>
                <tbody>{ for ordered(&p.rows).into_iter().map(row) }</tbody>
            </table>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::SignOffCounts;

    fn row(name: &str, standing: Standing) -> SignOffRow {
        SignOffRow {
            kind: SignOffKind::Commune,
            target: format!("code-{name}"),
            name: name.to_owned(),
            standing,
            counts: SignOffCounts::default(),
            sign_off: None,
            may_act: true,
        }
    }

    #[test]
    fn the_work_comes_first() {
        use Standing::*;
        let cases: [(&[(&str, Standing)], &[&str]); 5] = [
            (&[], &[]),
            (
                &[("Xã D", SignedOff), ("Xã C", Nothing), ("Xã B", InProgress), ("Xã A", NeedsChanges)],
                &["Xã A", "Xã B", "Xã C", "Xã D"],
            ),
            // Same standing: by name.
            (
                &[("Xã Yên", InProgress), ("Phường Ba", InProgress), ("Xã An", NeedsChanges)],
                &["Xã An", "Phường Ba", "Xã Yên"],
            ),
            // Names as read: Đ with D.
            (
                &[("Xã An Phú", Nothing), ("Đặc khu Lý Sơn", Nothing), ("Phường Ba", Nothing)],
                &["Đặc khu Lý Sơn", "Phường Ba", "Xã An Phú"],
            ),
            // A standing this console does not know yet sits before the finished ones.
            (&[("Xã B", SignedOff), ("Xã A", Other), ("Xã C", Nothing)], &["Xã C", "Xã A", "Xã B"]),
        ];
        for (rows, want) in cases {
            let rows: Vec<SignOffRow> = rows.iter().map(|(n, s)| row(n, *s)).collect();
            let got: Vec<&str> = ordered(&rows).iter().map(|r| r.display_name()).collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn standings_in_words() {
        use Standing::*;
        for (s, vi, en) in [
            (Nothing, "Chưa có số liệu", "Nothing yet"),
            (InProgress, "Đang thực hiện", "In progress"),
            (NeedsChanges, "Có phiếu cần sửa", "Records need changes"),
            (SignedOff, "Đã chốt", "Signed off"),
            (Other, "—", "—"),
        ] {
            assert_eq!((standing_label(Lang::Vi, s), standing_label(Lang::En, s)), (vi, en), "{s:?}");
        }
    }

    #[test]
    fn the_confirmation_names_the_commune_and_the_period() {
        let mut r = row("Phường Cẩm Thành", Standing::InProgress);
        let q = confirm_sign_off(Lang::Vi, &r, "Năm báo cáo 2026 (01/01–30/11/2026)");
        assert!(q.starts_with("Chốt số liệu Phường Cẩm Thành cho Năm báo cáo 2026"), "{q}");
        assert!(q.contains("điện thoại không thể thêm, sửa hay xoá phiếu"), "{q}");
        assert!(!q.contains("Lưu ý"), "{q}");
        r.counts = SignOffCounts { records: 5, approved: 2, needs_changes: 1, submitted: 2 };
        assert!(confirm_sign_off(Lang::Vi, &r, "kỳ").ends_with("còn 1 phiếu cần sửa và 2 phiếu chờ duyệt."));
        assert!(confirm_sign_off(Lang::En, &r, "the year").contains("Phones can then no longer"));
    }
}
