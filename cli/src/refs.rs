//! Task names on the command line (`3`, `3,5`, `4-6`, a uuid prefix), as
//! [`common::task_ref`] reads them.

pub use common::task_ref::is_ref_list;

/// Splits leading task names from the rest (`modify 3 4-5 pri:L` → names, mods).
pub fn split_leading_refs(words: &[String]) -> (&[String], &[String]) {
    let count = words.iter().take_while(|w| is_ref_list(w)).count();
    words.split_at(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_names() {
        let words: Vec<String> = ["3", "4-5", "a1b2c3d4", "pri:L", "7"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (names, rest) = split_leading_refs(&words);
        assert_eq!(names, ["3", "4-5", "a1b2c3d4"]);
        assert_eq!(rest, ["pri:L", "7"]);
    }
}
