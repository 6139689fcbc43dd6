//! A small IAM policy evaluator: identity-based policies with `Effect`, `Action`,
//! `Resource` (`*` and `?` wildcards, `${...}` policy variables) and `Condition`
//! (the `String*` operators, with `IfExists`). An explicit Deny wins, then any
//! Allow; otherwise the request is implicitly denied, as in IAM.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// IAM accepts a single string wherever it accepts a list.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let items: &[String] = match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        };
        items.iter().map(String::as_str)
    }
}

/// One statement, in IAM's JSON grammar. Unknown fields (`NotAction`,
/// `Principal`, ...) are refused when the config is read rather than ignored,
/// so a policy never means less than it says.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    #[serde(rename = "Sid", default)]
    pub sid: Option<String>,
    #[serde(rename = "Effect")]
    pub effect: Effect,
    #[serde(rename = "Action")]
    pub action: OneOrMany,
    #[serde(rename = "Resource")]
    pub resource: OneOrMany,
    /// operator -> condition key -> values
    #[serde(rename = "Condition", default)]
    pub condition: BTreeMap<String, BTreeMap<String, OneOrMany>>,
}

/// The request context: policy variables and condition keys share one
/// namespace in IAM (`cognito-identity.amazonaws.com:sub`, `s3:prefix`, ...).
/// Keys are case-insensitive.
#[derive(Debug, Clone, Default)]
pub struct Context {
    values: BTreeMap<String, String>,
}

impl Context {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.values.insert(key.to_ascii_lowercase(), value.into());
        self
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(&key.to_ascii_lowercase())
            .map(String::as_str)
    }
}

pub struct Request<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    pub context: &'a Context,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

impl Decision {
    pub fn allowed(self) -> bool {
        self == Decision::Allow
    }
}

pub fn evaluate(statements: &[Statement], req: &Request<'_>) -> Decision {
    let mut allowed = false;
    for st in statements.iter().filter(|st| applies(st, req)) {
        match st.effect {
            Effect::Deny => return Decision::ExplicitDeny,
            Effect::Allow => allowed = true,
        }
    }
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

/// Refuses what the evaluator would not understand (checked at start-up).
pub fn validate(statements: &[Statement]) -> Result<(), String> {
    for (i, st) in statements.iter().enumerate() {
        let name = st.sid.clone().unwrap_or_else(|| format!("#{}", i + 1));
        if st.action.iter().next().is_none() || st.resource.iter().next().is_none() {
            return Err(format!(
                "statement {name}: Action and Resource must not be empty"
            ));
        }
        for op in st.condition.keys() {
            if Operator::parse(op).is_none() {
                return Err(format!(
                    "statement {name}: unsupported condition operator {op:?}"
                ));
            }
        }
    }
    Ok(())
}

fn applies(st: &Statement, req: &Request<'_>) -> bool {
    // Actions are case-insensitive and take no policy variables; resources are
    // case-sensitive and do.
    let action = st
        .action
        .iter()
        .any(|p| matches_pattern(p, req.action, None, true));
    let resource = st
        .resource
        .iter()
        .any(|p| matches_pattern(p, req.resource, Some(req.context), false));
    action && resource && conditions_hold(st, req.context)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Equals,
    EqualsIgnoreCase,
    Like,
}

#[derive(Debug, Clone, Copy)]
struct Operator {
    comparison: Comparison,
    negated: bool,
    if_exists: bool,
}

impl Operator {
    fn parse(name: &str) -> Option<Self> {
        let (base, if_exists) = match name.strip_suffix("IfExists") {
            Some(b) => (b, true),
            None => (name, false),
        };
        let (comparison, negated) = match base {
            "StringEquals" => (Comparison::Equals, false),
            "StringNotEquals" => (Comparison::Equals, true),
            "StringEqualsIgnoreCase" => (Comparison::EqualsIgnoreCase, false),
            "StringNotEqualsIgnoreCase" => (Comparison::EqualsIgnoreCase, true),
            "StringLike" => (Comparison::Like, false),
            "StringNotLike" => (Comparison::Like, true),
            _ => return None,
        };
        Some(Self {
            comparison,
            negated,
            if_exists,
        })
    }
}

/// All operators must hold, and within one all keys; within a key any value
/// may match (IAM's AND/AND/OR).
fn conditions_hold(st: &Statement, ctx: &Context) -> bool {
    st.condition.iter().all(|(op_name, keys)| {
        let Some(op) = Operator::parse(op_name) else {
            return false;
        };
        keys.iter().all(|(key, values)| match ctx.get(key) {
            // A missing key matches nothing: positive operators fail, negated
            // ones hold, and `IfExists` makes the test vacuous.
            None => op.if_exists || op.negated,
            Some(actual) => {
                let any = values
                    .iter()
                    .any(|v| compare(op.comparison, v, actual, ctx));
                any != op.negated
            }
        })
    })
}

fn compare(cmp: Comparison, expected: &str, actual: &str, ctx: &Context) -> bool {
    match cmp {
        Comparison::Like => matches_pattern(expected, actual, Some(ctx), false),
        Comparison::Equals => substitute(expected, ctx).is_some_and(|e| e == actual),
        Comparison::EqualsIgnoreCase => {
            substitute(expected, ctx).is_some_and(|e| e.eq_ignore_ascii_case(actual))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    One,
    Any,
}

/// Pattern pieces: literal text (from the policy or from a variable's value)
/// and the wildcards the policy itself wrote.
enum Piece<'a> {
    Text(&'a str),
    Value(String),
}

/// Splits `s` at `${...}` variables; `None` if a variable has no value (IAM:
/// such a pattern matches nothing). Without a context `${` is plain text.
fn pieces<'a>(s: &'a str, ctx: Option<&Context>) -> Option<Vec<Piece<'a>>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("${").filter(|_| ctx.is_some()) {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(Piece::Text(&rest[..start]));
        let name = rest[start + 2..start + len].trim();
        let value = match name {
            "*" | "?" | "$" => name.to_string(),
            _ => ctx?.get(name)?.to_string(),
        };
        out.push(Piece::Value(value));
        rest = &rest[start + len + 1..];
    }
    out.push(Piece::Text(rest));
    Some(out)
}

/// Replaces policy variables (for the `StringEquals` family: no wildcards).
fn substitute(s: &str, ctx: &Context) -> Option<String> {
    Some(
        pieces(s, Some(ctx))?
            .into_iter()
            .map(|p| match p {
                Piece::Text(t) => t.to_string(),
                Piece::Value(v) => v,
            })
            .collect(),
    )
}

fn compile(pattern: &str, ctx: Option<&Context>) -> Option<Vec<Tok>> {
    let mut toks = Vec::with_capacity(pattern.len());
    for piece in pieces(pattern, ctx)? {
        match piece {
            Piece::Text(t) => toks.extend(t.chars().map(|c| match c {
                '*' => Tok::Any,
                '?' => Tok::One,
                c => Tok::Lit(c),
            })),
            // A variable's value is literal even if it contains * or ?.
            Piece::Value(v) => toks.extend(v.chars().map(Tok::Lit)),
        }
    }
    Some(toks)
}

fn matches_pattern(pattern: &str, text: &str, ctx: Option<&Context>, ignore_case: bool) -> bool {
    compile(pattern, ctx).is_some_and(|p| glob(&p, text, ignore_case))
}

/// Wildcard match with single-star backtracking: linear in practice.
fn glob(p: &[Tok], text: &str, ignore_case: bool) -> bool {
    let t: Vec<char> = text.chars().collect();
    let same = |a: char, b: char| {
        if ignore_case {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(Tok::Any) => {
                star = Some((pi, ti));
                pi += 1;
                continue;
            }
            Some(Tok::One) => {
                pi += 1;
                ti += 1;
                continue;
            }
            Some(Tok::Lit(c)) if same(*c, t[ti]) => {
                pi += 1;
                ti += 1;
                continue;
            }
            _ => {}
        }
        match star {
            // Let the last star swallow one more character and retry.
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    p[pi.min(p.len())..].iter().all(|t| *t == Tok::Any)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "cognito-identity.amazonaws.com:sub";

    fn statements(json: &str) -> Vec<Statement> {
        let st: Vec<Statement> = serde_json::from_str(json).expect("policy parses");
        validate(&st).expect("policy is valid");
        st
    }

    fn decide(st: &[Statement], action: &str, resource: &str, ctx: &Context) -> Decision {
        evaluate(
            st,
            &Request {
                action,
                resource,
                context: ctx,
            },
        )
    }

    #[test]
    fn wildcards() {
        let g = |p: &str, t: &str| matches_pattern(p, t, None, false);
        assert!(g("a*c", "abbbc"));
        assert!(g("a*c", "ac"));
        assert!(g("a?c", "abc"));
        assert!(!g("a?c", "ac"));
        assert!(g("*", ""));
        assert!(g("arn:*:s3:::b/*", "arn:aws:s3:::b/x/y"));
        assert!(!g("arn:aws:s3:::b/*", "arn:aws:s3:::bb/x"));
        assert!(g("*a*b*", "xxaxxbxx"));
        assert!(!g("*a*b", "xxaxxbxx"));
        assert!(!g("abc", "ABC"));
        assert!(matches_pattern("s3:get*", "s3:GetObject", None, true));
    }

    #[test]
    fn default_deny_allow_and_explicit_deny_wins() {
        let st = statements(
            r#"[
              {"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*"},
              {"Effect":"Deny","Action":["s3:DeleteObject"],"Resource":["arn:aws:s3:::b/keep/*"]}
            ]"#,
        );
        let ctx = Context::new();
        assert_eq!(
            decide(&st, "s3:GetObject", "arn:aws:s3:::b/x", &ctx),
            Decision::Allow
        );
        assert_eq!(
            decide(&st, "S3:getobject", "arn:aws:s3:::b/x", &ctx),
            Decision::Allow
        );
        assert_eq!(
            decide(&st, "s3:DeleteObject", "arn:aws:s3:::b/keep/x", &ctx),
            Decision::ExplicitDeny
        );
        assert_eq!(
            decide(&st, "s3:GetObject", "arn:aws:s3:::other/x", &ctx),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decide(&[], "s3:GetObject", "arn:aws:s3:::b/x", &ctx),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn policy_variables_are_substituted_literally() {
        let st = statements(
            r#"[{"Effect":"Allow","Action":"s3:GetObject",
                 "Resource":"arn:aws:s3:::b/p/${cognito-identity.amazonaws.com:sub}/*"}]"#,
        );
        let me = Context::new().with(SUB, "us-east-1:aaaa");
        assert!(decide(
            &st,
            "s3:GetObject",
            "arn:aws:s3:::b/p/us-east-1:aaaa/f",
            &me
        )
        .allowed());
        assert!(!decide(
            &st,
            "s3:GetObject",
            "arn:aws:s3:::b/p/us-east-1:bbbb/f",
            &me
        )
        .allowed());
        // No value for the variable: the statement matches nothing.
        assert!(!decide(
            &st,
            "s3:GetObject",
            "arn:aws:s3:::b/p/us-east-1:aaaa/f",
            &Context::new()
        )
        .allowed());
        // A value with wildcard characters does not widen the grant.
        let star = Context::new().with(SUB, "*");
        assert!(!decide(&st, "s3:GetObject", "arn:aws:s3:::b/p/anyone/f", &star).allowed());
        assert!(decide(&st, "s3:GetObject", "arn:aws:s3:::b/p/*/f", &star).allowed());
        // ${*} is a literal star.
        let lit = statements(r#"[{"Effect":"Allow","Action":"a:b","Resource":"x${*}y"}]"#);
        assert!(decide(&lit, "a:b", "x*y", &me).allowed());
        assert!(!decide(&lit, "a:b", "xzy", &me).allowed());
    }

    #[test]
    fn s3_prefix_condition() {
        let st = statements(
            r#"[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b",
                 "Condition":{"StringLike":{"s3:prefix":[
                    "p/${cognito-identity.amazonaws.com:sub}/*","p/${cognito-identity.amazonaws.com:sub}/"]}}}]"#,
        );
        let base = Context::new().with(SUB, "us-east-1:aaaa");
        let list = |prefix: Option<&str>| {
            let ctx = match prefix {
                Some(p) => base.clone().with("s3:prefix", p),
                None => base.clone(),
            };
            decide(&st, "s3:ListBucket", "arn:aws:s3:::b", &ctx)
        };
        assert!(list(Some("p/us-east-1:aaaa/")).allowed());
        assert!(list(Some("p/us-east-1:aaaa/docs/")).allowed());
        assert!(!list(Some("p/us-east-1:bbbb/")).allowed());
        assert!(!list(Some("p/")).allowed());
        assert!(!list(Some("")).allowed());
        // Missing prefix is not "any prefix".
        assert!(!list(None).allowed());
    }

    #[test]
    fn negated_and_if_exists_operators() {
        let st = statements(
            r#"[{"Effect":"Allow","Action":"a:b","Resource":"*",
                 "Condition":{"StringNotEquals":{"k":"no"},"StringEqualsIfExists":{"m":"${cognito-identity.amazonaws.com:sub}"},
                              "StringEqualsIgnoreCase":{"c":"YES"}}}]"#,
        );
        let ok = Context::new().with("c", "yes").with(SUB, "me");
        assert!(decide(&st, "a:b", "r", &ok).allowed());
        assert!(decide(&st, "a:b", "r", &ok.clone().with("m", "me")).allowed());
        assert!(!decide(&st, "a:b", "r", &ok.clone().with("m", "you")).allowed());
        assert!(!decide(&st, "a:b", "r", &ok.clone().with("k", "no")).allowed());
        assert!(decide(&st, "a:b", "r", &ok.clone().with("K", "yes")).allowed());
        assert!(!decide(&st, "a:b", "r", &Context::new()).allowed());
    }

    #[test]
    fn refuses_what_it_cannot_evaluate() {
        let unknown_field: Result<Vec<Statement>, _> =
            serde_json::from_str(r#"[{"Effect":"Allow","NotAction":"a:b","Resource":"*"}]"#);
        assert!(unknown_field.is_err());
        let st: Vec<Statement> = serde_json::from_str(
            r#"[{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"1.2.3.4"}}}]"#,
        )
        .unwrap();
        assert!(validate(&st).unwrap_err().contains("IpAddress"));
        let empty: Vec<Statement> =
            serde_json::from_str(r#"[{"Effect":"Allow","Action":[],"Resource":"*"}]"#).unwrap();
        assert!(validate(&empty).is_err());
    }
}
