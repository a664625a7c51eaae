//! Import time of a 300-row XLSForm (issue 15), against calamine merely reading the same
//! workbook's three sheets (the least any importer must do), measured in the same run.
//!
//! `cargo bench -p sotay-xlsform --bench import`. One core.

use std::hint::black_box;
use std::io::Cursor;
use std::time::{Duration, Instant};

use calamine::{Reader, Xlsx};
use forms::definition::{ChoiceOption, Field, FieldType, FormDefinition, GridGroup, GridSpec, Section};
use forms::figures::{Figure, FormFigures};
use forms::{Catalog, Localized, PlanArea};

fn text(vi: &str, en: &str) -> Localized {
    Localized::new(vi, en)
}

fn field(name: String, t: FieldType) -> Field {
    Field {
        label: text(&format!("Câu hỏi {name}"), &format!("Question {name}")),
        name,
        field_type: t,
        hint: None,
        required: false,
        relevant: None,
        constraint: None,
        constraint_message: None,
        calculate: None,
        min: None,
        max: None,
        max_length: None,
        options: None,
        list: None,
        personal_data_warning: None,
        grid: None,
        max_photos: None,
    }
}

fn options(prefix: &str, n: usize) -> Vec<ChoiceOption> {
    (0..n)
        .map(|i| ChoiceOption {
            value: format!("{prefix}{i}"),
            label: text(&format!("Lựa chọn {i}"), &format!("Option {i}")),
        })
        .collect()
}

/// Ten groups of 28 questions: 300 survey rows with their `begin`/`end group`, every kind of
/// question, inline lists, reference lists, skip logic, constraints and calculations.
fn definition() -> (FormDefinition, FormFigures) {
    let mut sections = Vec::new();
    let mut figures = Vec::new();
    for s in 0..10 {
        let mut fields = Vec::new();
        for q in 0..28 {
            let name = format!("q{s}_{q}");
            let prev = format!("q{s}_{}", q.max(1) - 1);
            let mut f = match q % 9 {
                0 => {
                    let mut f = field(name.clone(), FieldType::SelectOne);
                    f.options = Some(options("o", 6));
                    f.required = true;
                    f
                }
                1 => {
                    let mut f = field(name.clone(), FieldType::Text);
                    f.relevant = Some(format!("selected({prev}, 'o5')"));
                    f.max_length = Some(200);
                    f
                }
                2 => {
                    let mut f = field(name.clone(), FieldType::Integer);
                    f.min = Some(0.0);
                    f.max = Some(500.0);
                    f.constraint = Some(". <= 400 or . = 500".into());
                    f.constraint_message = Some(text("Quá lớn", "Too large"));
                    figures.push(Figure {
                        field: name.clone(),
                        label: text(&format!("Số {name}"), &format!("Count {name}")),
                    });
                    f
                }
                3 => {
                    let mut f = field(name.clone(), FieldType::SelectMultiple);
                    f.list = Some("agencies".into());
                    f
                }
                4 => {
                    let mut f = field(name.clone(), FieldType::CountGrid);
                    f.grid = Some(GridSpec {
                        ethnicity_list: "ethnic_groups".into(),
                        shortlist: "quang_ngai".into(),
                        group: Some(GridGroup {
                            name: "age_group".into(),
                            label: text("Độ tuổi", "Age group"),
                            options: options("a", 3),
                        }),
                        max_cell: 5000,
                    });
                    f.constraint = Some("total(.) > 0".into());
                    f.constraint_message = Some(text("Cần ít nhất một người", "At least one person"));
                    f
                }
                5 => {
                    let mut f = field(name.clone(), FieldType::Calculate);
                    f.calculate = Some(format!("total_sex({prev}, 'female') + total_minority({prev})"));
                    f
                }
                6 => field(name.clone(), FieldType::YesNo),
                7 => {
                    let mut f = field(name.clone(), FieldType::LongText);
                    // The date question is the ninth of the first group.
                    let date = if s > 0 { " and in_action_month(d0)" } else { "" };
                    f.relevant = Some(format!("{prev}{date}"));
                    f
                }
                _ => field(name.clone(), FieldType::Decimal),
            };
            if s == 0 && q == 8 {
                f = field("d0".into(), FieldType::Date);
                f.required = true;
            }
            fields.push(f);
        }
        sections.push(Section {
            id: format!("s{s}"),
            title: text(&format!("Phần {s}"), &format!("Part {s}")),
            help: None,
            relevant: (s > 0).then(|| "filled(d0)".to_owned()),
            fields,
        });
    }
    let def = FormDefinition {
        id: "bench_form".into(),
        version: 1,
        plan_area: PlanArea::Training,
        title: text("Biểu mẫu thử", "Benchmark form"),
        help: None,
        date_field: "d0".into(),
        withdrawn: false,
        draft: false,
        sections,
    };
    (def, FormFigures { form: "bench_form".into(), figures })
}

/// Runs `f` repeatedly for about `window`, five times; returns the median time per call.
fn time(window: Duration, mut f: impl FnMut()) -> Duration {
    let mut times = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let mut n = 0u32;
        while start.elapsed() < window {
            f();
            n += 1;
        }
        times.push(start.elapsed() / n);
    }
    times.sort();
    times[2]
}

fn main() {
    // `cargo test --benches` runs this binary with `--bench` absent: keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let window = if quick { Duration::from_millis(20) } else { Duration::from_millis(1500) };

    let reference = Catalog::bundled().expect("bundled catalog loads").reference().clone();
    let (def, figures) = definition();
    let bytes = xlsform::export(&def, Some(&figures), &reference).expect("the benchmark form exports");
    let imported = xlsform::import(&bytes, &reference).unwrap_or_else(|e| panic!("the benchmark form imports: {e:#?}"));
    assert_eq!(imported.definition, def);
    let rows = 2 * def.sections.len() + def.sections.iter().map(|s| s.fields.len()).sum::<usize>();

    let read = time(window, || {
        let mut xlsx: Xlsx<_> = Xlsx::new(Cursor::new(black_box(&bytes[..]))).unwrap();
        for sheet in ["survey", "choices", "settings"] {
            black_box(xlsx.worksheet_range(sheet).unwrap());
        }
    });
    let import = time(window, || {
        black_box(xlsform::import(black_box(&bytes), &reference).is_ok());
    });
    let compile = time(window, || {
        black_box(forms::Form::compile(black_box(def.clone()), &reference, "bench").is_ok());
    });
    let export = time(window, || {
        black_box(xlsform::export(black_box(&def), Some(&figures), &reference).unwrap());
    });
    let toml = time(window, || {
        black_box(xlsform::definition_toml(black_box(&def)));
    });

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("XLSForm benchmark: {rows} survey rows, {} KB workbook, one core", bytes.len() / 1024);
    println!("  baseline  calamine reads the 3 sheets      {:>8.2} ms", ms(read));
    println!("  import    (read, map, translate, compile)  {:>8.2} ms", ms(import));
    println!("  of which  Form::compile of the definition  {:>8.2} ms", ms(compile));
    println!("  export    (rust_xlsxwriter)                {:>8.2} ms", ms(export));
    println!("  TOML      (definition_toml)                {:>8.2} ms", ms(toml));
    println!("  import costs {:.2}× calamine's read of the same workbook", import.as_secs_f64() / read.as_secs_f64());
}
