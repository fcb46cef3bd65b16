//! One field of a portal profile, the same for pages and JSON: **where** its text comes from, then
//! an optional **pattern** (a regular expression whose named captures may give other fields too),
//! then an optional **value map** from the portal's words to TruckIQ's.
//!
//! In a profile file a field is either a list of CSS selectors (the older form, still read) or a
//! table with exactly one "where" key:
//!
//! ```toml
//! vin = { label = "VIN" }                                   # a labelled pair
//! unit = { css = "h3", pattern = 'Unit (?P<unit>\S+)' }     # a child's text, then a pattern
//! active = { attr = "data-state", map = { open = "active", cleared = "inactive" } }
//! line = { row = "own_text", pattern = 'SPN (?P<spn>\d+) FMI (?P<fmi>\d+)' }
//! first_seen = { css = "time", attr = "datetime" }
//! vin = { json = "vin" }                                    # JSON profiles
//! ```

use std::collections::{BTreeMap, HashMap};

use regex::Regex;
use scraper::{ElementRef, Node, Selector};
use serde::Deserialize;

/// Where a field's text comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// Nothing: the layout does not show this field.
    Nowhere,
    /// The first element any of these selectors finds inside the row (or page): its text, or the
    /// attribute `attr` (its text when it has no such attribute, as a `<time>` without `datetime`).
    Css { selectors: Vec<(String, Selector)>, attr: Option<String> },
    /// The row itself: all its text, only its own text (not its children's), or an attribute.
    Row(RowPart),
    /// The value beside a label: `<dt>VIN</dt><dd>…</dd>`, `<th>VIN</th><td>…</td>`, a label
    /// element and the element after it, or `VIN: …` in running text. Labels are tried in order.
    Label(Vec<String>),
    /// A dotted path into a JSON object (`vehicle.vin`, `faults.0.spn`).
    Json(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowPart {
    Text,
    OwnText,
    Attr(String),
}

/// A field as the profile describes it.
#[derive(Debug, Clone)]
pub struct Field {
    pub source: Source,
    pub pattern: Option<Regex>,
    /// Portal words (compared without case or extra spaces) to TruckIQ values.
    pub map: ValueMap,
    /// Date formats (chrono `strftime`) for this field, tried before the profile's own.
    pub formats: Vec<String>,
}

impl Default for Field {
    fn default() -> Self {
        Self { source: Source::Nowhere, pattern: None, map: ValueMap::default(), formats: Vec::new() }
    }
}

/// What a field found: its own value and the named captures of its pattern.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// The text the source gave, before the pattern (for the doctor and error messages).
    pub raw: Option<String>,
    /// The field's value: the capture named after the field, else the first group, else the
    /// whole match, else the text; then mapped.
    pub value: Option<String>,
    /// The value before the map: the portal's own words.
    pub words: Option<String>,
    /// Named captures, which fill fields of those names that found nothing of their own.
    pub captures: HashMap<String, String>,
    /// The text was there but the pattern did not match it.
    pub unmatched: bool,
}

impl Field {
    pub fn is_set(&self) -> bool {
        !matches!(self.source, Source::Nowhere)
    }

    /// The JSON path it reads, if it reads one.
    pub fn json_path(&self) -> Option<&str> {
        match &self.source {
            Source::Json(path) => Some(path),
            _ => None,
        }
    }

    /// A short description of where the field looks, for messages: `css .code`, `label "VIN"`.
    pub fn describe(&self) -> String {
        let mut out = match &self.source {
            Source::Nowhere => "nowhere".to_owned(),
            Source::Css { selectors, attr } => {
                let css = selectors.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>().join(", ");
                match attr {
                    Some(attr) => format!("css {css} @{attr}"),
                    None => format!("css {css}"),
                }
            }
            Source::Row(RowPart::Text) => "the row's text".to_owned(),
            Source::Row(RowPart::OwnText) => "the row's own text".to_owned(),
            Source::Row(RowPart::Attr(attr)) => format!("the row's @{attr}"),
            Source::Label(labels) => {
                format!("label {}", labels.iter().map(|l| format!("{l:?}")).collect::<Vec<_>>().join(" or "))
            }
            Source::Json(path) => format!("json {path}"),
        };
        if let Some(pattern) = &self.pattern {
            out.push_str(&format!(" /{}/", pattern.as_str()));
        }
        out
    }

    /// Reads the field in `scope` (a row, or a whole page). `name` is the field's own name, whose
    /// capture, if the pattern has one, is its value.
    pub fn find_html(&self, scope: ElementRef<'_>, name: &str) -> Found {
        let raw = match &self.source {
            Source::Nowhere | Source::Json(_) => None,
            Source::Css { selectors, attr } => {
                selectors.iter().find_map(|(_, s)| scope.select(s).next()).map(|element| {
                    match attr.as_deref().and_then(|attr| element.value().attr(attr)) {
                        Some(value) => value.to_owned(),
                        None => text_of(element),
                    }
                })
            }
            Source::Row(RowPart::Text) => Some(text_of(scope)),
            Source::Row(RowPart::OwnText) => Some(own_text(scope)),
            Source::Row(RowPart::Attr(attr)) => scope.value().attr(attr).map(str::to_owned),
            Source::Label(labels) => labels.iter().find_map(|label| labelled(scope, label)),
        };
        self.refine(raw.map(|t| squash(&t)).filter(|t| !t.is_empty()), name)
    }

    /// Reads the field from a JSON object.
    pub fn find_json(&self, object: &serde_json::Value, name: &str) -> Found {
        let raw = match &self.source {
            Source::Json(path) => lookup(object, path).and_then(json_text),
            _ => None,
        };
        let raw = raw.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        self.refine(raw, name)
    }

    fn refine(&self, raw: Option<String>, name: &str) -> Found {
        let Some(text) = raw.clone() else { return Found::default() };
        let Some(pattern) = &self.pattern else {
            return Found { value: Some(self.map.apply(&text)), words: Some(text), raw, ..Found::default() };
        };
        let Some(caps) = pattern.captures(&text) else {
            return Found { raw, unmatched: true, ..Found::default() };
        };
        let captures: HashMap<String, String> = pattern
            .capture_names()
            .flatten()
            .filter_map(|n| caps.name(n).map(|m| (n.to_owned(), squash(m.as_str()))))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let words = captures
            .get(name)
            .cloned()
            .or_else(|| {
                pattern
                    .capture_names()
                    .flatten()
                    .next()
                    .is_none()
                    .then(|| caps.get(1))
                    .flatten()
                    .map(|m| squash(m.as_str()))
            })
            .or_else(|| caps.get(0).map(|m| squash(m.as_str())))
            .filter(|v| !v.is_empty());
        let value = words.as_deref().map(|v| self.map.apply(v));
        Found { raw, value, words, captures, unmatched: false }
    }
}

/// Portal words to TruckIQ values. Keys are compared without case and with spaces squashed; a
/// value no key equals is kept as it is.
#[derive(Debug, Clone, Default)]
pub struct ValueMap(BTreeMap<String, String>);

impl ValueMap {
    pub fn new(entries: impl IntoIterator<Item = (String, String)>) -> Self {
        Self(entries.into_iter().map(|(k, v)| (fold(&k), v)).collect())
    }

    pub fn get(&self, text: &str) -> Option<&str> {
        self.0.get(&fold(text)).map(String::as_str)
    }

    pub fn apply(&self, text: &str) -> String {
        self.get(text).map_or_else(|| text.to_owned(), str::to_owned)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

fn fold(text: &str) -> String {
    squash(text).to_lowercase()
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn text_of(element: ElementRef<'_>) -> String {
    squash(&element.text().collect::<Vec<_>>().join(" "))
}

/// The element's text, squashed, or `None` once it is longer than `limit` bytes. An element with
/// far more text than a label cannot be one, and building every ancestor's whole text made a
/// deeply nested page quadratic (1 200 nested `div`s over 6 KB of text took 6 s).
fn short_text(element: ElementRef<'_>, limit: usize) -> Option<String> {
    let mut text = String::new();
    for piece in element.text() {
        let piece = squash(piece);
        if piece.is_empty() {
            continue;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&piece);
        if text.len() > limit {
            return None;
        }
    }
    Some(text)
}

/// The element's own text nodes, not its children's.
fn own_text(element: ElementRef<'_>) -> String {
    let parts: Vec<&str> = element
        .children()
        .filter_map(|child| if let Node::Text(t) = child.value() { Some(&**t) } else { None })
        .collect();
    squash(&parts.join(" "))
}

/// The value beside `label` inside `scope`.
fn labelled(scope: ElementRef<'_>, label: &str) -> Option<String> {
    let wanted = fold(label);
    // Room for a colon, spaces and case changes that alter a character's length.
    let limit = 2 * wanted.len() + 8;
    // An element whose whole text is the label (with or without a trailing colon), and the
    // element after it: dt/dd, th/td, span/span, td/td.
    let is_label = |e: &ElementRef<'_>| {
        let Some(text) = short_text(*e, limit) else { return false };
        let text = text.to_lowercase();
        text == wanted || text.trim_end_matches(':').trim_end() == wanted
    };
    let by_element = scope
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| e.children().count() > 0)
        .find(|e| is_label(e) && !e.children().filter_map(ElementRef::wrap).any(|child| is_label(&child)));
    if let Some(element) = by_element
        && let Some(next) = element.next_siblings().find_map(ElementRef::wrap)
    {
        return Some(text_of(next));
    }
    // "Label: value" inside one piece of text.
    let needle = format!("{wanted}:");
    scope.descendants().find_map(|node| {
        let Node::Text(t) = node.value() else { return None };
        let text = squash(t);
        let at = text.to_lowercase().find(&needle)?;
        let value = text[at + needle.len()..].trim();
        (!value.is_empty()).then(|| value.to_owned())
    })
}

/// A dotted path into JSON: object keys, and array indexes as numbers.
pub fn lookup<'v>(value: &'v serde_json::Value, path: &str) -> Option<&'v serde_json::Value> {
    path.split('.').filter(|p| !p.is_empty()).try_fold(value, |v, key| match v {
        serde_json::Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => v.get(key),
    })
}

fn json_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldTable {
    css: Option<OneOrMany>,
    attr: Option<String>,
    row: Option<String>,
    label: Option<OneOrMany>,
    json: Option<String>,
    pattern: Option<String>,
    #[serde(default)]
    map: BTreeMap<String, String>,
    #[serde(default)]
    formats: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

fn compile(sources: Vec<String>) -> Result<Vec<(String, Selector)>, String> {
    sources
        .into_iter()
        .map(|s| Selector::parse(&s).map(|c| (s.clone(), c)).map_err(|e| format!("bad CSS selector {s:?}: {e}")))
        .collect()
}

impl TryFrom<FieldTable> for Field {
    type Error = String;

    fn try_from(t: FieldTable) -> Result<Self, String> {
        let wheres = [t.css.is_some(), t.row.is_some(), t.label.is_some(), t.json.is_some()];
        if wheres.iter().filter(|w| **w).count() > 1 {
            return Err("a field takes one of css, row, label or json".into());
        }
        let source = match (t.css, t.row, t.label, t.json, t.attr) {
            (Some(css), None, None, None, attr) => Source::Css { selectors: compile(css.into_vec())?, attr },
            (None, Some(row), None, None, None) => match row.as_str() {
                "text" => Source::Row(RowPart::Text),
                "own_text" => Source::Row(RowPart::OwnText),
                other => return Err(format!("row = {other:?}: use \"text\" or \"own_text\" (or attr = \"…\" alone)")),
            },
            (None, None, None, None, Some(attr)) => Source::Row(RowPart::Attr(attr)),
            (None, None, Some(labels), None, None) => Source::Label(labels.into_vec()),
            (None, None, None, Some(path), None) => Source::Json(path),
            (None, None, None, None, None) => Source::Nowhere,
            _ => return Err("attr goes with css (a child's attribute) or alone (the row's)".into()),
        };
        let pattern = t.pattern.map(|p| Regex::new(&p).map_err(|e| format!("bad pattern {p:?}: {e}"))).transpose()?;
        Ok(Field { source, pattern, map: ValueMap::new(t.map), formats: t.formats })
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        // Profiles are TOML: a list is the older form (CSS selectors, first match wins), a table
        // the newer one.
        match toml::Value::deserialize(deserializer)? {
            toml::Value::Array(items) => {
                let list = items
                    .into_iter()
                    .map(|item| {
                        item.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| D::Error::custom("a selector list holds strings"))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let selectors = compile(list).map_err(D::Error::custom)?;
                let source = if selectors.is_empty() { Source::Nowhere } else { Source::Css { selectors, attr: None } };
                Ok(Field { source, ..Field::default() })
            }
            table @ toml::Value::Table(_) => {
                let table = FieldTable::deserialize(table).map_err(|e| D::Error::custom(e.message()))?;
                Field::try_from(table).map_err(D::Error::custom)
            }
            _ => Err(D::Error::custom(
                "a field is a list of CSS selectors or a table with one of css, row, attr, label or json \
                 (and optionally pattern, map, formats)",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use scraper::Html;

    use super::*;

    fn field(toml_text: &str) -> Field {
        #[derive(Deserialize)]
        struct One {
            f: Field,
        }
        toml::from_str::<One>(&format!("f = {toml_text}")).unwrap().f
    }

    fn first<'a>(doc: &'a Html, css: &str) -> ElementRef<'a> {
        doc.select(&Selector::parse(css).unwrap()).next().unwrap()
    }

    #[test]
    fn the_older_selector_lists_still_read() {
        let doc = Html::parse_fragment(r#"<div class="row"><span class="code">SPN 110 / FMI 0</span></div>"#);
        let f = field(r#"[".missing", ".code"]"#);
        assert_eq!(f.find_html(first(&doc, ".row"), "code").value.as_deref(), Some("SPN 110 / FMI 0"));
        assert!(!field("[]").is_set());
    }

    #[test]
    fn an_attribute_falls_back_to_the_text_of_an_element_without_it() {
        let doc =
            Html::parse_fragment(r#"<div class="row"><span class="timestamp">Oct 30, 2026 11:15 PM</span></div>"#);
        let f = field(r#"{ css = ["time.first-seen", ".timestamp"], attr = "datetime" }"#);
        assert_eq!(f.find_html(first(&doc, ".row"), "first_seen").value.as_deref(), Some("Oct 30, 2026 11:15 PM"));
    }

    #[test]
    fn a_labelled_pair_is_found_by_its_label_in_every_shape() {
        let doc = Html::parse_fragment(
            r#"<div id="s">
                 <dl><dt>VIN</dt><dd> 1XKYD49X0NJ123456 </dd></dl>
                 <table><tr><th>Odometer</th><td>412,345 mi</td></tr></table>
                 <div class="fact"><span class="label">Engine hours</span><span class="value">12.5 h</span></div>
                 <p>Engine: PACCAR MX-13</p>
               </div>"#,
        );
        let scope = first(&doc, "#s");
        let value = |label: &str| field(&format!("{{ label = {label:?} }}")).find_html(scope, "x").value;
        assert_eq!(value("vin").as_deref(), Some("1XKYD49X0NJ123456"), "labels match without case");
        assert_eq!(value("Odometer").as_deref(), Some("412,345 mi"));
        assert_eq!(value("Engine hours").as_deref(), Some("12.5 h"));
        assert_eq!(value("Engine").as_deref(), Some("PACCAR MX-13"), "Label: value in running text");
        assert_eq!(value("Location"), None);
        let either = field(r#"{ label = ["Mileage", "Odometer"] }"#);
        assert_eq!(either.find_html(scope, "odometer").value.as_deref(), Some("412,345 mi"));
    }

    #[test]
    fn the_row_itself_its_own_text_and_attributes() {
        let doc = Html::parse_fragment(
            r#"<ol><li class="event" data-state="open"><span class="lamp" title="Priority 1"></span>
                 Engine #1 (SA 0) reported SPN 110 FMI 0: Coolant Temperature <time datetime="2026-11-03T08:05:00Z">3 days ago</time></li></ol>"#,
        );
        let row = first(&doc, "li");
        let line = field(
            r#"{ row = "own_text", pattern = '\(SA (?P<source>\d+)\) reported SPN (?P<spn>\d+) FMI (?P<fmi>\d+): (?P<description>.+)' }"#,
        );
        let found = line.find_html(row, "line");
        assert_eq!(found.captures["description"], "Coolant Temperature", "own text leaves the time out");
        assert_eq!((found.captures["source"].as_str(), found.captures["spn"].as_str()), ("0", "110"));
        assert_eq!(
            found.value.as_deref(),
            Some("(SA 0) reported SPN 110 FMI 0: Coolant Temperature"),
            "no capture named line: the whole match"
        );
        let state = field(r#"{ attr = "data-state", map = { open = "active", cleared = "inactive" } }"#);
        assert_eq!(state.find_html(row, "active").value.as_deref(), Some("active"));
        let lamp = field(r#"{ css = ".lamp", attr = "title", map = { "PRIORITY  1" = "critical" } }"#);
        assert_eq!(lamp.find_html(row, "severity").value.as_deref(), Some("critical"), "map keys fold case and spaces");
        let when = field(r#"{ css = "time", attr = "datetime" }"#);
        assert_eq!(when.find_html(row, "first_seen").value.as_deref(), Some("2026-11-03T08:05:00Z"));
        assert!(field(r#"{ row = "text" }"#).find_html(row, "x").value.unwrap().ends_with("3 days ago"));
    }

    #[test]
    fn a_pattern_that_does_not_match_says_so_and_gives_nothing() {
        let doc = Html::parse_fragment(r#"<h3>Truck 1042</h3>"#);
        let f = field(r#"{ css = "h3", pattern = 'Unit (?P<unit>\S+)' }"#);
        let found = f.find_html(doc.root_element(), "unit");
        assert!(found.unmatched && found.value.is_none() && found.raw.as_deref() == Some("Truck 1042"));
        let g = field(r#"{ css = "h3", pattern = 'Truck (\d+)' }"#);
        assert_eq!(g.find_html(doc.root_element(), "unit").value.as_deref(), Some("1042"), "an unnamed group");
    }

    #[test]
    fn json_paths_are_one_more_where() {
        let object = serde_json::json!({ "vin": "1XKYD49X0NJ123456", "meters": [{ "miles": 412345.0 }], "lamp": null });
        assert_eq!(field(r#"{ json = "vin" }"#).find_json(&object, "vin").value.as_deref(), Some("1XKYD49X0NJ123456"));
        assert_eq!(
            field(r#"{ json = "meters.0.miles" }"#).find_json(&object, "odometer").value.as_deref(),
            Some("412345.0")
        );
        assert_eq!(field(r#"{ json = "lamp" }"#).find_json(&object, "severity").value, None, "null is nothing");
        let mapped = field(r#"{ json = "vin", pattern = '^(?P<wmi>.{3})', map = { "1xk" = "Kenworth" } }"#);
        assert_eq!(mapped.find_json(&object, "make").captures["wmi"], "1XK");
    }

    #[test]
    fn a_bad_field_names_its_problem() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct One {
            f: Field,
        }
        let error = |text: &str| toml::from_str::<One>(&format!("f = {text}")).unwrap_err().to_string();
        assert!(error(r#"{ css = "a", label = "b" }"#).contains("one of css, row, label or json"));
        assert!(error(r#"{ row = "inner" }"#).contains("own_text"));
        assert!(error(r#"{ css = "..." }"#).contains("bad CSS selector"));
        assert!(error(r#"{ label = "x", pattern = "(" }"#).contains("bad pattern"));
        assert!(error(r#"{ lable = "x" }"#).contains("lable"), "{}", error(r#"{ lable = "x" }"#));
        assert!(error(r#""td.vin""#).contains("a field is"));
    }
}
