//! User-pool sign-in for JS: request builders and the answer parser, so that
//! user-pool.js only has to fetch. Requests cross as in provider.rs:
//! `method\nurl\nheaderCount\nname\nvalue…\nbody`.

use super::provider::push_request;
use super::{body_text, fail, input, output, Fields};
use crate::cognito::user_pool;
use crate::error::num;
use crate::http::HttpResponse;
use alloc::string::String;

fn request(r: crate::http::HttpRequest) -> i32 {
    let mut out = String::with_capacity(256);
    push_request(&mut out, &r);
    // push_request starts every field with a line break; the first has none.
    out.remove(0);
    output(out)
}

/// Input `endpoint\nclientId\nusername\npassword`.
#[no_mangle]
pub extern "C" fn user_pool_sign_in() -> i32 {
    let (_, text) = input(0);
    let mut f = Fields::new(&text);
    // The password last: it is the one field that may hold a line break.
    let (endpoint, client_id, username) = (f.next(), f.next(), f.next());
    let password = f.rest();
    request(user_pool::sign_in(endpoint, client_id, username, password))
}

/// Input `endpoint\nclientId\nrefreshToken`.
#[no_mangle]
pub extern "C" fn user_pool_refresh() -> i32 {
    let (_, text) = input(0);
    let mut f = Fields::new(&text);
    let (endpoint, client_id, token) = (f.next(), f.next(), f.next());
    request(user_pool::refresh(endpoint, client_id, token))
}

/// Input `region`; output AWS's user-pool endpoint for it.
#[no_mangle]
pub extern "C" fn user_pool_endpoint() -> i32 {
    let (_, region) = input(0);
    output(user_pool::default_endpoint(&region))
}

/// Input: the answer's `body_len` bytes, then the secret sent (the password or
/// refresh token), which is cut out of any message. Output
/// `idToken\naccessToken\nrefreshToken\nexpiresIn` (`refreshToken` empty in
/// refresh answers), or the typed error.
#[no_mangle]
pub extern "C" fn user_pool_tokens(status: u32, body_len: usize) -> i32 {
    let (body, secret) = input(body_len);
    let response = HttpResponse {
        status: u16::try_from(status).unwrap_or(0),
        date: None,
        body: body_text(body),
    };
    match user_pool::parse_tokens(&response, &[&secret]) {
        Ok(t) => {
            let refresh = t.refresh_token.unwrap_or_default();
            output(crate::error::cat(&[
                &t.id_token,
                "\n",
                &t.access_token,
                "\n",
                &refresh,
                "\n",
                &num(u64::from(t.expires_in)),
            ]))
        }
        Err(e) => fail(e),
    }
}

/// Input: a token. Output: its header and payload as JSON text, separated by a
/// NUL (which JSON text cannot hold), for `decodeJwt` to `JSON.parse`.
#[no_mangle]
pub extern "C" fn jwt_segments() -> i32 {
    let (_, token) = input(0);
    super::result(
        crate::jwt::segments(&token)
            .map(|(header, payload)| crate::error::cat(&[&header, "\0", &payload])),
    )
}
