//! The bank's own register as CSV (README "Authority checks"): a header line naming the
//! columns `authority`, `number`, `name`, `status` (`authorised` | `withdrawn`), `roles` (names
//! separated by spaces or `;`), and optionally `authorised_since`, `withdrawn_at`. Fields may be
//! quoted with `"` (a doubled `""` inside is one quote).

use super::codes::AuthorityCodes;
use crate::domain::evidence::Source;
use crate::domain::psd2::parse_roles;
use crate::store::authority::RegisterEntry;

/// Splits one line into fields.
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    out.push(cur.trim().to_string());
    out
}

/// Reads the CSV text; a line that cannot be read is an error naming its line.
pub fn read(text: &str, codes: &AuthorityCodes) -> Result<Vec<RegisterEntry>, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Ok(Vec::new());
    };
    let header: Vec<String> = fields(header)
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let need = |name: &str| col(name).ok_or_else(|| format!("the CSV has no `{name}` column"));
    let (authority, number, name, status, roles) = (
        need("authority")?,
        need("number")?,
        need("name")?,
        need("status")?,
        need("roles")?,
    );
    let (since, withdrawn) = (col("authorised_since"), col("withdrawn_at"));
    let mut out = Vec::new();
    for (i, line) in lines {
        let f = fields(line);
        let get = |c: usize| f.get(c).cloned().unwrap_or_default();
        let opt = |c: Option<usize>| c.map(get).filter(|v| !v.is_empty());
        let st = get(status).to_ascii_lowercase();
        if st != "authorised" && st != "withdrawn" {
            return Err(format!(
                "line {}: status must be authorised or withdrawn, not `{st}`",
                i + 1
            ));
        }
        if get(number).is_empty() || get(authority).is_empty() {
            return Err(format!("line {}: authority and number are required", i + 1));
        }
        let role_text = get(roles);
        let parsed = parse_roles(role_text.split(|c: char| c == ';' || c.is_whitespace()));
        out.push(RegisterEntry {
            register: Source::Csv,
            authority: codes.canonical(&get(authority), None),
            number: get(number),
            name: get(name),
            status: st,
            roles: parsed.iter().map(|r| r.as_str().to_string()).collect(),
            entity_type: "csv".into(),
            authorised_since: opt(since),
            withdrawn_at: opt(withdrawn),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_their_commas() {
        assert_eq!(
            fields(r#"GB-FCA,"Acme, ""Pay"" Ltd",x"#),
            vec!["GB-FCA", r#"Acme, "Pay" Ltd"#, "x"]
        );
    }
}
