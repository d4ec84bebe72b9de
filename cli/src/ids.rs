//! Task ID words: `3`, `3,5`, `4-6`, `6-4`, `1,3-5`, several of them.

use crate::context::UsageError;

/// More IDs than this in one command is surely a typo (`1-100000`).
const MAX_IDS: usize = 10_000;

/// Whether `word` is an ID list: numbers and ranges joined by commas.
pub fn is_id_spec(word: &str) -> bool {
    !word.is_empty() && word.split(',').all(|part| parse_part(part).is_some())
}

fn parse_number(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|n| *n > 0)
}

/// `3` or `4-6` (or `6-4`) as an inclusive range.
fn parse_part(part: &str) -> Option<(i64, i64)> {
    match part.split_once('-') {
        None => parse_number(part).map(|n| (n, n)),
        Some((a, b)) => {
            let (a, b) = (parse_number(a)?, parse_number(b)?);
            Some((a.min(b), a.max(b)))
        }
    }
}

/// The IDs named by `words`, in order, each once.
pub fn parse_ids<S: AsRef<str>>(words: &[S]) -> Result<Vec<i64>, UsageError> {
    let mut ids: Vec<i64> = Vec::new();
    for word in words {
        let word = word.as_ref();
        for part in word.split(',') {
            let (low, high) = parse_part(part).ok_or_else(|| {
                UsageError(format!(
                    "{word:?} is not a task ID: use numbers, lists and ranges such as 3, 3,5 or 4-6"
                ))
            })?;
            if usize::try_from(high - low).map_or(true, |n| n >= MAX_IDS) || ids.len() >= MAX_IDS {
                return Err(UsageError(format!(
                    "{word:?} names too many tasks (at most {MAX_IDS} at once)"
                )));
            }
            for id in low..=high {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
    }
    if ids.is_empty() {
        return Err(UsageError("give at least one task ID".to_string()));
    }
    Ok(ids)
}

/// Splits leading ID words from the rest (`modify 3 4-5 pri:L` → IDs, mods).
pub fn split_leading_ids(words: &[String]) -> (&[String], &[String]) {
    let count = words.iter().take_while(|w| is_id_spec(w)).count();
    words.split_at(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_ranges() {
        assert_eq!(parse_ids(&["3"]).unwrap(), [3]);
        assert_eq!(parse_ids(&["3,5"]).unwrap(), [3, 5]);
        assert_eq!(parse_ids(&["4-6"]).unwrap(), [4, 5, 6]);
        assert_eq!(parse_ids(&["6-4"]).unwrap(), [4, 5, 6]);
        assert_eq!(parse_ids(&["1,3-4", "3", "9"]).unwrap(), [1, 3, 4, 9]);
    }

    #[test]
    fn bad_ids_are_errors() {
        for bad in [
            "",
            "x",
            "0",
            "-3",
            "3-",
            "3,,4",
            "1-999999",
            "99999999999999999999",
        ] {
            assert!(parse_ids(&[bad]).is_err(), "{bad:?}");
            assert!(!is_id_spec(bad) || bad == "1-999999", "{bad:?}");
        }
    }

    #[test]
    fn leading_ids() {
        let words: Vec<String> = ["3", "4-5", "pri:L", "7"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (ids, rest) = split_leading_ids(&words);
        assert_eq!(ids, ["3", "4-5"]);
        assert_eq!(rest, ["pri:L", "7"]);
    }
}
