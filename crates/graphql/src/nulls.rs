//! Null propagation as the GraphQL spec has it (§6.4.4 "Handling Field Errors"): when a
//! field errors, its position becomes `null`; when that position is non-null, the null
//! moves up to the nearest nullable parent, and past the root `data` itself becomes null.
//! async-graphql 7 drops the erroring key instead (clients then read a partial object as
//! whole), so the edge puts the nulls where the spec says, from the schema's types and the
//! query's own selections.

use std::sync::LazyLock;

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
    ServiceDocument, Type, TypeKind, TypeSystemDefinition,
};
use async_graphql::{Name, PathSegment, Response, Value};

static SCHEMA: LazyLock<Option<ServiceDocument>> =
    LazyLock::new(|| async_graphql::parser::parse_schema(crate::sdl()).ok());

/// The declared type of `field` on the object type `object`.
fn field_type<'a>(schema: &'a ServiceDocument, object: &str, field: &str) -> Option<&'a Type> {
    schema.definitions.iter().find_map(|d| match d {
        TypeSystemDefinition::Type(t) if t.node.name.node == object => match &t.node.kind {
            TypeKind::Object(o) => o
                .fields
                .iter()
                .find(|f| f.node.name.node == field)
                .map(|f| &f.node.ty.node),
            _ => None,
        },
        _ => None,
    })
}

/// The fields of `set` (fragments followed) whose response key is `key`: (name, sub-selections).
fn fields_for<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    key: &str,
    out: &mut Vec<(&'a str, &'a SelectionSet)>,
) {
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
                if f.node.response_key().node == key {
                    out.push((f.node.name.node.as_str(), &f.node.selection_set.node));
                }
            }
            Selection::InlineFragment(fr) => {
                fields_for(doc, &fr.node.selection_set.node, key, out);
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fr) = doc.fragments.get(&spread.node.fragment_name.node) {
                    fields_for(doc, &fr.node.selection_set.node, key, out);
                }
            }
        }
    }
}

/// Whether each position along `path` is non-null: one entry per segment.
fn non_null_along(
    schema: &ServiceDocument,
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    path: &[PathSegment],
) -> Option<Vec<bool>> {
    let op = match &doc.operations {
        DocumentOperations::Single(op) => &op.node,
        DocumentOperations::Multiple(ops) => match operation_name {
            Some(name) => &ops.get(name)?.node,
            None => &ops.values().next()?.node,
        },
    };
    let mut object = match op.ty {
        OperationType::Query => "Query".to_owned(),
        OperationType::Mutation => "Mutation".to_owned(),
        OperationType::Subscription => return None,
    };
    let mut sets: Vec<&SelectionSet> = vec![&op.selection_set.node];
    let mut current: Option<&Type> = None;
    let mut out = Vec::with_capacity(path.len());
    for seg in path {
        match seg {
            PathSegment::Field(key) => {
                let mut found = Vec::new();
                for set in &sets {
                    fields_for(doc, set, key, &mut found);
                }
                let (name, _) = *found.first()?;
                let ty = field_type(schema, &object, name)?;
                out.push(!ty.nullable);
                sets = found.iter().map(|(_, s)| *s).collect();
                current = Some(ty);
            }
            PathSegment::Index(_) => {
                let BaseType::List(inner) = &current?.base else {
                    return None;
                };
                out.push(!inner.nullable);
                current = Some(inner);
            }
        }
        // Descend to the named type for the next field.
        let mut t = current?;
        while let BaseType::List(inner) = &t.base {
            t = inner;
        }
        if let BaseType::Named(n) = &t.base {
            object = n.to_string();
        }
    }
    Some(out)
}

/// The value at `path` (as far as it exists), mutable.
fn slot<'a>(data: &'a mut Value, path: &[PathSegment]) -> Option<&'a mut Value> {
    let mut v = data;
    for seg in path {
        v = match (seg, v) {
            (PathSegment::Field(k), Value::Object(map)) => map.get_mut(k.as_str())?,
            (PathSegment::Index(i), Value::List(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

/// Sets `null` at `path` (the key is added where it was dropped).
fn set_null(data: &mut Value, path: &[PathSegment]) {
    let Some((last, parent)) = path.split_last() else {
        *data = Value::Null;
        return;
    };
    match (last, slot(data, parent)) {
        (PathSegment::Field(k), Some(Value::Object(map))) => {
            map.insert(Name::new(k), Value::Null);
        }
        (PathSegment::Index(i), Some(Value::List(items))) => {
            if let Some(item) = items.get_mut(*i) {
                *item = Value::Null;
            }
        }
        _ => {}
    }
}

/// Puts the nulls of every field error where the spec says they go.
pub fn propagate(response: &mut Response, query: &str, operation_name: Option<&str>) {
    if response.errors.iter().all(|e| e.path.is_empty()) {
        return;
    }
    let Some(schema) = SCHEMA.as_ref() else {
        return;
    };
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return;
    };
    let paths: Vec<Vec<PathSegment>> = response
        .errors
        .iter()
        .filter(|e| !e.path.is_empty())
        .map(|e| e.path.clone())
        .collect();
    for path in paths {
        if response.data == Value::Null {
            return;
        }
        let Some(non_null) = non_null_along(schema, &doc, operation_name, &path) else {
            continue;
        };
        // From the erroring position up: null it, and while the position may not be null,
        // move to its parent.
        let mut end = path.len();
        loop {
            if end == 0 {
                response.data = Value::Null;
                break;
            }
            if !non_null[end - 1] {
                set_null(&mut response.data, &path[..end]);
                break;
            }
            end -= 1;
        }
    }
}
