//! Core values to JavaScript: every shape is a serde type of the core, serialized with
//! serde-wasm-bindgen's json-compatible serializer (plain objects, `null` for `None`), and core
//! errors become `Error`s named `SmsError`.

use js_sys::Object;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::batch::Batch;
use crate::error::Error;

/// A core shape as a plain JavaScript value. Our shapes cannot fail to serialize (no integer
/// past 2^53, only string map keys), so the fallback `null` is never seen.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// A core error as a JavaScript `Error` named `SmsError`, with the fields of `ErrorReport`.
/// `batch` names the recipients concerned when the outcome is unknown.
pub fn sms_error(error: &Error, batch: Option<&Batch>) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("SmsError");
    let fields = to_js(&error.report(batch));
    if let Some(fields) = fields.dyn_ref::<Object>() {
        Object::assign(js.unchecked_ref::<Object>(), fields);
    }
    js.into()
}

/// `sms_error` for an error that no batch is attached to.
pub fn thrown(error: Error) -> JsValue {
    sms_error(&error, None)
}
