//! Limits on what one GraphQL request may send and ask for, checked before the server does
//! the work: a crafted query (46,000 aliases of `clients`, fragments spread inside one
//! another, brackets nested a million deep) is refused in milliseconds with an error that
//! says which limit it hit and what to do, instead of making the server build a 300 MB
//! answer. Documented in docs/ph-api.md, "Limits".

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, Request, ServerError, ServerResult, ValidationResult};

use crate::Limits;

/// Fields one request may select, counting every alias and every field a fragment brings in
/// wherever it is spread. The client's largest operation selects 47.
pub(crate) const MAX_FIELDS: usize = 500;
/// Fields nested inside one another. The client's deepest operation nests 5.
pub(crate) const MAX_DEPTH: usize = 12;
/// Brackets (`{`, `[`, `(`) nested inside one another in the query text, and selections
/// (fields and fragments) nested inside one another; checked before anything recursive runs.
pub(crate) const MAX_NESTING: usize = 32;
/// Directives on one field.
pub(crate) const MAX_DIRECTIVES: usize = 4;
/// GraphQL requests worked on at once; more wait (up to [`QUEUE_WAIT`]) for their turn.
pub(crate) const CONCURRENT_REQUESTS: usize = 4;
/// How long a GraphQL request waits for its turn before it is answered 503.
pub(crate) const QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

const MIB: usize = 1024 * 1024;

/// What one request may send and ask for, derived from the API's batch and page sizes so a
/// sandbox started with larger ones still serves its own largest pages and batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct QueryLimits {
    /// Largest request body: 2 MiB, or 10 KiB per batch item if that is more. A batch of
    /// 200 clients with every field at its longest, in 3-byte characters, is 0.94 MB.
    pub max_body_bytes: usize,
    /// Highest cost (every field 1, a page of clients `first` times its fields): 100,000,
    /// or 100 per client of the largest page or item of the largest batch if that is more.
    /// A page of 1000 clients with every field of client and patient costs 42,001.
    pub max_complexity: usize,
    /// Largest answer: 64 MiB, or 64 KiB per client of the largest page if that is more.
    pub max_response_bytes: usize,
    /// `apiInfo.maxPageSize`, named in the messages.
    pub max_page_size: usize,
}

impl QueryLimits {
    pub(crate) fn for_api(limits: Limits) -> Self {
        Self {
            max_body_bytes: (2 * MIB).max(limits.max_batch_size.saturating_mul(10 * 1024)),
            max_complexity: 100_000.max(
                limits
                    .max_page_size
                    .max(limits.max_batch_size)
                    .saturating_mul(100),
            ),
            max_response_bytes: (64 * MIB).max(limits.max_page_size.saturating_mul(64 * 1024)),
            max_page_size: limits.max_page_size,
        }
    }
}

/// A request-level refusal with code BAD_REQUEST.
pub(crate) fn refusal(message: impl Into<String>) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", super::errors::ErrorCode::BadRequest.as_str());
    error.extensions = Some(extensions);
    error
}

/// "1.5 MB", "2 MiB": sizes as a person reads them in a message.
pub(crate) fn mib(bytes: usize) -> String {
    if bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6)
    }
}

/// The schema extension that applies the limits.
pub(crate) struct Guard(pub QueryLimits);

impl ExtensionFactory for Guard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GuardExtension(self.0))
    }
}

struct GuardExtension(QueryLimits);

#[async_graphql::async_trait::async_trait]
impl Extension for GuardExtension {
    /// Before async-graphql parses or walks the query: the text's nesting and written fields,
    /// then the size of the parsed document with every fragment expanded (computed once per
    /// fragment, so fragments spread inside one another cannot multiply the work).
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        scan(&request.query)?;
        let document = async_graphql::parser::parse_query(&request.query)?;
        check_size(&document)?;
        request.set_parsed_query(document);
        next.run(ctx, request).await
    }

    /// After validation has costed the query with the schema's cost model.
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let max = self.0.max_complexity;
        if result.complexity > max {
            return Err(vec![refusal(format!(
                "the query costs {}; at most {max} is allowed per request (every field costs 1, \
                 and a page of clients costs its `first`, 500 by default, times the fields \
                 selected in it): ask for fewer clients per page (`first` up to \
                 apiInfo.maxPageSize, {}), fewer fields, or split the query into several requests",
                result.complexity, self.0.max_page_size
            ))]);
        }
        Ok(result)
    }
}

/// Reads the query text once, before it is parsed, and refuses it if its brackets (`{`,
/// `[`, `(`) nest deeper than [`MAX_NESTING`] (the parser recurses once per level, so a
/// million `{` would exhaust its stack) or if it writes more than [`MAX_FIELDS`] fields
/// (so 46,000 aliases cost a scan of the text, not a parse into a 100 MB syntax tree).
///
/// Fields are counted from the tokens: outside parentheses (inside them are only arguments
/// and values) and inside braces, every name is a field unless it is an alias (followed by
/// `:`), a fragment name or `on` (after `...`), a type condition (after `... on`) or a
/// directive (after `@`).
pub(crate) fn scan(query: &str) -> ServerResult<()> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Token {
        Start,
        Name,
        On,
        Colon,
        Spread,
        At,
        Other,
    }
    let bytes = query.as_bytes();
    let name_byte = |b: u8| b == b'_' || b.is_ascii_alphanumeric();
    let mut open = 0usize;
    let mut parens = 0usize;
    let mut fields = 0usize;
    // A name that is a field unless the next token is `:`.
    let mut maybe_field = false;
    let (mut prev, mut prev2) = (Token::Start, Token::Start);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() || b == b',' {
            i += 1;
            continue;
        }
        if b == b'#' {
            while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                i += 1;
            }
            continue;
        }
        let start = i;
        let token = match b {
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
                Token::Other
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                Token::Other
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                i += 3;
                Token::Spread
            }
            b':' => {
                i += 1;
                Token::Colon
            }
            b'@' => {
                i += 1;
                Token::At
            }
            b'{' | b'[' | b'(' => {
                open += 1;
                if b == b'(' {
                    parens += 1;
                }
                if open > MAX_NESTING {
                    return Err(refusal(format!(
                        "the query nests brackets more than {MAX_NESTING} deep; at most \
                         {MAX_NESTING} levels are allowed: ask for less nested data, and pass \
                         input values as variables"
                    )));
                }
                i += 1;
                Token::Other
            }
            b'}' | b']' | b')' => {
                open = open.saturating_sub(1);
                if b == b')' {
                    parens = parens.saturating_sub(1);
                }
                i += 1;
                Token::Other
            }
            // Numbers, with their exponents and signs, so `1e5` is not a name.
            b'-' | b'0'..=b'9' => {
                i += 1;
                while i < bytes.len() && (name_byte(bytes[i]) || b"+-.".contains(&bytes[i])) {
                    i += 1;
                }
                Token::Other
            }
            b if name_byte(b) => {
                while i < bytes.len() && name_byte(bytes[i]) {
                    i += 1;
                }
                if &bytes[start..i] == b"on" {
                    Token::On
                } else {
                    Token::Name
                }
            }
            _ => {
                i += 1;
                Token::Other
            }
        };
        if maybe_field {
            maybe_field = false;
            if token != Token::Colon {
                fields += 1;
            }
        }
        let in_selection = open > 0 && parens == 0;
        if in_selection && matches!(token, Token::Name | Token::On) {
            let named_by_syntax = matches!(prev, Token::Spread | Token::At)
                || (prev == Token::On && prev2 == Token::Spread);
            maybe_field = !named_by_syntax;
        }
        (prev2, prev) = (prev, token);
    }
    if maybe_field {
        fields += 1;
    }
    if fields > MAX_FIELDS {
        return Err(too_many_fields(fields));
    }
    Ok(())
}

fn too_many_fields(fields: usize) -> ServerError {
    refusal(format!(
        "the query asks for {fields} fields; at most {MAX_FIELDS} are allowed per request \
         (every alias counts, and so does every field of a fragment each time it is \
         spread): split it into several requests"
    ))
}

/// The size of a selection set with its fragments expanded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Size {
    /// Fields, counting aliases and every field of every spread fragment.
    fields: usize,
    /// Fields inside fields: `{ a { b } }` is 2.
    depth: usize,
    /// Fields and fragments inside one another, as async-graphql's recursion check counts.
    nesting: usize,
}

/// Refuses documents that select more than [`MAX_FIELDS`] fields, nest them deeper than
/// [`MAX_DEPTH`], nest selections deeper than [`MAX_NESTING`], or spread a fragment inside
/// itself.
pub(crate) fn check_size(document: &ExecutableDocument) -> ServerResult<()> {
    let mut walk = Walk {
        document,
        fragments: HashMap::new(),
    };
    let mut total = Size::default();
    for (_, operation) in document.operations.iter() {
        let size = walk.selection_set(&operation.node.selection_set.node, 0)?;
        total.fields = total.fields.saturating_add(size.fields);
        total.depth = total.depth.max(size.depth);
        total.nesting = total.nesting.max(size.nesting);
    }
    // Fields as written (also in fragments no operation uses) were counted by `scan`.
    if total.fields > MAX_FIELDS {
        return Err(too_many_fields(total.fields));
    }
    if total.depth > MAX_DEPTH {
        return Err(refusal(format!(
            "the query nests fields {} deep; at most {MAX_DEPTH} levels are allowed: ask for \
             less nested data",
            total.depth
        )));
    }
    if total.nesting > MAX_NESTING {
        return Err(too_nested());
    }
    Ok(())
}

fn too_nested() -> ServerError {
    refusal(format!(
        "the query nests fields and fragments more than {MAX_NESTING} deep; at most \
         {MAX_NESTING} levels are allowed: spread fewer fragments inside one another"
    ))
}

struct Walk<'a> {
    document: &'a ExecutableDocument,
    /// Each fragment's size once known; `None` while it is being walked (a cycle).
    fragments: HashMap<&'a str, Option<Size>>,
}

impl<'a> Walk<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet, level: usize) -> ServerResult<Size> {
        // The parser and the bracket check bound fields; a chain of fragments is bounded here.
        if level > MAX_NESTING {
            return Err(too_nested());
        }
        let mut size = Size::default();
        for item in &set.items {
            let (fields, depth, nesting) = match &item.node {
                Selection::Field(f) => {
                    let inner = self.selection_set(&f.node.selection_set.node, level + 1)?;
                    (
                        inner.fields.saturating_add(1),
                        inner.depth + 1,
                        inner.nesting + 1,
                    )
                }
                Selection::InlineFragment(i) => {
                    let inner = self.selection_set(&i.node.selection_set.node, level + 1)?;
                    (inner.fields, inner.depth, inner.nesting + 1)
                }
                Selection::FragmentSpread(s) => {
                    let inner = self.fragment(s.node.fragment_name.node.as_str(), level + 1)?;
                    (inner.fields, inner.depth, inner.nesting + 1)
                }
            };
            size.fields = size.fields.saturating_add(fields);
            size.depth = size.depth.max(depth);
            size.nesting = size.nesting.max(nesting);
        }
        Ok(size)
    }

    fn fragment(&mut self, name: &'a str, level: usize) -> ServerResult<Size> {
        match self.fragments.get(name) {
            Some(Some(size)) => return Ok(*size),
            Some(None) => {
                return Err(refusal(format!(
                    "fragment {name} is spread inside itself (directly or through other \
                     fragments); remove the cycle"
                )))
            }
            None => {}
        }
        // An unknown fragment is reported by validation.
        let Some((key, definition)) = self.document.fragments.get_key_value(name) else {
            return Ok(Size::default());
        };
        let key = key.as_str();
        self.fragments.insert(key, None);
        let size = self.selection_set(&definition.node.selection_set.node, level)?;
        self.fragments.insert(key, Some(size));
        Ok(size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(query: &str) -> ServerResult<()> {
        scan(query)?;
        check_size(&async_graphql::parser::parse_query(query).expect("parses"))
    }

    fn message(result: ServerResult<()>) -> String {
        result.expect_err("refused").message
    }

    #[test]
    fn aliases_and_spread_fragments_count_every_field() {
        let aliases: String = (0..501).map(|i| format!("a{i}: me {{ name }} ")).collect();
        assert_eq!(
            message(size(&format!("{{ {aliases} }}"))),
            "the query asks for 1002 fields; at most 500 are allowed per request (every alias \
             counts, and so does every field of a fragment each time it is spread): split it \
             into several requests"
        );
        // Each fragment spreads the next twice: 2^20 fields from a few hundred bytes.
        let mut query = String::from("{ ...F0 }");
        for i in 0..20 {
            query.push_str(&format!(
                " fragment F{i} on Query {{ ...F{} ...F{} }}",
                i + 1,
                i + 1
            ));
        }
        query.push_str(" fragment F20 on Query { apiInfo { version } }");
        assert!(message(size(&query)).starts_with("the query asks for 2097152 fields"));
        // Unused fragments count as written.
        let unused: String = (0..600).map(|i| format!("a{i}: version ")).collect();
        let query = format!("{{ me {{ name }} }} fragment U on ApiInfo {{ {unused} }}");
        assert!(message(size(&query)).starts_with("the query asks for 602 fields"));
        size("{ a: me { name } b: me { name } }").expect("small");
    }

    #[test]
    fn depth_nesting_and_cycles_are_refused_with_what_to_do() {
        let deep = format!("{{ {}x{} }}", "a { ".repeat(13), " }".repeat(13));
        assert_eq!(
            message(size(&deep)),
            "the query nests fields 14 deep; at most 12 levels are allowed: ask for less nested data"
        );
        let brackets = format!(
            "{{ me(x: {}1{}) {{ name }} }}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(message(size(&brackets)).starts_with("the query nests brackets more than 32 deep"));
        // Brackets in strings, block strings and comments do not count.
        let quoted = format!(
            "{{ me(x: \"{0}\", y: \"\"\"{0}\\\"\"\"{0}\"\"\") {{ name }} # {0}\n }}",
            "{[(".repeat(50)
        );
        size(&quoted).expect("brackets in strings are text");
        let cycle =
            "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A me { name } }";
        assert!(message(size(cycle)).starts_with("fragment A is spread inside itself"));
        let mut chain = String::from("{ ...F0 }");
        for i in 0..40 {
            chain.push_str(&format!(" fragment F{i} on Query {{ ...F{} }}", i + 1));
        }
        chain.push_str(" fragment F40 on Query { me { name } }");
        assert!(
            message(size(&chain)).starts_with("the query nests fields and fragments more than 32")
        );
    }

    #[test]
    fn limits_grow_with_the_configured_batch_and_page_sizes() {
        let default = QueryLimits::for_api(Limits::default());
        assert_eq!(default.max_body_bytes, 2 * MIB);
        assert_eq!(default.max_complexity, 100_000);
        assert_eq!(default.max_response_bytes, 64 * MIB);
        let big = QueryLimits::for_api(Limits {
            max_batch_size: 1000,
            max_page_size: 5000,
        });
        assert_eq!(big.max_body_bytes, 1000 * 10 * 1024);
        assert_eq!(big.max_complexity, 500_000);
        assert_eq!(big.max_response_bytes, 5000 * 64 * 1024);
        assert_eq!(mib(2 * MIB), "2 MiB");
        assert_eq!(mib(1_553_039), "1.6 MB");
    }
}
