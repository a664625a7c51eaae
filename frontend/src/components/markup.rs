//! Tests only: the markup an `html!` tree stands for, as text, so native tests can check what
//! a screen shows. Text and attribute values are escaped as a browser would need them (`&`,
//! `<`, `"`); listeners are not markup and are left out; a component inside is an error.

use yew::virtual_dom::VNode;
use yew::Html;

pub fn markup(html: &Html) -> String {
    let mut out = String::new();
    write(&mut out, html);
    out
}

fn esc(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

fn write(out: &mut String, node: &VNode) {
    match node {
        VNode::VTag(tag) => {
            out.push('<');
            out.push_str(tag.tag());
            for (name, value) in tag.attributes.iter() {
                out.push_str(&format!(" {name}=\""));
                esc(out, value);
                out.push('"');
            }
            if let Some(value) = tag.value() {
                out.push_str(" value=\"");
                esc(out, value);
                out.push('"');
            }
            out.push('>');
            if tag.tag() != "input" {
                if let Some(children) = tag.children() {
                    write(out, children);
                }
                out.push_str(&format!("</{}>", tag.tag()));
            }
        }
        VNode::VText(text) => esc(out, &text.text),
        VNode::VList(list) => list.iter().for_each(|n| write(out, n)),
        _ => panic!("markup: only elements, text and lists are written"),
    }
}
