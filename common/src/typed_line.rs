//! Words of a line typed into a box (the web app's quick add, the TUI's
//! title and filter lines), where no shell has split them first.
//!
//! Quotes group and protect, as a shell's do: `"buy milk" due:"in 3 days"`
//! is two words, and a word quoted whole (`"project:x"`) is plain text, not
//! a modifier. Unlike a shell's, a quote opens only at the start of a word,
//! after its `:` or after a tag's `+`/`-`, and closes only before white
//! space or the end, so that apostrophes are letters (`Don't`, `Bob's`,
//! `'tis`); a quote that never closes is kept as typed. What the quotes
//! around a word mean to the line (protection, or part of a title) is the
//! parser's to say.

/// One word of a typed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word without the quotes that grouped it.
    pub text: String,
    /// The quote the whole word was in, if it was: it means its text and
    /// nothing more.
    pub quote: Option<char>,
    /// A quote opened a value (`pro:"my trip`) or a tag's name and never
    /// closed: most likely a slip, for the parser to name.
    pub unclosed: bool,
}

impl Word {
    /// A word as a shell handed it over: its quotes already gone.
    pub fn plain(text: impl Into<String>) -> Word {
        Word {
            text: text.into(),
            quote: None,
            unclosed: false,
        }
    }

    /// The word as it was typed, quotes and all.
    pub fn as_typed(&self) -> String {
        match self.quote {
            Some(quote) => format!("{quote}{}{quote}", self.text),
            None => self.text.clone(),
        }
    }
}

/// `text` without the quotes around it when it is one word quoted whole
/// (`"in 3 days"`, `'eom'`), as a line reads quotes; otherwise as it is.
pub fn unquoted(text: &str) -> String {
    match split(text).as_slice() {
        [word] if word.quote.is_some() => word.text.clone(),
        _ => text.to_string(),
    }
}

/// Splits a typed line into its words (see the module docs).
pub fn split(line: &str) -> Vec<Word> {
    let chars: Vec<char> = line.chars().collect();
    let closers = Closers::of(&chars);
    let mut words = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let quote = closers.closing(&chars, i).map(|_| chars[i]);
        let mut text = String::new();
        let mut unclosed = false;
        while i < chars.len() && !chars[i].is_whitespace() {
            let opens = text.is_empty() || text.ends_with(':') || text == "+" || text == "-";
            match closers.closing(&chars, i).filter(|_| opens) {
                Some(end) => {
                    text.extend(&chars[i + 1..end]);
                    i = end + 1;
                }
                None => {
                    // At a word's start it may be an apostrophe (`'tis`).
                    unclosed |= opens && !text.is_empty() && QUOTES.contains(&chars[i]);
                    text.push(chars[i]);
                    i += 1;
                }
            }
        }
        // `""` stands for nothing; `due:""` is still `due:`.
        if !text.is_empty() {
            words.push(Word {
                text,
                quote,
                unclosed,
            });
        }
    }
    words
}

const QUOTES: [char; 2] = ['"', '\''];

/// For each position of a line, where the next quote of each kind that
/// can close stands (one before white space or the end). Found once, from
/// the right, so that a line of many quotes is still split in linear time.
struct Closers(Vec<[Option<usize>; 2]>);

impl Closers {
    fn of(chars: &[char]) -> Closers {
        let mut next = vec![[None, None]; chars.len() + 1];
        for at in (0..chars.len()).rev() {
            next[at] = next[at + 1];
            let before_space = chars.get(at + 1).is_none_or(|c| c.is_whitespace());
            if let Some(kind) = QUOTES.iter().position(|q| *q == chars[at]) {
                if before_space {
                    next[at][kind] = Some(at);
                }
            }
        }
        Closers(next)
    }

    /// Where the quote at `open` closes, if it is a quote that does.
    fn closing(&self, chars: &[char], open: usize) -> Option<usize> {
        let kind = QUOTES.iter().position(|q| *q == chars[open])?;
        self.0[open + 1][kind]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_quoted_whole_loses_its_quotes() {
        assert_eq!(unquoted("\"in 3 days\""), "in 3 days");
        assert_eq!(unquoted("'eom'"), "eom");
        assert_eq!(unquoted("\"unbalanced"), "\"unbalanced");
        assert_eq!(unquoted("\"a\" \"b\""), "\"a\" \"b\"");
        assert_eq!(unquoted("plain"), "plain");
    }

    fn texts(line: &str) -> Vec<(String, bool)> {
        split(line)
            .into_iter()
            .map(|w| (w.text, w.quote.is_some()))
            .collect()
    }

    #[test]
    fn quotes_group_words_and_mark_them_plain() {
        assert_eq!(
            texts(r#"+a due:"in 3 days"  'two words' x "project:x""#),
            [
                ("+a".into(), false),
                ("due:in 3 days".into(), false),
                ("two words".into(), true),
                ("x".into(), false),
                ("project:x".into(), true),
            ]
        );
    }

    #[test]
    fn apostrophes_and_lone_quotes_are_letters() {
        let words: Vec<String> = split(r#"Don't 'tis Bob's "odd 5" x"#)
            .into_iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(words, ["Don't", "'tis", "Bob's", "odd 5", "x"]);
        let words: Vec<String> = split(r#"say "hi there"#)
            .into_iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(words, ["say", "\"hi", "there"]);
        // A quote closes only before white space: the inner one is a letter.
        let words: Vec<String> = split("'Don't stop' now")
            .into_iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(words, ["Don't stop", "now"]);
    }

    #[test]
    fn a_quoted_word_can_be_given_back_as_typed() {
        let typed: Vec<String> = split(r#"a 'b c' "d" due:"e""#)
            .iter()
            .map(Word::as_typed)
            .collect();
        assert_eq!(typed, ["a", "'b c'", "\"d\"", "due:e"]);
    }

    #[test]
    fn a_line_of_many_quotes_is_split_in_linear_time() {
        // Quadratic work on 200,000 characters would take minutes.
        let words = split(&"'a ".repeat(100_000));
        assert_eq!(words.len(), 100_000);
        assert!(words.iter().all(|w| w.text == "'a" && w.quote.is_none()));
    }

    #[test]
    fn a_value_s_quote_that_never_closes_is_marked() {
        let marked: Vec<(String, bool)> = split(r#"'tis pro:"my trip +"x due:"a"b ok"#)
            .into_iter()
            .map(|w| (w.text, w.unclosed))
            .collect();
        assert_eq!(
            marked,
            [
                ("'tis".into(), false),
                (r#"pro:"my"#.into(), true),
                ("trip".into(), false),
                (r#"+"x"#.into(), true),
                (r#"due:"a"b"#.into(), true),
                ("ok".into(), false),
            ]
        );
    }

    #[test]
    fn empty_quotes_are_nothing_but_an_empty_value_stays() {
        let words: Vec<String> = split(r#"a "" due:"" b"#)
            .into_iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(words, ["a", "due:", "b"]);
        // After a tag's sign too.
        let words: Vec<String> = split(r#"+"c d" -'e'"#)
            .into_iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(words, ["+c d", "-e"]);
    }
}
