//! The enrolment sheet: per person their name, commune, QR code, link and expiry, laid out
//! for A4 by the print stylesheet (six to a page), cut apart and handed out.

use forms::Lang;
use yew::prelude::*;

use crate::api::{Enrollment, Qr};
use crate::components::communes_text;
use crate::dates;
use crate::i18n::texts;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub items: Vec<Enrollment>,
    pub lang: Lang,
}

#[function_component(PrintSheet)]
pub fn print_sheet(p: &Props) -> Html {
    let t = texts(p.lang);
    html! {
        <section class="print-sheet" aria-label={t.sheet_title}>
            { for p.items.iter().map(|e| html! {
                <article class="slip">
                    { qr(&e.qr, &e.link) }
                    <div class="slip-text">
                        <p class="slip-name">{ if e.display_name.is_empty() { e.username.clone() } else { e.display_name.clone() } }</p>
                        <p>{ format!("{}: {}", t.username, e.username) }</p>
                        <p>{ communes_text(p.lang, false, &e.communes) }</p>
                        <p class="slip-link">{ e.link.clone() }</p>
                        <p><strong>{ format!("{}: {}", t.expires, e.expires_at.map(dates::date_time).unwrap_or_default()) }</strong></p>
                        <p class="slip-how">{ t.slip_how }</p>
                    </div>
                </article>
            }) }
        </section>
    }
}

/// The server's QR code (SVG path data in a `size × size` box of modules), drawn with a
/// four-module quiet zone on white.
pub fn qr(qr: &Qr, link: &str) -> Html {
    let side = qr.size + 8;
    html! {
        <svg class="qr" viewBox={format!("-4 -4 {side} {side}")} role="img" aria-label={link.to_owned()}
            shape-rendering="crispEdges" xmlns="http://www.w3.org/2000/svg">
            <rect x="-4" y="-4" width={side.to_string()} height={side.to_string()} fill="#fff" />
            <path d={qr.path.clone()} fill="#000" />
        </svg>
    }
}
