//! Just enough XML for STS answers: the text of the first element with a given
//! name, entities decoded. STS answers are small, flat and well-formed; anything
//! else is refused as malformed by the callers.

use alloc::string::String;

/// The text content of the first `<name>…</name>` (namespace prefixes ignored).
pub fn text(doc: &str, name: &str) -> Option<String> {
    let mut rest = doc;
    loop {
        let open = rest.find('<')?;
        rest = rest.get(open + 1..)?;
        let end = rest.find('>')?;
        let tag = rest.get(..end)?;
        rest = rest.get(end + 1..)?;
        let tag_name = tag.split([' ', '\t', '\n', '/']).next().unwrap_or("");
        let local = tag_name.rsplit(':').next().unwrap_or(tag_name);
        if local != name || tag.starts_with('/') {
            continue;
        }
        if tag.ends_with('/') {
            return Some(String::new());
        }
        let close = crate::error::find(rest, "</")?;
        return decode_entities(rest.get(..close)?);
    }
}

fn decode_entities(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp)?);
        rest = rest.get(amp + 1..)?;
        let semi = rest.find(';')?;
        let entity = rest.get(..semi)?;
        rest = rest.get(semi + 1..)?;
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            e => {
                let code = if let Some(hex) = e.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()?
                } else {
                    e.strip_prefix('#')?.parse().ok()?
                };
                char::from_u32(code)?
            }
        };
        out.push(c);
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_text() {
        let doc = r#"<?xml version="1.0"?><R xmlns="x"><Credentials><AccessKeyId>ASIA1</AccessKeyId><SessionToken>a&amp;b&#x2F;c&#61;</SessionToken><Empty/></Credentials></R>"#;
        assert_eq!(text(doc, "AccessKeyId").as_deref(), Some("ASIA1"));
        assert_eq!(text(doc, "SessionToken").as_deref(), Some("a&b/c="));
        assert_eq!(text(doc, "Empty").as_deref(), Some(""));
        assert_eq!(text(doc, "Missing"), None);
        // Broken documents give None, never a panic.
        for bad in ["<a>", "<a>x&bogus;</a>", "<a>&#xZZ;</a>", "<a>&#x110000;</a>", "<", "<a", "&"] {
            assert_eq!(text(bad, "a"), None, "{bad}");
        }
    }
}
