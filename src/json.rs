//! A small JSON reader and writer for the Cognito wire formats.
//!
//! The wasm module cannot lean on the page's `JSON.parse` from the sans-IO core,
//! and serde_json costs tens of KB of wasm; the answers we read are a handful
//! of flat objects. The reader takes any JSON (RFC 8259) but never panics:
//! nesting is capped, numbers are parsed without float-parsing machinery (to
//! 15 significant digits, plenty for epoch seconds), bad input is an error.

use alloc::string::String;
use alloc::vec::Vec;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

/// Why a document was refused; the position helps debugging, never the content
/// (which may hold tokens).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
}

const MAX_DEPTH: usize = 64;

impl Value {
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }
}

pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut p = Parser {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let value = p.value(0)?;
    p.skip_ws();
    if p.pos != p.bytes.len() {
        return Err(p.error());
    }
    Ok(value)
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self) -> JsonError {
        JsonError { offset: self.pos }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, word: &[u8]) -> Result<(), JsonError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.error())
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error());
        }
        self.skip_ws();
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.expect(b"true").map(|_| Value::Bool(true)),
            Some(b'f') => self.expect(b"false").map(|_| Value::Bool(false)),
            Some(b'n') => self.expect(b"null").map(|_| Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            _ => Err(self.error()),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.pos += 1;
        let mut fields = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(fields));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error());
            }
            let key = self.string()?;
            self.skip_ws();
            self.expect(b":")?;
            let value = self.value(depth + 1)?;
            fields.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(fields));
                }
                _ => return Err(self.error()),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error()),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self.bytes.get(self.pos..self.pos + 4).ok_or(self.error())?;
        let mut n = 0;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.error()),
            };
            n = n * 16 + u32::from(v);
        }
        self.pos += 4;
        Ok(n)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let b = self.peek().ok_or(self.error())?;
            self.pos += 1;
            match b {
                b'"' => return String::from_utf8(out).map_err(|_| self.error()),
                b'\\' => {
                    let e = self.peek().ok_or(self.error())?;
                    self.pos += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                self.expect(b"\\u")?;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.error());
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(code).ok_or(self.error())?
                        }
                        _ => return Err(self.error()),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1f => return Err(self.error()),
                _ => out.push(b),
            }
        }
    }

    /// Reads a run of digits into `mantissa` (up to 15 significant digits) and
    /// adjusts `exp10` for the digits dropped (integer part) or kept (fraction).
    /// Returns how many digits there were.
    fn digits(
        &mut self,
        mantissa: &mut f64,
        significant: &mut u32,
        exp10: &mut i32,
        fraction: bool,
    ) -> usize {
        let start = self.pos;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            self.pos += 1;
            if *significant < 15 {
                *mantissa = *mantissa * 10.0 + f64::from(d - b'0');
                if *mantissa != 0.0 {
                    *significant += 1;
                }
                if fraction {
                    *exp10 -= 1;
                }
            } else if !fraction {
                *exp10 += 1;
            }
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<f64, JsonError> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let (mut mantissa, mut significant, mut exp10) = (0.0, 0, 0);
        if self.digits(&mut mantissa, &mut significant, &mut exp10, false) == 0 {
            return Err(self.error());
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits(&mut mantissa, &mut significant, &mut exp10, true) == 0 {
                return Err(self.error());
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            let sign = match self.peek() {
                Some(b'-') => {
                    self.pos += 1;
                    -1
                }
                Some(b'+') => {
                    self.pos += 1;
                    1
                }
                _ => 1,
            };
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error());
            }
            let mut e = 0i32;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                e = e.saturating_mul(10).saturating_add(i32::from(d - b'0'));
                self.pos += 1;
            }
            exp10 = exp10.saturating_add(sign * e);
        }
        let value = if exp10 >= 0 {
            mantissa * pow10(exp10)
        } else {
            mantissa / pow10(-exp10)
        };
        Ok(if negative { -value } else { value })
    }
}

fn pow10(n: i32) -> f64 {
    let mut r = 1.0;
    for _ in 0..n.clamp(0, 400) {
        r *= 10.0;
    }
    r
}

/// Writes JSON objects: enough for request bodies.
pub struct Writer {
    out: String,
    first: bool,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    pub fn new() -> Self {
        Writer {
            out: String::from("{"),
            first: true,
        }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        push_string(&mut self.out, key);
        self.out.push(':');
    }

    pub fn string(mut self, key: &str, value: &str) -> Self {
        self.key(key);
        push_string(&mut self.out, value);
        self
    }

    pub fn object(mut self, key: &str, value: Writer) -> Self {
        self.key(key);
        self.out.push_str(&value.finish());
        self
    }

    pub fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

pub fn push_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn parses_cognito_answers() {
        let v = parse(r#"{"IdentityId":"us-east-1:abc","Credentials":{"AccessKeyId":"ASIA1","Expiration":1.7000000125E9,"SecretKey":"s\/k","SessionToken":"t\u00e9\ud83d\ude00"}}"#).unwrap();
        let c = v.get("Credentials").unwrap();
        assert_eq!(v.get("IdentityId").unwrap().as_str(), Some("us-east-1:abc"));
        assert_eq!(c.get("Expiration").unwrap().as_f64(), Some(1_700_000_012.5));
        assert_eq!(c.get("SecretKey").unwrap().as_str(), Some("s/k"));
        assert_eq!(c.get("SessionToken").unwrap().as_str(), Some("té😀"));
        assert_eq!(
            parse("[1, -2.5e2, 0.001, true, false, null]").unwrap(),
            Value::Array(vec![
                Value::Number(1.0),
                Value::Number(-250.0),
                Value::Number(0.001),
                Value::Bool(true),
                Value::Bool(false),
                Value::Null
            ])
        );
        assert_eq!(parse("1700000000").unwrap().as_f64(), Some(1.7e9));
    }

    #[test]
    fn refuses_bad_documents_without_panicking() {
        let deep = "[".repeat(100) + &"]".repeat(100);
        for bad in [
            "",
            "{",
            "{\"a\"}",
            "{\"a\":}",
            "[1,]",
            "\"\\x\"",
            "\"\\ud800\"",
            "01x",
            "-",
            "1.",
            "1e",
            "tru",
            "\"a\u{1}\"",
            "{} x",
            &deep,
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn writes_escaped_objects() {
        let body = Writer::new()
            .string("IdentityPoolId", "us-east-1:x")
            .object("Logins", Writer::new().string("k", "a\"b\\c\n\u{1}"))
            .finish();
        assert_eq!(
            body,
            r#"{"IdentityPoolId":"us-east-1:x","Logins":{"k":"a\"b\\c\n\u0001"}}"#
        );
        assert_eq!(
            parse(&body)
                .unwrap()
                .get("Logins")
                .unwrap()
                .get("k")
                .unwrap()
                .as_str(),
            Some("a\"b\\c\n\u{1}")
        );
    }
}
