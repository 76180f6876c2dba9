//! Positions in a text: byte spans, 1-based line/column locations and the conversions between
//! them (including saphyr's character-counted indices).

use std::fmt;

/// A range of BYTE offsets into the document text, `start` inclusive and `end` exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// Length in bytes.
    pub const fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A human position: both fields are 1-based and `column` counts characters, not bytes, so
/// that it matches what an editor shows for `file:line:column`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Largest char boundary `<= offset`, clamped to the text: callers may hand us any number.
pub(crate) fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The span of the single character at `offset` (empty at the end of the text), used to point
/// at the place where a parser gave up.
pub(crate) fn char_span(text: &str, offset: usize) -> Span {
    let start = floor_char_boundary(text, offset);
    let len = text[start..].chars().next().map_or(0, char::len_utf8);
    Span::new(start, start + len)
}

/// Byte offsets at which each line starts, so that locating an offset is a binary search plus
/// a character count within one line.
#[derive(Clone, Debug)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
    /// For non-ASCII text, `(byte offset, characters before it)` at every `CHAR_BLOCK` bytes
    /// (floored to a character boundary): minified JSON is one multi-megabyte line, and
    /// counting its characters from the line start for every diagnostic would be quadratic.
    char_counts: Vec<(usize, usize)>,
}

const CHAR_BLOCK: usize = 1024;

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        // Line 1 starts after a byte order mark: editors do not show it, so it must not shift
        // the columns of line 1.
        let first = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let mut starts = vec![first];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let mut char_counts = Vec::new();
        if !text.is_ascii() {
            let (mut pos, mut count) = (0, 0);
            for block in 0..=text.len() / CHAR_BLOCK {
                let next = floor_char_boundary(text, block * CHAR_BLOCK);
                count += text[pos..next].chars().count();
                pos = next;
                char_counts.push((pos, count));
            }
        }
        Self {
            starts,
            char_counts,
        }
    }

    pub(crate) fn location(&self, text: &str, offset: usize) -> Location {
        let offset = floor_char_boundary(text, offset);
        // `starts` is never empty, and `partition_point` >= 1 unless offset < starts[0]
        // (inside a BOM), which we place at column 1 of line 1.
        let line = self.starts.partition_point(|&start| start <= offset).max(1);
        let start = self.starts[line - 1].min(offset);
        let column = self.chars_before(text, offset) - self.chars_before(text, start) + 1;
        Location { line, column }
    }

    /// Number of characters in `text[..offset]` (`offset` on a character boundary).
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        match self.char_counts.get(offset / CHAR_BLOCK) {
            Some(&(pos, count)) => count + text[pos..offset].chars().count(),
            None => offset, // ASCII: one byte per character
        }
    }

    /// Byte offset of the start of a 1-based line (clamped to the last line).
    pub(crate) fn line_start(&self, line: usize) -> usize {
        let index = line.clamp(1, self.starts.len()) - 1;
        self.starts[index]
    }
}

/// Location of one offset without keeping an index around (used once per syntax error).
pub(crate) fn locate(text: &str, offset: usize) -> Location {
    LineIndex::new(text).location(text, offset)
}

/// Converts saphyr's marker indices, which count CHARACTERS, to byte offsets.
///
/// ASCII text (the common case) needs no table at all. Otherwise we keep the byte offset of
/// every `STRIDE`-th character: lookups are O(STRIDE) and the table costs 1/8 of the text size
/// instead of 8 bytes per character for a full table.
pub(crate) struct CharOffsets<'t> {
    text: &'t str,
    checkpoints: Option<Vec<usize>>,
}

const STRIDE: usize = 64;

impl<'t> CharOffsets<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        let checkpoints = (!text.is_ascii()).then(|| {
            text.char_indices()
                .step_by(STRIDE)
                .map(|(byte, _)| byte)
                .collect()
        });
        Self { text, checkpoints }
    }

    /// Byte offset of the character with index `char_index` (the text length past the end).
    pub(crate) fn byte(&self, char_index: usize) -> usize {
        let len = self.text.len();
        let Some(checkpoints) = &self.checkpoints else {
            return char_index.min(len);
        };
        let Some(&base) = checkpoints.get(char_index / STRIDE) else {
            return len;
        };
        self.text[base..]
            .char_indices()
            .nth(char_index % STRIDE)
            .map_or(len, |(byte, _)| base + byte)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_count_characters() {
        let text = "ab\nÜñ😀x\n\nlast";
        let index = LineIndex::new(text);
        assert_eq!(index.location(text, 0), Location { line: 1, column: 1 });
        assert_eq!(index.location(text, 2), Location { line: 1, column: 3 });
        assert_eq!(index.location(text, 3), Location { line: 2, column: 1 });
        let x = text.find('x').expect("x is in the text");
        assert_eq!(index.location(text, x), Location { line: 2, column: 4 });
        // An offset inside a multi-byte character is moved to its start.
        assert_eq!(index.location(text, x - 1), Location { line: 2, column: 3 });
        assert_eq!(index.location(text, x + 2), Location { line: 3, column: 1 });
        assert_eq!(
            index.location(text, usize::MAX),
            Location { line: 4, column: 5 }
        );
        assert_eq!(index.line_start(2), 3);
        assert_eq!(index.line_start(99), x + 3);
    }

    #[test]
    fn long_non_ascii_lines() {
        let text = format!("{}\n{}", "é😀a".repeat(3000), "ü".repeat(5000));
        let index = LineIndex::new(&text);
        for offset in (0..text.len()).step_by(97) {
            let offset = floor_char_boundary(&text, offset);
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let line = 1 + text[..offset].matches('\n').count();
            let column = text[line_start..offset].chars().count() + 1;
            assert_eq!(index.location(&text, offset), Location { line, column });
        }
    }

    #[test]
    fn bom_does_not_count_as_a_column() {
        let text = "\u{feff}a: 1\nb";
        let index = LineIndex::new(text);
        assert_eq!(index.location(text, 0), Location { line: 1, column: 1 });
        assert_eq!(index.location(text, 3), Location { line: 1, column: 1 });
        assert_eq!(index.location(text, 4), Location { line: 1, column: 2 });
        assert_eq!(index.location(text, 8), Location { line: 2, column: 1 });
    }

    #[test]
    fn char_offsets() {
        let text: String = "aé😀\n".repeat(100);
        let offsets = CharOffsets::new(&text);
        for (char_index, (byte, _)) in text.char_indices().enumerate() {
            assert_eq!(offsets.byte(char_index), byte);
        }
        assert_eq!(offsets.byte(400), text.len());
        assert_eq!(offsets.byte(usize::MAX), text.len());
        let ascii = CharOffsets::new("abc");
        assert_eq!(ascii.byte(2), 2);
        assert_eq!(ascii.byte(10), 3);
    }
}
