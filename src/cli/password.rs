//! A generated password for `onramp admin create` when none is given on stdin.

/// Twenty characters from an alphabet without look-alikes, in groups of five.
pub(super) fn generate_password() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let body: String = (0..20)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect();
    format!(
        "{}-{}-{}-{}",
        &body[0..5],
        &body[5..10],
        &body[10..15],
        &body[15..20]
    )
}
