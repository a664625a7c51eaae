//! The 2025 communes with the pre-2025 units merged into each, for the searchable picker:
//! an officer still says "xã Tịnh Ấn Tây", which is now part of a new commune.

use forms::reference::ReferenceData;

use crate::api::Commune;
use crate::query::fold;

pub const UNITS_2025: &str = "units_2025";
pub const UNITS_PRE2025: &str = "units_pre2025";

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub code: String,
    pub name: String,
    /// Pre-2025 units that went (wholly or in part) into this commune.
    pub old_names: Vec<String>,
    /// Name and old names, folded, for searching.
    folded: String,
}

impl Entry {
    pub fn commune(&self) -> Commune {
        Commune { unit_list: UNITS_2025.into(), unit_code: self.code.clone(), name: self.name.clone() }
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Communes {
    pub entries: Vec<Entry>,
}

impl Communes {
    pub fn new(reference: &ReferenceData) -> Communes {
        let Some(new) = reference.unit_lists.get(UNITS_2025) else { return Communes::default() };
        let old = reference.unit_lists.get(UNITS_PRE2025);
        let entries = new
            .communes()
            .map(|u| {
                let old_names: Vec<String> = reference
                    .unit_mapping
                    .iter()
                    .filter(|m| m.new_code == u.code)
                    .filter_map(|m| old.and_then(|l| l.get(&m.old_code)))
                    .filter(|o| o.is_commune_level() && o.name != u.name)
                    .map(|o| o.name.clone())
                    .collect();
                let folded = fold(&format!("{} {} {}", u.name, u.code, old_names.join(" ")));
                Entry { code: u.code.clone(), name: u.name.clone(), old_names, folded }
            })
            .collect();
        Communes { entries }
    }

    /// The communes whose name, code or former units contain every word typed.
    pub fn search(&self, text: &str) -> Vec<&Entry> {
        let words: Vec<String> = fold(text).split_whitespace().map(str::to_owned).collect();
        self.entries.iter().filter(|e| words.iter().all(|w| e.folded.contains(w.as_str()))).collect()
    }

    pub fn get(&self, code: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.code == code)
    }

    /// A commune's name: the server's, else the list's, else its code.
    pub fn name(&self, c: &Commune) -> String {
        if !c.name.is_empty() {
            return c.name.clone();
        }
        self.get(&c.unit_code).map_or_else(|| c.unit_code.clone(), |e| e.name.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn former_units_find_their_commune() {
        let catalog = forms::Catalog::bundled().unwrap();
        let communes = Communes::new(catalog.reference());
        assert!(communes.entries.len() > 50, "{}", communes.entries.len());
        let merged = communes.entries.iter().find(|e| !e.old_names.is_empty()).expect("a commune with former units");
        let old = &merged.old_names[0];
        let hits = communes.search(old);
        assert!(hits.iter().any(|e| e.code == merged.code), "{old} should find {}", merged.name);
        // Without diacritics and in any case.
        let plain = fold(&merged.name).to_uppercase();
        assert!(communes.search(&plain).iter().any(|e| e.code == merged.code));
        assert_eq!(communes.search("").len(), communes.entries.len());
        assert!(communes.search("zzzz qqqq").is_empty());
    }
}
