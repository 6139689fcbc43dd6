//! What crosses the JS boundary besides wasm-bindgen's own passing: the
//! crate's error as a JS `Error`, and the API's option objects read field by
//! field.
//!
//! Options are read with `Reflect`, not deserialized with serde-wasm-bindgen:
//! its `from_value` costs 17.4 KB gz of wasm for the first struct (measured on
//! this module: 53,431 -> 70,847 B), almost all of it serde's "invalid type:
//! floating point `1.5`, expected …" messages with float formatting, and its
//! messages say what was wrong in serde's words, where the API's must say what
//! to fix in the caller's. Results go out through serde-wasm-bindgen's
//! `to_value` (3.3 KB gz for all of them).

use crate::error::{Error, ErrorCode};
use js_sys::Reflect;
use wasm_bindgen::prelude::*;

/// The crate's error as a JS `Error` with `name`, `code` and, for an AWS
/// answer, `status`.
pub(crate) fn js_error(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name(e.name());
    let _ = Reflect::set(&err, &"code".into(), &e.name().into());
    if let Some(status) = e.status {
        let _ = Reflect::set(&err, &"status".into(), &status.into());
    }
    err.into()
}

pub(crate) fn config_error(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidConfig, message)
}

/// An options object (`undefined` and `null` read as `{}`).
pub(crate) struct Options<'a>(&'a JsValue);

impl<'a> Options<'a> {
    pub(crate) fn new(value: &'a JsValue) -> crate::Result<Self> {
        if value.is_object() || value.is_undefined() || value.is_null() {
            Ok(Options(value))
        } else {
            Err(config_error("options must be an object"))
        }
    }

    /// The field, `undefined` when absent (or the object is missing).
    pub(crate) fn get(&self, name: &str) -> JsValue {
        if self.0.is_object() {
            Reflect::get(self.0, &name.into()).unwrap_or(JsValue::UNDEFINED)
        } else {
            JsValue::UNDEFINED
        }
    }

    /// A string field that may be left out.
    pub(crate) fn string(&self, name: &str) -> crate::Result<Option<String>> {
        let v = self.get(name);
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        v.as_string()
            .map(Some)
            .ok_or_else(|| config_error([name, " must be a string"].concat()))
    }

    /// A non-empty string field; `what` names it in the error.
    pub(crate) fn required(&self, name: &str, what: &str) -> crate::Result<String> {
        required_string(&self.get(name), what, ErrorCode::InvalidConfig)
    }

    /// A number field that may be left out (a numeric string, as JS's
    /// `Number()` reads it, is taken too).
    pub(crate) fn number(&self, name: &str) -> crate::Result<Option<f64>> {
        let v = self.get(name);
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        number(&v)
            .map(Some)
            .ok_or_else(|| config_error([name, " must be a number"].concat()))
    }
}

/// A number, or a string holding one (read by JS's `Number()`: Rust's float
/// parser cost 20 KB of wasm before gzip for this: 238,849 -> 218,809 B).
pub(crate) fn number(value: &JsValue) -> Option<f64> {
    if value.is_string() {
        return Some(js_number(value)).filter(|n| !n.is_nan());
    }
    value.as_f64()
}

/// `value` as a non-empty string, else `code` saying `what` is required.
pub(crate) fn required_string(
    value: &JsValue,
    what: &str,
    code: ErrorCode,
) -> crate::Result<String> {
    value.as_string().filter(|s| !s.is_empty()).ok_or_else(|| {
        Error::new(
            code,
            [what, " is required and must be a non-empty string"].concat(),
        )
    })
}

#[wasm_bindgen]
extern "C" {
    /// `String(value)`, which runs the value's own toString() and may throw.
    #[wasm_bindgen(catch, js_name = String)]
    fn js_string(value: &JsValue) -> Result<js_sys::JsString, JsValue>;
    /// `Number(value)` of a string (which runs no user code).
    #[wasm_bindgen(js_name = Number)]
    fn js_number(value: &JsValue) -> f64;
    /// `Object.entries(value)`, which runs its getters (and a Proxy's traps).
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    pub(crate) fn entries(value: &JsValue) -> Result<js_sys::Array, JsValue>;
    /// `Array.isArray(value)`, which throws for a revoked Proxy.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn js_is_array(value: &JsValue) -> Result<bool, JsValue>;
    /// `Array.from(value)`, which runs its getters (and a Proxy's traps).
    #[wasm_bindgen(catch, js_namespace = Array, js_name = from)]
    fn js_array_from(value: &JsValue) -> Result<js_sys::Array, JsValue>;
}

/// A caller's array as a plain one, read once: `None` when it is no array;
/// what its getters or a Proxy's traps throw is a typed `InvalidConfig`
/// (js-sys's `Array::from` does not catch, and an exception thrown through
/// the module's async task left its promise pending).
pub(crate) fn read_array(value: &JsValue, what: &str) -> Result<Option<js_sys::Array>, JsValue> {
    let threw = |cause: JsValue| {
        let err = js_error(config_error(
            ["reading ", what, " threw an exception (see its cause)"].concat(),
        ));
        let _ = Reflect::set(&err, &"cause".into(), &cause);
        err
    };
    if !js_is_array(value).map_err(threw)? {
        return Ok(None);
    }
    js_array_from(value).map(Some).map_err(threw)
}

/// `String(value)` (a URL object's href, a URLSearchParams' query), or what it threw.
pub(crate) fn stringify(value: &JsValue) -> Result<String, JsValue> {
    js_string(value).map(String::from)
}

/// A result as a JS object, by serde-wasm-bindgen (`what` names it in the
/// error, which plain structs of strings and numbers never meet).
pub(crate) fn to_js<T: serde::Serialize>(value: &T, what: &str) -> Result<JsValue, JsValue> {
    serde_wasm_bindgen::to_value(value).map_err(|_| {
        js_error(Error::new(
            ErrorCode::Malformed,
            ["could not build ", what].concat(),
        ))
    })
}

/// A settled promise of `result` (for validation errors before any I/O, so
/// async methods always answer with a promise).
#[cfg(feature = "user-pool")]
pub(crate) fn rejected(e: Error) -> js_sys::Promise {
    js_sys::Promise::reject(&js_error(e))
}

/// A method's promise: `start` reads its arguments and starts the request;
/// what it refuses rejects the promise (methods never throw).
pub(crate) fn started(start: impl FnOnce() -> Result<js_sys::Promise, JsValue>) -> js_sys::Promise {
    start().unwrap_or_else(|e| js_sys::Promise::reject(&e))
}

/// What the async methods resolve to.
pub(crate) type Settled = Result<JsValue, JsValue>;

/// The promise of an async method. wasm-bindgen-futures' `future_to_promise`
/// is generic over the future: each async method instantiated its task and
/// waker machinery again, about 2 KB of wasm per method before gzip. Boxed
/// here as one `dyn Future` type, it is instantiated once.
pub(crate) fn promise(
    future: impl core::future::Future<Output = Settled> + 'static,
) -> js_sys::Promise {
    boxed_promise(Box::pin(future))
}

#[inline(never)]
fn boxed_promise(
    future: core::pin::Pin<Box<dyn core::future::Future<Output = Settled>>>,
) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(future)
}
