//! Calls into the caller's shared store (`pacer`, `fleet`: pkg-template/redis.js, or the
//! caller's own): each call is a catching one, bounded in time, and any failure is one thing,
//! "the store did not answer" (the core says what that means: src/fleet.rs).

use js_sys::Array;
use wasm_bindgen::JsValue;

use super::input;

/// The longest a store call may take. The Redis adapter gives up sooner (its own `timeoutMs`);
/// this bounds a store of the caller's own that never settles.
const STORE_TIMEOUT_MS: u32 = 30_000;

/// Calls `name` on `store` with `args` and waits for what it returns; `Err` when it is not a
/// function, throws, rejects or does not settle in time.
pub(super) async fn call(store: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, ()> {
    let method = input::property(store, name)?;
    if input::kind(&method) != "function" {
        return Err(());
    }
    let list = Array::new();
    for arg in args {
        list.push(arg);
    }
    let returned = input::call(&method, store, &list).map_err(|_| ())?;
    input::settled(&returned, STORE_TIMEOUT_MS).await.map_err(|_| ())
}

/// A number from a reply (NaN when it is not one: the core refuses it).
pub(super) fn number(value: &JsValue) -> f64 {
    value.as_f64().unwrap_or(f64::NAN)
}
