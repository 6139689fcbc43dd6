//! SRP's integers (src/cognito/srp.rs `Arith`) as the platform's `BigInt`:
//! no big-integer crate in the wasm. Each operation is one JS operator
//! through js-sys; the exponentiation's loop is the core's.

use crate::cognito::srp::{hex_bytes, Arith};
use js_sys::{BigInt, JsString};
use wasm_bindgen::JsValue;

pub struct JsBigInt;

impl Arith for JsBigInt {
    type Int = BigInt;
    fn int(&self, be: &[u8]) -> BigInt {
        // "0x0…": a hex literal even of no bytes; BigInt() parses it.
        let hex = ["0x0", &crate::sigv4::sha256::hex(be)].concat();
        BigInt::new(&JsValue::from_str(&hex)).unwrap_or_default()
    }
    fn bytes(&self, v: &BigInt) -> Vec<u8> {
        let hex: String = v.to_string(16).map(JsString::into).unwrap_or_default();
        hex_bytes(hex.as_bytes()).unwrap_or_default()
    }
    fn add(&self, a: &BigInt, b: &BigInt) -> BigInt {
        a + b
    }
    fn mul(&self, a: &BigInt, b: &BigInt) -> BigInt {
        a * b
    }
    fn rem(&self, a: &BigInt, m: &BigInt) -> BigInt {
        a % m
    }
}
