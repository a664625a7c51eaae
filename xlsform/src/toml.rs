//! A definition (and a form's report figures) written as the TOML of
//! `forms/definitions/<form>/v<N>.toml`, in the files' own style — texts as inline
//! `{ vi = "…", en = "…" }`, options one per line, the grid as `grid.` keys — so an exported
//! version reads like the shipped ones and `forms`' parser reads it back to the same
//! definition. (The `toml` crate's serializer would nest every text as a table of its own.)

use std::fmt::Write;

use forms::definition::{ChoiceOption, Field, FormDefinition};
use forms::figures::FormFigures;
use forms::Localized;

use crate::settings::plan_area_name;

/// A TOML basic string: quoted, with `\`, `"` and control characters escaped.
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn text(l: &Localized) -> String {
    format!("{{ vi = {}, en = {} }}", string(&l.vi), string(&l.en))
}

/// A number as TOML: whole numbers as integers (as the shipped files write bounds).
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        format!("{}", n as i64)
    } else {
        // `{:?}` keeps a decimal point or an exponent, so TOML reads a float.
        format!("{n:?}")
    }
}

fn options(options: &[ChoiceOption]) -> String {
    let mut out = String::from("[\n");
    for o in options {
        let _ = writeln!(out, "  {{ value = {}, label = {} }},", string(&o.value), text(&o.label));
    }
    out.push(']');
    out
}

fn field(out: &mut String, f: &Field) {
    let mut line = |key: &str, value: String| {
        let _ = writeln!(out, "{key} = {value}");
    };
    line("name", string(&f.name));
    line("type", string(f.field_type.as_str()));
    line("label", text(&f.label));
    if let Some(h) = &f.hint {
        line("hint", text(h));
    }
    if f.required {
        line("required", "true".into());
    }
    for (key, value) in [("relevant", &f.relevant), ("constraint", &f.constraint)] {
        if let Some(v) = value {
            line(key, string(v));
        }
    }
    if let Some(m) = &f.constraint_message {
        line("constraint_message", text(m));
    }
    if let Some(c) = &f.calculate {
        line("calculate", string(c));
    }
    for (key, value) in [("min", f.min), ("max", f.max)] {
        if let Some(v) = value {
            line(key, number(v));
        }
    }
    if let Some(n) = f.max_length {
        line("max_length", n.to_string());
    }
    if let Some(o) = &f.options {
        line("options", options(o));
    }
    if let Some(l) = &f.list {
        line("list", string(l));
    }
    if let Some(b) = f.personal_data_warning {
        line("personal_data_warning", b.to_string());
    }
    if let Some(g) = &f.grid {
        if g.ethnicity_list != "ethnic_groups" {
            line("grid.ethnicity_list", string(&g.ethnicity_list));
        }
        line("grid.shortlist", string(&g.shortlist));
        if let Some(group) = &g.group {
            let value = format!(
                "{{ name = {}, label = {}, options = {} }}",
                string(&group.name),
                text(&group.label),
                options(&group.options)
            );
            line("grid.group", value);
        }
        line("grid.max_cell", g.max_cell.to_string());
    }
    if let Some(n) = f.max_photos {
        line("max_photos", n.to_string());
    }
}

/// `<form>/v<N>.toml` for this definition.
pub fn definition_toml(def: &FormDefinition) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "id = {}", string(&def.id));
    let _ = writeln!(out, "version = {}", def.version);
    let _ = writeln!(out, "plan_area = {}", string(&plan_area_name(def.plan_area)));
    let _ = writeln!(out, "date_field = {}", string(&def.date_field));
    let _ = writeln!(out, "title = {}", text(&def.title));
    if let Some(h) = &def.help {
        let _ = writeln!(out, "help = {}", text(h));
    }
    if def.withdrawn {
        out.push_str("withdrawn = true\n");
    }
    for section in &def.sections {
        out.push_str("\n[[sections]]\n");
        let _ = writeln!(out, "id = {}", string(&section.id));
        let _ = writeln!(out, "title = {}", text(&section.title));
        if let Some(h) = &section.help {
            let _ = writeln!(out, "help = {}", text(h));
        }
        if let Some(r) = &section.relevant {
            let _ = writeln!(out, "relevant = {}", string(r));
        }
        if section.fields.is_empty() {
            out.push_str("fields = []\n");
        }
        for f in &section.fields {
            out.push_str("\n[[sections.fields]]\n");
            field(&mut out, f);
        }
    }
    out
}

/// `<form>/figures.toml` for these figures.
pub fn figures_toml(figures: &FormFigures) -> String {
    let mut out = format!("form = {}\n", string(&figures.form));
    for f in &figures.figures {
        let _ = write!(out, "\n[[figures]]\nfield = {}\nlabel = {}\n", string(&f.field), text(&f.label));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn strings_are_escaped() {
        assert_eq!(super::string("a \"b\" \\ c\nd\u{7}"), r#""a \"b\" \\ c\nd\u0007""#);
        assert_eq!(super::number(30.0), "30");
        assert_eq!(super::number(1.5), "1.5");
        assert_eq!(super::number(1e20), "1e20");
    }
}
