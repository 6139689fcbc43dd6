//! HTTP requests and answers as values: what the sans-IO core hands the shell
//! to send, and what the shell hands back. Shared by every protocol codec.

use alloc::string::String;
use alloc::vec::Vec;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    /// The `Date` header, if the shell could read it (for clock-skew correction).
    pub date: Option<String>,
    pub body: String,
}
