//! A record's answers, read-only, from its form definition: labels from the definition,
//! choices by their labels, dates dd/mm/yyyy, a count grid as a table by group × sex.

use forms::definition::{Field, FieldType, FormDefinition};
use forms::reference::ReferenceData;
use forms::{Bundle, Lang};
use serde_json::Value as Json;
use yew::prelude::*;

use crate::components::photos::RecordPhotos;
use crate::dates;
use crate::i18n::texts;

pub fn definition<'a>(bundle: &'a Bundle, record: &Json) -> Option<&'a FormDefinition> {
    let id = record["form_id"].as_str()?;
    let version = record["form_version"].as_u64()?;
    bundle.forms.iter().find(|f| f.id == id && u64::from(f.version) == version)
}

/// Every answered field, section by section.
pub fn answers(bundle: &Bundle, record: &Json, lang: Lang) -> Html {
    let t = texts(lang);
    let Some(def) = definition(bundle, record) else {
        return html! { <p class="warn">{ t.no_definition }</p> };
    };
    let values = &record["values"];
    let record_id = record["id"].as_str().unwrap_or_default().to_owned();
    html! {
        <div class="answers">
            { for def.sections.iter().map(|s| {
                let shown: Vec<&Field> = s.fields.iter().filter(|f| f.field_type.holds_value() && !values[&f.name].is_null()).collect();
                if shown.is_empty() {
                    return html! {};
                }
                html! {
                    <section>
                        <h3>{ s.title.get(lang).to_owned() }</h3>
                        <dl>{ for shown.into_iter().map(|f| html! {
                            <div class="answer">
                                <dt>{ f.label.get(lang).to_owned() }</dt>
                                <dd>{ if f.field_type == FieldType::Photo {
                                    photo_answer(&record_id, &values[&f.name], lang)
                                } else {
                                    value(f, &values[&f.name], &bundle.reference, lang)
                                } }</dd>
                            </div>
                        }) }</dl>
                    </section>
                }
            }) }
        </div>
    }
}

/// A photo answer: the photos themselves, fetched with the session's token.
fn photo_answer(record_id: &str, v: &Json, lang: Lang) -> Html {
    let photos = forms::evidence::read_photos(v, forms::evidence::MAX_PHOTOS_PER_FIELD).unwrap_or_default();
    html! { <RecordPhotos record_id={AttrValue::from(record_id.to_owned())} {photos} {lang} /> }
}

/// One answer, as the officer would read it.
pub fn value(field: &Field, v: &Json, reference: &ReferenceData, lang: Lang) -> Html {
    if field.field_type == FieldType::CountGrid {
        return grid(field, v, lang);
    }
    html! { { text(field, v, reference, lang) } }
}

pub fn text(field: &Field, v: &Json, reference: &ReferenceData, lang: Lang) -> String {
    let t = texts(lang);
    let label_of = |code: &str| {
        choices(field, reference, lang).into_iter().find(|(c, _)| c == code).map_or_else(|| code.to_owned(), |(_, l)| l)
    };
    match (field.field_type, v) {
        (_, Json::Null) => t.no_answer.to_owned(),
        (FieldType::Date, Json::String(s)) => dates::iso_to_vi(s),
        (FieldType::SelectOne, Json::String(s)) => label_of(s),
        (FieldType::SelectMultiple, Json::Array(a)) => {
            a.iter().filter_map(Json::as_str).map(label_of).collect::<Vec<_>>().join("; ")
        }
        (FieldType::YesNo, Json::Bool(b)) => (if *b { t.yes } else { t.no }).to_owned(),
        (FieldType::Geopoint, _) => match forms::evidence::read_geopoint(v) {
            Ok(g) => forms::evidence::position_text(&g, lang),
            Err(_) => v.to_string(),
        },
        (FieldType::CountGrid, Json::Array(cells)) => {
            let (f, m) = totals(cells, None);
            format!("{} {} ({} {f}, {} {m})", t.total, f + m, t.female, t.male)
        }
        (_, Json::String(s)) => s.clone(),
        _ => v.to_string(),
    }
}

/// The labels of a choice field's options: inline, or from a reference list.
pub fn choices(field: &Field, reference: &ReferenceData, lang: Lang) -> Vec<(String, String)> {
    if let Some(options) = &field.options {
        return options.iter().map(|o| (o.value.clone(), o.label.get(lang).to_owned())).collect();
    }
    let Some(list) = &field.list else { return Vec::new() };
    if let Some(l) = reference.lists.get(list) {
        l.entries.iter().map(|e| (e.code.clone(), e.label.get(lang).to_owned())).collect()
    } else if let Some(u) = reference.unit_lists.get(list) {
        u.units.iter().map(|u| (u.code.clone(), u.name.clone())).collect()
    } else {
        Vec::new()
    }
}

/// (female, male) over the cells of `group` (every group when `None`).
fn totals(cells: &[Json], group: Option<&str>) -> (u64, u64) {
    let sum = |sex: &str| -> u64 {
        cells
            .iter()
            .filter(|c| c["sex"] == sex)
            .filter(|c| group.is_none_or(|g| c["group"].as_str() == Some(g)))
            .filter_map(|c| c["count"].as_u64())
            .sum()
    };
    (sum("female"), sum("male"))
}

/// The grid as a table: one row per group (or one row), women, men, total.
fn grid(field: &Field, v: &Json, lang: Lang) -> Html {
    let t = texts(lang);
    let cells = v.as_array().map_or(&[][..], Vec::as_slice);
    let groups: Vec<(Option<String>, String)> = match field.grid.as_ref().and_then(|g| g.group.as_ref()) {
        Some(g) => g.options.iter().map(|o| (Some(o.value.clone()), o.label.get(lang).to_owned())).collect(),
        None => Vec::new(),
    };
    let row = |label: String, (f, m): (u64, u64), total: bool| {
        html! {
            <tr class={classes!(total.then_some("total"))}>
                <th scope="row">{ label }</th><td class="num">{ f }</td><td class="num">{ m }</td><td class="num">{ f + m }</td>
            </tr>
        }
    };
    let group_label = field.grid.as_ref().and_then(|g| g.group.as_ref()).map_or(t.group, |g| g.label.get(lang));
    html! {
        <table class="grid">
            <thead><tr>
                <th scope="col">{ group_label.to_owned() }</th><th scope="col" class="num">{ t.female }</th>
                <th scope="col" class="num">{ t.male }</th><th scope="col" class="num">{ t.total }</th>
            </tr></thead>
            <tbody>
                { for groups.iter().map(|(g, label)| row(label.clone(), totals(cells, g.as_deref()), false)) }
                { row(t.total.to_owned(), totals(cells, None), true) }
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_read_as_an_officer_wrote_them() {
        let bundle = forms::Catalog::bundled().unwrap().bundle();
        let def = bundle
            .forms
            .iter()
            .find(|f| {
                f.sections
                    .iter()
                    .flat_map(|s| &s.fields)
                    .any(|f| f.field_type == FieldType::SelectOne && f.options.is_some())
            })
            .unwrap();
        let field = def
            .sections
            .iter()
            .flat_map(|s| &s.fields)
            .find(|f| f.field_type == FieldType::SelectOne && f.options.is_some())
            .unwrap();
        let option = &field.options.as_ref().unwrap()[0];
        assert_eq!(text(field, &Json::from(option.value.clone()), &bundle.reference, Lang::Vi), option.label.vi);
        let date = Field { field_type: FieldType::Date, ..field.clone() };
        assert_eq!(text(&date, &Json::from("2026-11-20"), &bundle.reference, Lang::Vi), "20/11/2026");
        let yes_no = Field { field_type: FieldType::YesNo, options: None, ..field.clone() };
        assert_eq!(text(&yes_no, &Json::Bool(true), &bundle.reference, Lang::En), "Yes");
        let cells: Json = serde_json::json!([
            {"ethnicity": "01", "sex": "female", "group": "child", "count": 3},
            {"ethnicity": "04", "sex": "female", "group": "adult", "count": 2},
            {"ethnicity": "01", "sex": "male", "group": "child", "count": 4}
        ]);
        let list = cells.as_array().unwrap();
        assert_eq!(totals(list, None), (5, 4));
        assert_eq!(totals(list, Some("child")), (3, 4));
        let grid = Field { field_type: FieldType::CountGrid, options: None, ..field.clone() };
        assert_eq!(text(&grid, &cells, &bundle.reference, Lang::Vi), "Tổng 9 (Nữ 5, Nam 4)");
    }
}
