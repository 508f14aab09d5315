//! Regex patterns prepared once, when binding, for the way they are used.
//!
//! - [`SearchPattern`]: `matches regex` only asks whether the pattern matches somewhere, so a
//!   leading or trailing repetition that may be empty (the hunts' `(.*)`) cannot change the
//!   answer and is dropped. What is left often starts with a literal (`bitsadmin`), which the
//!   regex crate then finds with a SIMD substring search before running any automaton.
//! - [`ReplacePattern`]: a `replace_regex` whose pattern only ever matches runs of a few ASCII
//!   characters, each of which matches alone, replaced by `''`, deletes exactly those
//!   characters (the hunts' `(\^|(")+|\$|%|\+|("\+"))`), which a byte loop does without
//!   running the regex.
//!
//! Both keep the pattern as written for everything else, and fall back to it whenever the
//! analysis does not apply.

use std::sync::Arc;

use regex::Regex;
use regex_syntax::hir::{Hir, HirKind};

/// A `matches regex` pattern: the one written, and an equivalent one for unanchored search.
#[derive(Debug, Clone)]
pub struct SearchPattern {
    /// The pattern as written.
    pub regex: Arc<Regex>,
    /// Matches somewhere in a string exactly when `regex` does.
    search: Regex,
    /// A literal every match contains: a string without it is no match, found without
    /// running the regex (whose own prefilter costs a search's setup on every string).
    required: Option<memchr::memmem::Finder<'static>>,
}

impl SearchPattern {
    /// Prepares `regex` for searching.
    pub fn new(regex: Arc<Regex>, size_limit: usize) -> SearchPattern {
        let search = without_empty_ends(regex.as_str())
            .and_then(|text| {
                regex::RegexBuilder::new(&text)
                    .size_limit(size_limit)
                    .build()
                    .ok()
            })
            .unwrap_or_else(|| Regex::clone(&regex));
        let required = regex_syntax::Parser::new()
            .parse(search.as_str())
            .ok()
            .and_then(|hir| required_literal(&hir))
            .map(|literal| memchr::memmem::Finder::new(&literal).into_owned());
        SearchPattern {
            regex,
            search,
            required,
        }
    }

    /// Whether the pattern matches somewhere in `haystack`.
    pub fn is_match(&self, haystack: &str) -> bool {
        if let Some(required) = &self.required
            && required.find(haystack.as_bytes()).is_none()
        {
            return false;
        }
        self.search.is_match(haystack)
    }

    /// The pattern searched for, for tests and logs.
    pub fn searched(&self) -> &str {
        self.search.as_str()
    }
}

/// The pattern without the leading and trailing parts of its top-level sequence that can
/// match the empty string anywhere (repetitions with a minimum of 0, captured or not);
/// `None` when there is nothing to drop or the pattern does not parse.
///
/// `A X B` with `A` and `B` such repetitions matches somewhere exactly when `X` does: a match
/// of `X` is one of `A X B` with `A` and `B` empty, and a match of `A X B` contains one of `X`.
fn without_empty_ends(pattern: &str) -> Option<String> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let droppable = |part: &&Hir| empty_anywhere(part);
    let lead = parts.iter().take_while(droppable).count();
    let trail = parts.iter().rev().take_while(droppable).count();
    if lead == 0 && trail == 0 {
        return None;
    }
    let kept: Vec<Hir> = parts
        .iter()
        .skip(lead)
        .take(parts.len().saturating_sub(lead + trail))
        .cloned()
        .collect();
    Some(Hir::concat(kept).to_string())
}

/// The longest literal that every match of `hir` contains, if it has one: a literal part of
/// its top-level sequence (inside groups and repetitions of at least once). Case-insensitive
/// letters are classes, not literals, so they never count.
fn required_literal(hir: &Hir) -> Option<Vec<u8>> {
    match hir.kind() {
        HirKind::Literal(literal) => Some(literal.0.to_vec()),
        HirKind::Capture(capture) => required_literal(&capture.sub),
        HirKind::Repetition(repetition) if repetition.min >= 1 => required_literal(&repetition.sub),
        HirKind::Concat(parts) => parts
            .iter()
            .filter_map(required_literal)
            .max_by_key(Vec::len),
        _ => None,
    }
}

/// A repetition of at least zero times, possibly inside capture groups: it matches the empty
/// string at every position, whatever it repeats.
fn empty_anywhere(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Repetition(repetition) => repetition.min == 0,
        HirKind::Capture(capture) => empty_anywhere(&capture.sub),
        _ => false,
    }
}

/// A `replace_regex` pattern and rewrite.
#[derive(Debug, Clone)]
pub struct ReplacePattern {
    /// The pattern as written.
    pub regex: Arc<Regex>,
    /// The rewrite, in the regex crate's syntax.
    pub rewrite: String,
    /// The ASCII bytes the replacement deletes, when it is only a deletion of characters.
    deleted: Option<ByteSet>,
}

impl ReplacePattern {
    /// Prepares the replacement of `regex`'s matches with `rewrite`.
    pub fn new(regex: Arc<Regex>, rewrite: String) -> ReplacePattern {
        let deleted = if rewrite.is_empty() {
            deleted_bytes(&regex)
        } else {
            None
        };
        ReplacePattern {
            regex,
            rewrite,
            deleted,
        }
    }

    /// The bytes whose removal is exactly this replacement, if it is one.
    pub fn deleted(&self) -> Option<&ByteSet> {
        self.deleted.as_ref()
    }
}

/// A set of ASCII bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByteSet {
    members: [bool; 256],
}

impl ByteSet {
    /// Whether `byte` is in the set.
    #[inline]
    pub fn contains(&self, byte: u8) -> bool {
        self.members
            .get(usize::from(byte))
            .copied()
            .unwrap_or(false)
    }

    fn bytes(&self) -> impl Iterator<Item = u8> + '_ {
        (0u8..128).filter(|&byte| self.contains(byte))
    }
}

/// The most characters a deletion pattern may name: beyond that the analysis is not worth it.
const MAX_DELETED: usize = 16;

/// The ASCII set `S` when every match of `regex` is a non-empty run of characters of `S` and
/// each character of `S` matches alone. Replacing every match with nothing then deletes every
/// character of `S`: each one either starts a match or lies inside an earlier one, and no
/// other character is ever inside a match.
fn deleted_bytes(regex: &Regex) -> Option<ByteSet> {
    let hir = regex_syntax::Parser::new().parse(regex.as_str()).ok()?;
    if hir.properties().minimum_len().unwrap_or(0) == 0 {
        return None;
    }
    let mut set = ByteSet {
        members: [false; 256],
    };
    collect_chars(&hir, &mut set)?;
    let whole = regex::Regex::new(&format!("^(?:{})$", regex.as_str())).ok()?;
    let mut buffer = [0u8; 4];
    let each_matches_alone = set
        .bytes()
        .all(|byte| whole.is_match(char::from(byte).encode_utf8(&mut buffer)));
    let count = set.bytes().count();
    (each_matches_alone && count > 0 && count <= MAX_DELETED).then_some(set)
}

/// Adds the characters `hir` can match to `set`; `None` when it can match anything other than
/// runs of a few ASCII characters (a look-around, a large class, a non-ASCII character).
fn collect_chars(hir: &Hir, set: &mut ByteSet) -> Option<()> {
    let mut add = |byte: u32| -> Option<()> {
        let slot = set.members.get_mut(usize::try_from(byte).ok()?)?;
        *slot = true;
        Some(())
    };
    match hir.kind() {
        HirKind::Empty => Some(()),
        HirKind::Literal(literal) => literal.0.iter().try_for_each(|&b| add(u32::from(b))),
        HirKind::Class(regex_syntax::hir::Class::Unicode(class)) => {
            let mut count = 0u32;
            for range in class.ranges() {
                let (start, end) = (u32::from(range.start()), u32::from(range.end()));
                count += end - start + 1;
                if end >= 128 || count as usize > MAX_DELETED {
                    return None;
                }
                (start..=end).try_for_each(&mut add)?;
            }
            Some(())
        }
        HirKind::Class(regex_syntax::hir::Class::Bytes(class)) => {
            let mut count = 0u32;
            for range in class.ranges() {
                let (start, end) = (u32::from(range.start()), u32::from(range.end()));
                count += end - start + 1;
                if end >= 128 || count as usize > MAX_DELETED {
                    return None;
                }
                (start..=end).try_for_each(&mut add)?;
            }
            Some(())
        }
        HirKind::Repetition(repetition) => collect_chars(&repetition.sub, set),
        HirKind::Capture(capture) => collect_chars(&capture.sub, set),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => {
            parts.iter().try_for_each(|part| collect_chars(part, set))
        }
        HirKind::Look(_) => None,
    }
}

impl ByteSet {
    /// Whether `text` holds any byte of the set.
    #[inline]
    pub fn any_in(&self, text: &str) -> bool {
        text.bytes().any(|byte| self.contains(byte))
    }

    /// The positions in `bytes` of the bytes of the set, in order.
    ///
    /// A set of up to six bytes is found with `memchr`'s SIMD searches (three bytes each),
    /// merged; a larger one byte by byte.
    pub fn positions<'b>(&self, bytes: &'b [u8]) -> Positions<'b> {
        let members: Vec<u8> = self.bytes().collect();
        let mut searches: Vec<Search<'b>> = Vec::new();
        if members.len() <= 6 {
            for group in members.chunks(3) {
                let search: Box<dyn Iterator<Item = usize> + 'b> = match *group {
                    [a] => Box::new(memchr::memchr_iter(a, bytes)),
                    [a, b] => Box::new(memchr::memchr2_iter(a, b, bytes)),
                    [a, b, c] => Box::new(memchr::memchr3_iter(a, b, c, bytes)),
                    _ => continue,
                };
                searches.push(search.peekable());
            }
        } else {
            let set = self.clone();
            let search = bytes
                .iter()
                .enumerate()
                .filter_map(move |(index, &byte)| set.contains(byte).then_some(index));
            searches.push((Box::new(search) as Box<dyn Iterator<Item = usize>>).peekable());
        }
        Positions { searches }
    }

    /// Calls `push` with each run of `text` between bytes of the set, in order: `text`
    /// without them. Only ASCII bytes are ever in the set, so every run is whole UTF-8.
    #[inline]
    pub fn for_each_kept(&self, text: &str, mut push: impl FnMut(&str)) {
        let mut run_start = 0;
        for (index, &byte) in text.as_bytes().iter().enumerate() {
            if self.contains(byte) {
                if index > run_start {
                    push(text.get(run_start..index).unwrap_or_default());
                }
                run_start = index + 1;
            }
        }
        if run_start < text.len() {
            push(text.get(run_start..).unwrap_or_default());
        }
    }
}

/// One search of [`ByteSet::positions`], with its next position.
type Search<'b> = std::iter::Peekable<Box<dyn Iterator<Item = usize> + 'b>>;

/// The positions of a [`ByteSet`]'s bytes in a byte string, in order (see
/// [`ByteSet::positions`]).
pub struct Positions<'b> {
    /// Searches for disjoint groups of the set's bytes.
    searches: Vec<Search<'b>>,
}

impl Iterator for Positions<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        // The groups are disjoint, so the searches never give the same position.
        let nearest = self
            .searches
            .iter_mut()
            .filter_map(|search| search.peek().copied())
            .min()?;
        for search in &mut self.searches {
            if search.peek() == Some(&nearest) {
                search.next();
            }
        }
        Some(nearest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BITS_CMD: &str = r"(.*)bitsadmin(.exe)?(.+)(download |upload )(.*)";
    const CLEAR_OBF: &str = r#"(\^|(")+|\$|%|\+|("\+"))"#;

    fn search(pattern: &str) -> SearchPattern {
        SearchPattern::new(Arc::new(Regex::new(pattern).unwrap()), 1 << 20)
    }

    fn replace(pattern: &str, rewrite: &str) -> ReplacePattern {
        ReplacePattern::new(Arc::new(Regex::new(pattern).unwrap()), rewrite.to_string())
    }

    #[test]
    fn empty_ends_are_dropped_for_searching() {
        // The pattern prints back as the regex crate's HIR shows it, with groups.
        let pattern = search(BITS_CMD);
        let searched = pattern.searched();
        assert!(searched.starts_with("(?:(?:bitsadmin)"), "{searched}");
        assert!(!searched.contains('*'), "{searched}");
        assert!(pattern.is_match("cmd /c bitsadmin /transfer j /download x"));
        assert!(!pattern.is_match("bitsadmin /list"));
        assert!(!search(r"a.*").searched().contains('*'));
        assert!(!search(r"(?:x*)(y*)").searched().contains('*'));
        // Nothing to drop: the pattern is kept.
        assert_eq!(search(r"a.+").searched(), "a.+");
        assert_eq!(search(r"^.*a$").searched(), "^.*a$");
    }

    #[test]
    fn searching_agrees_with_the_pattern_as_written() {
        let patterns = [
            BITS_CMD,
            r"(.*)x(?m:$)(.*)",
            r"(.*)^a",
            r"(.*?)b+(.*)",
            r"(.*)",
            r"(?i)BitsAdmin",
            r"(ab)+c|d",
            r"x(?:ab){2}y",
            "é+",
        ];
        let haystacks = [
            "",
            "a",
            "xa\nb",
            "bitsadmin.exe /download ",
            "ab\nx",
            "\n",
            "bbb",
            "BITSADMIN",
            "abababc",
            "d",
            "xababy",
            "éé",
        ];
        for pattern in patterns {
            let prepared = search(pattern);
            let written = Regex::new(pattern).unwrap();
            for haystack in haystacks {
                let expected = written.is_match(haystack);
                assert_eq!(
                    prepared.is_match(haystack),
                    expected,
                    "{pattern} {haystack:?}"
                );
            }
        }
    }

    #[test]
    fn required_literals_are_found() {
        let required = |pattern: &str| {
            let hir = regex_syntax::Parser::new().parse(pattern).unwrap();
            required_literal(&hir).map(|literal| String::from_utf8(literal).unwrap())
        };
        assert_eq!(
            required(search(BITS_CMD).searched()).as_deref(),
            Some("bitsadmin")
        );
        assert_eq!(required("x(?:ab){2}yz").as_deref(), Some("yz"));
        assert_eq!(required("(ab)+c").as_deref(), Some("ab"));
        // Not required: a case-insensitive literal, an alternative, an optional part.
        assert_eq!(required("(?i)bitsadmin"), None);
        assert_eq!(required("ab|c"), None);
        assert_eq!(required("(ab)?c").as_deref(), Some("c"));
        assert_eq!(required("(ab)*"), None);
    }

    #[test]
    fn character_deletions_are_recognised() {
        let deleted = replace(CLEAR_OBF, "").deleted.unwrap();
        let members: String = deleted.bytes().map(char::from).collect();
        assert_eq!(members, "\"$%+^");
        assert!(replace(r"[ab]", "").deleted.is_some());
        // Not deletions: a rewrite, a run needing two characters, an empty match, a large
        // class, a look-around, an alternative that does not match alone.
        assert!(replace(CLEAR_OBF, "x").deleted.is_none());
        assert!(replace(r"ab", "").deleted.is_none());
        assert!(replace(r"a*", "").deleted.is_none());
        assert!(replace(r"\w", "").deleted.is_none());
        assert!(replace(r"\ba", "").deleted.is_none());
        assert!(replace(r"a|bc", "").deleted.is_none());
    }

    #[test]
    fn deletion_agrees_with_the_regex() {
        let texts = [
            "",
            "plain",
            r#"cmd /c b^i^t^s "Start-"+"Bits" $env:TEMP %TEMP% ""x"""#,
            "é^ü\"",
        ];
        for pattern in [CLEAR_OBF, r"[ab]+", r"(a|b)"] {
            let prepared = replace(pattern, "");
            let deleted = prepared.deleted.clone().unwrap();
            for text in texts {
                let expected = prepared.regex.replace_all(text, "");
                let mut got = String::new();
                deleted.for_each_kept(text, |run| got.push_str(run));
                assert_eq!(got, expected, "{pattern} {text:?}");
                assert_eq!(deleted.any_in(text), got != text);
            }
        }
    }
}
