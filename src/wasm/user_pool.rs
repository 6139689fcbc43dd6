//! User-pool sign-in for JS: request builders and the answer parser, so that
//! index.js only has to fetch.

use crate::cognito::{user_pool, HttpResponse};
use alloc::string::String;
use js_sys::Object;
use wasm_bindgen::prelude::*;

use super::{js_error, set, set_request};

fn request_to_js(r: crate::cognito::HttpRequest) -> JsValue {
    let obj = Object::new();
    set_request(&obj, r);
    obj.into()
}

#[wasm_bindgen(js_name = userPoolSignInRequest)]
pub fn sign_in_request(endpoint: &str, client_id: &str, username: &str, password: &str) -> JsValue {
    request_to_js(user_pool::sign_in(endpoint, client_id, username, password))
}

#[wasm_bindgen(js_name = userPoolRefreshRequest)]
pub fn refresh_request(endpoint: &str, client_id: &str, refresh_token: &str) -> JsValue {
    request_to_js(user_pool::refresh(endpoint, client_id, refresh_token))
}

#[wasm_bindgen(js_name = userPoolDefaultEndpoint)]
pub fn default_endpoint(region: &str) -> String {
    user_pool::default_endpoint(region)
}

/// `{idToken, accessToken, refreshToken?, expiresIn}`, or throws the typed error.
/// `secret` (the password or refresh token sent) is cut out of any message.
#[wasm_bindgen(js_name = userPoolParseTokens)]
pub fn parse_tokens(status: u16, body: String, secret: &str) -> Result<JsValue, JsValue> {
    let tokens = user_pool::parse_tokens(&HttpResponse { status, date: None, body }, &[secret]).map_err(js_error)?;
    let obj = Object::new();
    set(&obj, "idToken", tokens.id_token.into());
    set(&obj, "accessToken", tokens.access_token.into());
    if let Some(r) = tokens.refresh_token {
        set(&obj, "refreshToken", r.into());
    }
    set(&obj, "expiresIn", JsValue::from_f64(f64::from(tokens.expires_in)));
    Ok(obj.into())
}
