//! Path templates: parsing `/files/{name}.json` into literal/parameter pieces, the normalised
//! form used for conflict detection and matchit, and a small backtracking matcher for the
//! templates matchit cannot express (`/a/{x}-{y}`).

/// One piece of a parsed template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    Literal(String),
    /// Index into [`Template::names`].
    Param(usize),
}

/// A parsed path template.
#[derive(Clone, Debug)]
pub(crate) struct Template {
    /// The template as written in the spec.
    pub raw: String,
    pub pieces: Vec<Piece>,
    pub names: Vec<String>,
    /// Number of literal characters: the specificity measure among templated paths.
    pub literal_len: usize,
    /// `/pets/{}`: parameter names erased, so `/pets/{id}` and `/pets/{petId}` compare equal.
    pub normalised: String,
    /// The matchit form (`/pets/{p0}`), or `None` when the template has something matchit
    /// would misread (unbalanced braces, empty names) and must only use the fallback.
    pub matchit: Option<String>,
}

impl Template {
    /// Parse a template. Never fails: an unbalanced `{` or `}` is kept as a literal character,
    /// since the spec crate already reports malformed paths and routing should stay total.
    pub fn parse(raw: &str) -> Template {
        let mut pieces = Vec::new();
        let mut names = Vec::new();
        let mut literal = String::new();
        let mut well_formed = true;
        let mut rest = raw;
        while let Some(open) = rest.find(['{', '}']) {
            let (before, from) = rest.split_at(open);
            literal.push_str(before);
            if let Some(after) = from.strip_prefix('}') {
                well_formed = false;
                literal.push('}');
                rest = after;
                continue;
            }
            match from[1..].find(['{', '}']) {
                Some(close) if from[1..][close..].starts_with('}') && close > 0 => {
                    if !literal.is_empty() {
                        pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Param(names.len()));
                    names.push(from[1..1 + close].to_owned());
                    rest = &from[close + 2..];
                }
                _ => {
                    well_formed = false;
                    literal.push('{');
                    rest = &from[1..];
                }
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }

        let mut normalised = String::with_capacity(raw.len());
        let mut matchit = String::with_capacity(raw.len() + 4);
        let mut literal_len = 0;
        for piece in &pieces {
            match piece {
                Piece::Literal(s) => {
                    literal_len += s.len();
                    normalised.push_str(s);
                    matchit.push_str(s);
                }
                Piece::Param(i) => {
                    normalised.push_str("{}");
                    // Positional names: matchit's own names are never read back, and this keeps
                    // odd OpenAPI names (`{*x}`, `{a b}`) from meaning something to matchit.
                    matchit.push_str(&format!("{{p{i}}}"));
                }
            }
        }
        Template {
            raw: raw.to_owned(),
            pieces,
            names,
            literal_len,
            normalised,
            matchit: (well_formed && raw.starts_with('/')).then_some(matchit),
        }
    }

    /// True when the template has no parameters (a concrete path).
    pub fn is_static(&self) -> bool {
        self.names.is_empty()
    }

    /// Match `path` against the pieces. Parameters match non-empty text without `/`. When
    /// `spans` is given, it receives the byte range of each parameter in order.
    pub fn matches(&self, path: &str, spans: Option<&mut Vec<(usize, usize)>>) -> bool {
        match spans {
            Some(out) => {
                out.clear();
                let ok = match_pieces(&self.pieces, path, 0, Some(out));
                // Spans are pushed while unwinding, so they come out last-first.
                out.reverse();
                ok
            }
            None => match_pieces(&self.pieces, path, 0, None),
        }
    }

    /// A concrete path for this template with every parameter set to `1`.
    pub fn example(&self) -> String {
        let mut out = String::with_capacity(self.raw.len());
        for piece in &self.pieces {
            match piece {
                Piece::Literal(s) => out.push_str(s),
                Piece::Param(_) => out.push('1'),
            }
        }
        out
    }
}

/// Backtracking matcher. `offset` is the position of `path` within the full path, so spans are
/// absolute. Recursion depth is bounded by the number of pieces (a handful per template).
fn match_pieces(
    pieces: &[Piece],
    path: &str,
    offset: usize,
    mut spans: Option<&mut Vec<(usize, usize)>>,
) -> bool {
    let Some((first, rest)) = pieces.split_first() else {
        return path.is_empty();
    };
    match first {
        Piece::Literal(lit) => match path.strip_prefix(lit.as_str()) {
            Some(tail) => match_pieces(rest, tail, offset + lit.len(), spans),
            None => false,
        },
        Piece::Param(_) => {
            // A parameter stays inside its segment, so only ends before the next `/` qualify.
            let segment_end = path.find('/').unwrap_or(path.len());
            // Shortest first: with `{x}-{y}` against `a-b-c` this gives x=`a`, y=`b-c`,
            // a deterministic and documented choice.
            for end in 1..=segment_end {
                if !path.is_char_boundary(end) {
                    continue;
                }
                // Cheap pruning: if the next piece is a literal, it must start right here.
                if let Some(Piece::Literal(next)) = rest.first()
                    && !path[end..].starts_with(next.as_str())
                {
                    continue;
                }
                if match_pieces(rest, &path[end..], offset + end, spans.as_deref_mut()) {
                    if let Some(out) = spans {
                        out.push((offset, offset + end));
                    }
                    return true;
                }
            }
            false
        }
    }
}
