//! Positions in the scenario text: from a dotted key path to a line and
//! column, and from a byte offset (where the TOML parser stopped) back to the
//! key path, so that every error names both.
//!
//! Paths are dotted, with array indices as numbers: `producers.0.rate`,
//! `consumers.processing.mean`.

use std::ops::Range;

use toml_edit::{Document, Item, Value};

/// A line and column, both from 1; the column counts characters.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct LineCol {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

/// Finds keys in one scenario text.
pub struct Locator<'a> {
    text: &'a str,
    doc: Option<Document<&'a str>>,
}

impl<'a> Locator<'a> {
    /// Indexes `text` (which may not parse; then only offsets can be located).
    pub fn new(text: &'a str) -> Locator<'a> {
        Locator {
            text,
            doc: Document::parse(text).ok(),
        }
    }

    /// Line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        LineCol { line, column }
    }

    /// Where the value at `path` is written; if the key is absent, where its
    /// nearest written ancestor is (the table the key is missing from).
    pub fn position(&self, path: &str) -> Option<LineCol> {
        let doc = self.doc.as_ref()?;
        let mut node = Node::Table(doc.as_table());
        let mut best = None;
        for segment in path.split('.') {
            match node.child(segment) {
                Some((key_span, next)) => {
                    best = next.span().or(key_span).or(best);
                    node = next;
                }
                None => break,
            }
        }
        best.map(|span| self.line_col(span.start))
    }

    /// The dotted path of the innermost key whose key or value contains `offset`.
    pub fn path_at(&self, offset: usize) -> Option<String> {
        let doc = self.doc.as_ref()?;
        let mut path = Vec::new();
        descend(doc.as_item(), offset, &mut path);
        (!path.is_empty()).then(|| path.join("."))
    }
}

/// A borrowed node of the document: tables of an array of tables and values
/// inside inline tables are not `Item`s, so a walk needs all three forms.
#[derive(Copy, Clone)]
enum Node<'i> {
    Item(&'i Item),
    Table(&'i toml_edit::Table),
    Value(&'i Value),
}

impl<'i> Node<'i> {
    fn span(self) -> Option<Range<usize>> {
        match self {
            Node::Item(item) => item.span(),
            Node::Table(table) => table.span(),
            Node::Value(value) => value.span(),
        }
    }

    /// The child named by one path segment, with its key's span.
    fn child(self, segment: &str) -> Option<(Option<Range<usize>>, Node<'i>)> {
        let index = segment.parse::<usize>().ok();
        match self {
            Node::Table(table) => {
                let (key, item) = table.get_key_value(segment)?;
                Some((key.span(), Node::Item(item)))
            }
            Node::Item(Item::Table(table)) => Node::Table(table).child(segment),
            Node::Item(Item::ArrayOfTables(array)) => Some((None, Node::Table(array.get(index?)?))),
            Node::Item(Item::Value(value)) => Node::Value(value).child(segment),
            Node::Item(Item::None) => None,
            Node::Value(Value::InlineTable(table)) => {
                let (key, item) = table.get_key_value(segment)?;
                Some((key.span(), Node::Item(item)))
            }
            Node::Value(Value::Array(array)) => Some((None, Node::Value(array.get(index?)?))),
            Node::Value(_) => None,
        }
    }
}

fn contains(span: &Option<Range<usize>>, offset: usize) -> bool {
    span.as_ref()
        .is_some_and(|s| s.start <= offset && offset < s.end.max(s.start + 1))
}

/// Pushes onto `path` the keys leading to the innermost item containing `offset`.
fn descend(item: &Item, offset: usize, path: &mut Vec<String>) {
    match item {
        Item::Table(table) => descend_table(table, offset, path),
        Item::ArrayOfTables(array) => {
            for (index, table) in array.iter().enumerate() {
                if contains(&table.span(), offset) || table_contains(table, offset) {
                    path.push(index.to_string());
                    descend_table(table, offset, path);
                    return;
                }
            }
        }
        Item::Value(value) => descend_value(value, offset, path),
        Item::None => {}
    }
}

fn table_contains(table: &toml_edit::Table, offset: usize) -> bool {
    table.iter().any(|(key, item)| {
        let key_span = table.key(key).and_then(|k| k.span());
        contains(&key_span, offset) || item_contains(item, offset)
    })
}

fn item_contains(item: &Item, offset: usize) -> bool {
    match item {
        Item::Table(table) => contains(&table.span(), offset) || table_contains(table, offset),
        Item::ArrayOfTables(array) => array
            .iter()
            .any(|t| contains(&t.span(), offset) || table_contains(t, offset)),
        other => contains(&other.span(), offset),
    }
}

fn descend_table(table: &toml_edit::Table, offset: usize, path: &mut Vec<String>) {
    for (key, item) in table.iter() {
        let key_span = table.key(key).and_then(|k| k.span());
        if contains(&key_span, offset) {
            path.push(key.to_owned());
            return;
        }
        if item_contains(item, offset) {
            path.push(key.to_owned());
            descend(item, offset, path);
            return;
        }
    }
}

fn descend_value(value: &Value, offset: usize, path: &mut Vec<String>) {
    match value {
        Value::InlineTable(table) => {
            for (key, item) in table.iter() {
                let key_span = table.key(key).and_then(|k| k.span());
                if contains(&key_span, offset) || contains(&item.span(), offset) {
                    path.push(key.to_owned());
                    descend_value(item, offset, path);
                    return;
                }
            }
        }
        Value::Array(array) => {
            for (index, item) in array.iter().enumerate() {
                if contains(&item.span(), offset) {
                    path.push(index.to_string());
                    descend_value(item, offset, path);
                    return;
                }
            }
        }
        _ => {}
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
