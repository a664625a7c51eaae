//! Evidence answers (issue 16): photos and GPS points, as a record holds them.
//!
//! A photo answer never holds the picture: it names each photo by the SHA-256 of its bytes
//! (`{"sha256": "…", "bytes": n}`), and the picture travels on its own, after the record,
//! keyed by that hash. So a record syncs at its usual size whatever its photos weigh, and an
//! upload retried after a lost reply is recognised by its hash and stored once.
//!
//! A geopoint answer is `{"lat": …, "lon": …, "accuracy": metres}` (WGS 84, as the
//! Geolocation API gives it); the accuracy may be absent when a position was typed.

use serde::{Deserialize, Serialize};

/// The most a photo may weigh, in bytes. The phone aims for about 250 KB (a 1600 px JPEG of
/// a sign-in sheet); the limit leaves room for a page that compresses badly and refuses what
/// no phone of ours would send.
pub const MAX_PHOTO_BYTES: u64 = 1024 * 1024;

/// The most photos one photo field takes, whatever its definition says.
pub const MAX_PHOTOS_PER_FIELD: u32 = 10;

/// The only type a stored photo has: the phone re-encodes every picture as JPEG, which is
/// also what strips its EXIF block (camera, time and place).
pub const PHOTO_CONTENT_TYPE: &str = "image/jpeg";

/// One photo named by an answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PhotoRef {
    /// Lower-case hex SHA-256 of the JPEG's bytes.
    pub sha256: String,
    pub bytes: u64,
}

/// A position on the earth, with how sure the phone was of it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
    /// Radius in metres within which the phone placed the point (95 %), if it said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
}

/// A photo answer as stored. Built by hand, like the grid's cells: serde's `Value` serializer
/// would be code every phone downloads for two small objects.
pub fn photos_json(photos: &[PhotoRef]) -> serde_json::Value {
    let items = photos.iter().map(|p| {
        let mut m = serde_json::Map::new();
        m.insert("sha256".into(), p.sha256.clone().into());
        m.insert("bytes".into(), p.bytes.into());
        serde_json::Value::Object(m)
    });
    serde_json::Value::Array(items.collect())
}

/// A geopoint answer as stored (see [`photos_json`]).
pub fn geopoint_json(point: &GeoPoint) -> serde_json::Value {
    let number = |x: f64| serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number);
    let mut m = serde_json::Map::new();
    m.insert("lat".into(), number(point.lat));
    m.insert("lon".into(), number(point.lon));
    if let Some(a) = point.accuracy {
        m.insert("accuracy".into(), number(a));
    }
    serde_json::Value::Object(m)
}

/// Whether `s` is how a photo is named: 64 lower-case hex digits.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `15,12141; 108,80442 (±12 m)`: a position as people read it, to five decimals (about a
/// metre), with the phone's accuracy; the same in the PWA, the console and exports.
pub fn position_text(point: &GeoPoint, lang: crate::Lang) -> String {
    let vi = lang == crate::Lang::Vi;
    let deg = |x: f64| crate::value::number_text((x * 100_000.0).round() / 100_000.0, if vi { ',' } else { '.' });
    let within = point.accuracy.map(|a| format!(" (±{} m)", a.round() as i64)).unwrap_or_default();
    format!("{}{}{}{within}", deg(point.lat), if vi { "; " } else { ", " }, deg(point.lon))
}

/// Why a photo or geopoint answer is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceProblem {
    WrongShape,
    TooMany(u32),
    Repeated,
    TooLarge,
    OutOfRange,
}

/// Reads a photo answer: a list of distinct photo references, at most `max` of them.
pub fn read_photos(raw: &serde_json::Value, max: u32) -> Result<Vec<PhotoRef>, EvidenceProblem> {
    let serde_json::Value::Array(items) = raw else { return Err(EvidenceProblem::WrongShape) };
    let mut photos: Vec<PhotoRef> = Vec::with_capacity(items.len());
    for item in items {
        let serde_json::Value::Object(map) = item else { return Err(EvidenceProblem::WrongShape) };
        if map.len() != 2 {
            return Err(EvidenceProblem::WrongShape);
        }
        let sha256 = map.get("sha256").and_then(|v| v.as_str()).filter(|s| is_sha256_hex(s));
        let bytes = map.get("bytes").and_then(|v| v.as_u64()).filter(|b| *b > 0);
        let (Some(sha256), Some(bytes)) = (sha256, bytes) else { return Err(EvidenceProblem::WrongShape) };
        if bytes > MAX_PHOTO_BYTES {
            return Err(EvidenceProblem::TooLarge);
        }
        if photos.iter().any(|p| p.sha256 == sha256) {
            return Err(EvidenceProblem::Repeated);
        }
        photos.push(PhotoRef { sha256: sha256.to_owned(), bytes });
    }
    if photos.len() > max as usize {
        return Err(EvidenceProblem::TooMany(max));
    }
    Ok(photos)
}

/// Reads a geopoint answer: latitude within ±90, longitude within ±180, accuracy ≥ 0.
pub fn read_geopoint(raw: &serde_json::Value) -> Result<GeoPoint, EvidenceProblem> {
    let serde_json::Value::Object(map) = raw else { return Err(EvidenceProblem::WrongShape) };
    if map.keys().any(|k| !matches!(k.as_str(), "lat" | "lon" | "accuracy")) {
        return Err(EvidenceProblem::WrongShape);
    }
    let number = |k: &str| map.get(k).and_then(|v| v.as_f64()).filter(|x| x.is_finite());
    let (Some(lat), Some(lon)) = (number("lat"), number("lon")) else { return Err(EvidenceProblem::WrongShape) };
    let accuracy = match map.get("accuracy") {
        None | Some(serde_json::Value::Null) => None,
        Some(_) => Some(number("accuracy").ok_or(EvidenceProblem::WrongShape)?),
    };
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) || accuracy.is_some_and(|a| a < 0.0) {
        return Err(EvidenceProblem::OutOfRange);
    }
    Ok(GeoPoint { lat, lon, accuracy })
}

/// Every photo a record's answers name, in the form's field order, each once: what the
/// server expects to receive for it and what the phone must send.
pub fn photos_named(form: &crate::Form, answers: &serde_json::Map<String, serde_json::Value>) -> Vec<PhotoRef> {
    let mut out: Vec<PhotoRef> = Vec::new();
    let photo_fields = form.fields.iter().filter(|f| f.field_type == crate::FieldType::Photo);
    for field in photo_fields {
        let named = answers.get(&field.name).and_then(|v| read_photos(v, MAX_PHOTOS_PER_FIELD).ok());
        for p in named.unwrap_or_default() {
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const H: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn photo_answers_are_read_or_refused() {
        let other = H.replace('9', "0");
        let cases: Vec<(serde_json::Value, u32, Result<usize, EvidenceProblem>)> = vec![
            (json!([]), 1, Ok(0)),
            (json!([{"sha256": H, "bytes": 1000}]), 1, Ok(1)),
            (json!([{"sha256": H, "bytes": 1000}, {"sha256": other, "bytes": 5}]), 2, Ok(2)),
            (json!([{"sha256": H, "bytes": 1000}, {"sha256": other, "bytes": 5}]), 1, Err(EvidenceProblem::TooMany(1))),
            (json!([{"sha256": H, "bytes": 1}, {"sha256": H, "bytes": 1}]), 3, Err(EvidenceProblem::Repeated)),
            (json!([{"sha256": H, "bytes": MAX_PHOTO_BYTES + 1}]), 1, Err(EvidenceProblem::TooLarge)),
            (json!([{"sha256": H.to_uppercase(), "bytes": 1}]), 1, Err(EvidenceProblem::WrongShape)),
            (json!([{"sha256": &H[1..], "bytes": 1}]), 1, Err(EvidenceProblem::WrongShape)),
            (json!([{"sha256": H, "bytes": 0}]), 1, Err(EvidenceProblem::WrongShape)),
            (json!([{"sha256": H, "bytes": 1, "jpeg": "…"}]), 1, Err(EvidenceProblem::WrongShape)),
            (json!({"sha256": H, "bytes": 1}), 1, Err(EvidenceProblem::WrongShape)),
            (json!("photo.jpg"), 1, Err(EvidenceProblem::WrongShape)),
        ];
        for (raw, max, expected) in cases {
            assert_eq!(read_photos(&raw, max).map(|p| p.len()), expected, "{raw}");
        }
    }

    #[test]
    fn geopoints_are_read_or_refused() {
        let cases: Vec<(serde_json::Value, Result<GeoPoint, EvidenceProblem>)> = vec![
            (
                json!({"lat": 15.12, "lon": 108.8, "accuracy": 12.5}),
                Ok(GeoPoint { lat: 15.12, lon: 108.8, accuracy: Some(12.5) }),
            ),
            (json!({"lat": -90, "lon": 180}), Ok(GeoPoint { lat: -90.0, lon: 180.0, accuracy: None })),
            (json!({"lat": 91, "lon": 0}), Err(EvidenceProblem::OutOfRange)),
            (json!({"lat": 0, "lon": -180.5}), Err(EvidenceProblem::OutOfRange)),
            (json!({"lat": 0, "lon": 0, "accuracy": -1}), Err(EvidenceProblem::OutOfRange)),
            (json!({"lat": "15", "lon": 0}), Err(EvidenceProblem::WrongShape)),
            (json!({"lat": 1, "lon": 2, "alt": 3}), Err(EvidenceProblem::WrongShape)),
            (json!({"lat": 1}), Err(EvidenceProblem::WrongShape)),
            (json!([15, 108]), Err(EvidenceProblem::WrongShape)),
        ];
        for (raw, expected) in cases {
            assert_eq!(read_geopoint(&raw), expected, "{raw}");
        }
    }

    #[test]
    fn positions_read_as_people_write_them() {
        let point = GeoPoint { lat: 15.121414, lon: 108.804421, accuracy: Some(12.4) };
        assert_eq!(position_text(&point, crate::Lang::Vi), "15,12141; 108,80442 (±12 m)");
        assert_eq!(position_text(&point, crate::Lang::En), "15.12141, 108.80442 (±12 m)");
        let typed = GeoPoint { lat: -8.5, lon: 0.0, accuracy: None };
        assert_eq!(position_text(&typed, crate::Lang::Vi), "-8,5; 0");
    }
}
