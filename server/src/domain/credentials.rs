//! What a username, a password and an email must be, wherever an account
//! is made or changed: registration, password change, the operators'
//! commands.

use zxcvbn::Score;

pub const MIN_PASSWORD: usize = 8;
/// Longer passwords (in characters) are refused before any hashing: a
/// hash's cost grows with its input, and no one types more.
pub const MAX_PASSWORD: usize = 1024;
pub const MAX_USERNAME: usize = 150;
/// In characters, as the document's `maxLength` counts.
pub const MAX_EMAIL: usize = 254;

pub fn username_errors(username: &str) -> Vec<String> {
    let length = username.chars().count();
    let mut messages = Vec::new();
    if !(3..=MAX_USERNAME).contains(&length) {
        messages.push(format!("Must be 3 to {MAX_USERNAME} characters."));
    }
    if !username
        .chars()
        .all(|c| c.is_alphanumeric() || "@.+-_".contains(c))
    {
        messages.push("May contain only letters, digits and @ . + - _".into());
    }
    messages
}

/// A password zxcvbn expects to fall within this many guesses (10^6) is
/// refused: with the login limits in the way, 10^8 and more is out of an
/// online attacker's reach.
const WEAKEST_ALLOWED: Score = Score::Two;
/// zxcvbn's time grows faster than the length; past this many characters
/// only the start is judged.
const JUDGED_CHARS: usize = 100;

/// Why `password` is refused for its length alone, if it is: cheap enough
/// to ask before queueing for the hashing threads.
pub fn too_long(password: &str) -> Option<String> {
    // More than four bytes a character cannot be within the limit.
    let long = password.len() > MAX_PASSWORD * 4 || password.chars().count() > MAX_PASSWORD;
    long.then(|| format!("This password is too long: at most {MAX_PASSWORD} characters."))
}

/// Everything wrong with `password` for the account `username` (whose
/// name counts as a guess too); empty when it will do.
pub fn password_errors(password: &str, username: &str) -> Vec<String> {
    password_errors_judged(password, username, guessable)
}

/// [`password_errors`], with how guessable the password is asked of
/// `judge` (zxcvbn's judgement, as [`guessable`] gives it), which is asked
/// only once every other rule holds.
pub fn password_errors_judged(
    password: &str,
    username: &str,
    judge: impl FnOnce(&str, &str) -> Option<String>,
) -> Vec<String> {
    let mut messages = Vec::new();
    if !password.is_empty() && password.trim().is_empty() {
        messages.push("This password is only spaces.".into());
    }
    messages.extend(too_long(password));
    if password.chars().count() < MIN_PASSWORD {
        messages.push(format!(
            "This password is too short: at least {MIN_PASSWORD} characters."
        ));
    }
    if !password.is_empty() && password.chars().all(|c| c.is_ascii_digit()) {
        messages.push("This password is entirely numeric.".into());
    }
    if !password.is_empty() && password.to_lowercase() == username.to_lowercase() {
        messages.push("The password is the same as the username.".into());
    }
    if messages.is_empty() {
        messages.extend(judge(password, username));
    }
    messages
}

/// zxcvbn's judgement, when it finds the password too easy to guess: what
/// makes it so and how to do better.
pub fn guessable(password: &str, username: &str) -> Option<String> {
    let judged: String = password.chars().take(JUDGED_CHARS).collect();
    let entropy = zxcvbn::zxcvbn(&judged, &[username, "taskd", "task"]);
    if entropy.score() >= WEAKEST_ALLOWED {
        return None;
    }
    let mut message = String::from("This password is too easy to guess");
    match entropy.feedback().and_then(|feedback| feedback.warning()) {
        Some(warning) => message.push_str(&format!(": {warning}")),
        None => message.push('.'),
    }
    if let Some(suggestion) = entropy
        .feedback()
        .and_then(|feedback| feedback.suggestions().first())
    {
        message.push_str(&format!(" {suggestion}"));
    }
    Some(message)
}

pub fn email_errors(email: &str) -> Vec<String> {
    let valid = email.chars().count() <= MAX_EMAIL
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Vec::new()
    } else {
        vec!["Enter a valid email address.".into()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_rules() {
        assert!(username_errors("alice.b+c@d-e_f").is_empty());
        assert!(!username_errors("al").is_empty());
        assert!(!username_errors("al ice").is_empty());
        assert!(!username_errors(&"a".repeat(151)).is_empty());
    }

    #[test]
    fn password_rules() {
        assert!(password_errors("correct horse battery", "alice").is_empty());
        assert!(!password_errors("short", "alice").is_empty());
        assert!(!password_errors("12345678901", "alice").is_empty());
        assert!(!password_errors("AliceAlice", "alicealice").is_empty());
    }

    #[test]
    fn common_and_guessable_passwords_are_refused_with_a_reason() {
        for weak in [
            "password",
            "password1",
            "qwertyuiop",
            "iloveyou2",
            "letmein123",
        ] {
            let errors = password_errors(weak, "alice");
            assert_eq!(errors.len(), 1, "{weak}: {errors:?}");
            assert!(
                errors[0].starts_with("This password is too easy to guess"),
                "{errors:?}"
            );
        }
        // The account's own name is a guess too.
        assert!(!password_errors("zorblaxquintet1", "zorblaxquintet").is_empty());
        assert!(password_errors("zorblaxquintet1", "alice").is_empty());
    }

    #[test]
    fn a_long_password_is_judged_quickly_by_its_start() {
        let long = "x7$Kq!".repeat(170);
        assert!(password_errors(&long, "alice").is_empty());
        assert!(!password_errors(&"a".repeat(1000), "alice").is_empty());
    }
}
