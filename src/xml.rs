//! Just enough XML for AWS answers (STS, S3): the elements with a given name,
//! and their text with entities decoded. These answers are small, regular and
//! well-formed; anything else is refused as malformed by the callers.
//!
//! Hand-written, measured against the crate: quick-xml 0.42 (no default
//! features) doing `text` and `all` took the whole SDK's wasm from 95,870 to
//! 106,352 B gzipped (+10.5 KB for ~150 lines), and the platform's DOMParser
//! is missing where the SDK also runs (Node, Workers, Deno).

use alloc::string::String;
use alloc::vec::Vec;

/// The raw content of the next `<name>…</name>` in `rest` (namespace prefixes
/// ignored), and what follows it. Elements of the same name do not nest in
/// the answers read here, so the first closing tag of that name ends it.
fn next<'a>(rest: &mut &'a str, name: &str) -> Option<&'a str> {
    loop {
        let open = rest.find('<')?;
        *rest = rest.get(open + 1..)?;
        let end = rest.find('>')?;
        let tag = rest.get(..end)?;
        *rest = rest.get(end + 1..)?;
        let tag_name = tag.split([' ', '\t', '\n', '/']).next().unwrap_or("");
        let local = tag_name.rsplit(':').next().unwrap_or(tag_name);
        if local != name || tag.starts_with('/') {
            continue;
        }
        if tag.ends_with('/') {
            return Some("");
        }
        // The matching close tag, `</name>` or `</prefix:name>`.
        let mut scan = *rest;
        loop {
            let close = crate::error::find(scan, "</")?;
            let after = scan.get(close + 2..)?;
            let end = after.find('>')?;
            let closing = after.get(..end)?;
            if closing.rsplit(':').next() == Some(name) {
                let content = rest.get(..rest.len() - scan.len() + close)?;
                *rest = after.get(end + 1..)?;
                return Some(content);
            }
            scan = after;
        }
    }
}

/// The text content of the first `<name>…</name>`.
pub fn text(doc: &str, name: &str) -> Option<String> {
    let mut rest = doc;
    decode_entities(next(&mut rest, name)?)
}

/// The raw content of every `<name>…</name>`, in order (read each with [`text`]).
pub fn all<'a>(doc: &'a str, name: &str) -> Vec<&'a str> {
    let mut rest = doc;
    let mut found = Vec::new();
    while let Some(content) = next(&mut rest, name) {
        found.push(content);
    }
    found
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
    // XML 1.0 allows no control characters but tab and line breaks, not even
    // as `&#0;`: refused, so a hostile answer cannot smuggle a NUL (our field
    // separator) or the like into a key or a token.
    out.bytes()
        .all(|b| b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r'))
        .then_some(out)
}

/// Appends `text` as XML character data: `&`, `<`, `>` and `"` escaped (for
/// the few documents the SDK writes: multipart completions, batch deletes).
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // A parser normalises a raw CR (or CRLF) to LF, and tabs and line
            // breaks in attribute values to spaces: as character references
            // they arrive as sent (a key "a\rb" deleted "a\nb" before). Other
            // control characters go the same way (XML 1.0 has no raw form).
            c if (c as u32) < 0x20 => {
                out.push_str("&#x");
                crate::sigv4::sha256::push_hex(out, &[c as u8]);
                out.push(';');
            }
            c => out.push(c),
        }
    }
}

/// Whether every text and character reference of `doc` is allowed XML text
/// (see [`text`]): answers that are not are refused whole as malformed.
pub fn clean(doc: &str) -> bool {
    decode_entities(doc).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_a_parser_would_normalise() {
        let mut out = String::new();
        push_escaped(&mut out, "a\rb\r\nc\td\u{1}<&>\"é");
        assert_eq!(
            out,
            "a&#x0d;b&#x0d;&#x0a;c&#x09;d&#x01;&lt;&amp;&gt;&quot;é"
        );
    }

    #[test]
    fn finds_text() {
        let doc = r#"<?xml version="1.0"?><R xmlns="x"><Credentials><AccessKeyId>ASIA1</AccessKeyId><SessionToken>a&amp;b&#x2F;c&#61;</SessionToken><Empty/></Credentials></R>"#;
        assert_eq!(text(doc, "AccessKeyId").as_deref(), Some("ASIA1"));
        assert_eq!(text(doc, "SessionToken").as_deref(), Some("a&b/c="));
        assert_eq!(text(doc, "Empty").as_deref(), Some(""));
        assert_eq!(text(doc, "Missing"), None);
        // Text that holds markup is read to the element's own closing tag.
        let list = "<L><C><K>a</K><S>1</S></C><P>x</P><C><K>b&lt;</K></C><C/></L>";
        assert_eq!(all(list, "C"), ["<K>a</K><S>1</S>", "<K>b&lt;</K>", ""]);
        assert_eq!(text(all(list, "C")[1], "K").as_deref(), Some("b<"));
        assert_eq!(all("<a:C><a:K>k</a:K></a:C>", "C"), ["<a:K>k</a:K>"]);
        // Broken documents give None, never a panic.
        for bad in [
            "<a>",
            "<a>x&bogus;</a>",
            "<a>&#xZZ;</a>",
            "<a>&#x110000;</a>",
            "<",
            "<a",
            "&",
        ] {
            assert_eq!(text(bad, "a"), None, "{bad}");
        }
    }

    #[test]
    fn control_characters_are_refused_even_as_references() {
        for bad in [
            "<a>x&#0;y</a>",
            "<a>&#x0;</a>",
            "<a>&#1;</a>",
            "<a>x\u{0}y</a>",
            "<a>&#x1B;</a>",
        ] {
            assert_eq!(text(bad, "a"), None, "{bad:?}");
            assert!(!clean(bad), "{bad:?}");
        }
        assert_eq!(
            text("<a>t&#9;a&#10;b\r\n</a>", "a").as_deref(),
            Some("t\ta\nb\r\n")
        );
        assert!(clean("<?xml version=\"1.0\"?><a>&amp;</a>"));
    }
}
