//! A serde `Deserializer` over values a caller passed from JavaScript, safe for any value.
//!
//! serde-wasm-bindgen's own deserializer reads properties and formats unexpected values through
//! imports that do not catch, so a throwing getter, a Proxy trap or a revoked Proxy would unwind
//! through WebAssembly frames (issue 11: a leaked stack each time, and after ~1,200 a broken
//! instance). This one reads only through `read.js`, whose functions answer with data and never
//! throw, and it names the field of every failure (`to[3]`, `credentials.accessKeyId`). The
//! shapes it fills are the core's (`crate::options`): declared once, with their TypeScript
//! checked against them.
//!
//! Arrays of strings cross in one piece (`readStringList`: the items joined, with their UTF-16
//! lengths), and an array longer than its limit is refused from its `length` alone. A campaign's
//! lists stay joined (`Reading::with_joined_lists`): one buffer and its ends instead of a
//! `String` per recipient (issue 12).

use std::cell::RefCell;
use std::fmt;

use js_sys::{Array, Uint32Array, Uint8Array};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Unexpected, Visitor};
use wasm_bindgen::prelude::*;

use crate::ledger::TextColumn;
use crate::segment::{self, MessageProblem};

#[wasm_bindgen(module = "/src/wasm/read.js")]
extern "C" {
    #[wasm_bindgen(js_name = kindOf)]
    fn kind_of(value: &JsValue) -> String;
    #[wasm_bindgen(js_name = dateMillis)]
    fn date_millis(value: &JsValue) -> f64;
    #[wasm_bindgen(js_name = readProperty)]
    fn read_property(object: &JsValue, key: &str) -> Array;
    #[wasm_bindgen(js_name = readStringList)]
    fn read_string_list(value: &JsValue, limit: u32, keep: bool) -> Array;
    #[wasm_bindgen(js_name = readStringRecord)]
    fn read_string_record(value: &JsValue, limit: u32) -> Array;
    #[wasm_bindgen(js_name = utf16Units)]
    fn utf16_units(text: &JsValue) -> Vec<u16>;
    /// `Promise.resolve(value)` that cannot throw, rejecting with a marker after `ms`.
    #[wasm_bindgen(js_name = settleWithin)]
    fn settle_within(value: &JsValue, ms: u32) -> js_sys::Promise;
    #[wasm_bindgen(js_name = isTimedOut)]
    fn is_timed_out(value: &JsValue) -> bool;
    /// Calls a callback whose answer does not matter; nothing it does can escape.
    pub fn notify(callback: &JsValue, value: &JsValue);
    #[wasm_bindgen(js_name = callSafely)]
    fn call_safely(function: &JsValue, this: &JsValue, args: &Array) -> Array;
}

/// Why waiting for what a caller's function returned ended without a value.
pub enum Unsettled {
    /// It rejected with this value.
    Rejected(JsValue),
    /// It did not settle within the time allowed.
    TimedOut,
}

/// Waits for a caller's value (a promise, a thenable or a plain value) for at most `ms`.
pub async fn settled(value: &JsValue, ms: u32) -> Result<JsValue, Unsettled> {
    wasm_bindgen_futures::JsFuture::from(settle_within(value, ms))
        .await
        .map_err(|reason| {
            if is_timed_out(&reason) {
                Unsettled::TimedOut
            } else {
                Unsettled::Rejected(reason)
            }
        })
}

/// Calls a caller's function: `Err` with what it threw.
pub fn call(function: &JsValue, this: &JsValue, args: &Array) -> Result<JsValue, JsValue> {
    let answer = call_safely(function, this, args);
    if answer.get(0).as_bool() == Some(true) {
        Ok(answer.get(1))
    } else {
        Err(answer.get(1))
    }
}

/// Whether a thrown value is one of this package's errors (any copy of it): an object named
/// `SmsError` whose `code` is one of ours.
pub fn is_sms_error(value: &JsValue) -> bool {
    if kind_of(value) != "object" {
        return false;
    }
    let text = |key| property(value, key).ok().and_then(|v| v.as_string());
    text("name").as_deref() == Some("SmsError")
        && text("code").is_some_and(|code| crate::error::ErrorCode::parse(&code).is_some())
}

/// Why a caller's value could not be read into its shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The option at fault: `to`, `to[3]`, `credentials.accessKeyId`; empty until known.
    pub field: String,
    /// What is wrong with it, for people. Never quotes the value (it may be a secret).
    pub message: String,
    /// For an array longer than its limit: its `length` and the limit.
    pub too_many: Option<(usize, u32)>,
    /// `field` names a member of the object being read (a missing field, which serde reports
    /// without knowing where the object sits): `at` puts the object's path before it.
    relative: bool,
}

impl InputError {
    fn new(field: &str, message: impl Into<String>) -> InputError {
        InputError {
            field: field.to_string(),
            message: message.into(),
            too_many: None,
            relative: false,
        }
    }

    /// Names the field, unless a deeper one already did.
    fn at(mut self, field: &str) -> InputError {
        if self.field.is_empty() {
            self.field = field.to_string();
        } else if self.relative {
            self.field = child(field, &self.field);
        }
        self.relative = false;
        self
    }

    /// `at` for the options object itself (read with the field `""`): a missing member is named
    /// alone (`to`, as every other check of an option names it, not `options.to`); an error
    /// about the object as a whole names `options`.
    fn at_options(mut self) -> InputError {
        if self.relative {
            self.relative = false;
            self
        } else {
            self.at("options")
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.message)
    }
}

impl std::error::Error for InputError {}

impl de::Error for InputError {
    fn custom<T: fmt::Display>(message: T) -> InputError {
        InputError::new("", message.to_string())
    }

    // The unexpected value is left out on purpose: it may be a secret.
    fn invalid_type(_: Unexpected<'_>, expected: &dyn de::Expected) -> InputError {
        InputError::new("", format!("must be {}", plain(&expected.to_string())))
    }

    fn invalid_value(_: Unexpected<'_>, expected: &dyn de::Expected) -> InputError {
        InputError::new("", format!("must be {}", plain(&expected.to_string())))
    }

    // The value is left out here too.
    fn unknown_variant(_: &str, expected: &'static [&'static str]) -> InputError {
        InputError::new("", format!("must be one of {}", expected.join(", ")))
    }

    fn missing_field(field: &'static str) -> InputError {
        InputError {
            relative: true,
            ..InputError::new(field, "is required")
        }
    }
}

/// serde's names for what a visitor expects, as people say them.
fn plain(expected: &str) -> &str {
    match expected {
        "f64" | "f32" | "u32" | "u64" | "usize" | "i64" => "a number",
        // serde names a struct by its Rust type (`struct DeliveryEvidence`): not the caller's word.
        other if other.starts_with("struct ") => "an object",
        other => other,
    }
}

const UNREADABLE: &str = "could not be read (a getter or Proxy threw)";

/// A list of strings read whole and kept joined.
#[derive(Debug)]
pub struct JoinedList {
    /// The strings as UTF-8, end to end (each holding a lone surrogate has U+FFFD in its place).
    pub texts: TextColumn,
    /// The JavaScript array of the strings as read (a copy of the caller's array).
    pub items: JsValue,
}

/// What one read collects besides the shape.
#[derive(Debug, Default)]
pub struct Reading {
    /// Whether lists of strings are kept joined in `joined` (and read as empty by the shape).
    join_lists: bool,
    joined: RefCell<Vec<(String, JoinedList)>>,
    /// Strings that held a lone surrogate, as (field, index within its array): a Rust string
    /// cannot hold one, so it arrives as U+FFFD and its exact problem is kept here.
    broken: RefCell<Vec<(String, Option<usize>, MessageProblem)>>,
    /// The longest array any field may have.
    list_limit: u32,
    /// Whether a `Date` reads as its milliseconds (`signRequest`'s `timestamp`).
    dates_as_millis: bool,
    /// Whether arrays are lists of objects (`recordReports`' reports), read item by item. In
    /// every other reading a list is of strings, read once and whole (`readStringList`).
    object_lists: bool,
}

impl Reading {
    pub fn new(list_limit: u32) -> Reading {
        Reading {
            list_limit,
            ..Reading::default()
        }
    }

    pub fn with_dates(mut self) -> Reading {
        self.dates_as_millis = true;
        self
    }

    /// Arrays are lists of objects, each item read once (`Elements`).
    pub fn with_object_lists(mut self) -> Reading {
        self.object_lists = true;
        self
    }

    /// Lists of strings are kept joined, for `take_joined`; the shape sees them empty.
    pub fn with_joined_lists(mut self) -> Reading {
        self.join_lists = true;
        self
    }

    /// The list read at `field` by a reading `with_joined_lists`.
    pub fn take_joined(&self, field: &str) -> Option<JoinedList> {
        let mut joined = self.joined.borrow_mut();
        let at = joined.iter().position(|(f, _)| f == field)?;
        Some(joined.swap_remove(at).1)
    }

    /// Reads `value` as `T`; `field` names it in errors (`""`: the options object itself).
    pub fn read<T: DeserializeOwned>(&self, value: &JsValue, field: &str) -> Result<T, InputError> {
        T::deserialize(Value {
            value: value.clone(),
            path: field.to_string(),
            reading: self,
        })
        .map_err(|e| if field.is_empty() { e.at_options() } else { e.at(field) })
    }

    /// The texts of `field` that held a lone surrogate: `None` for a single text.
    pub fn broken_texts(&self, field: &str) -> Vec<(Option<usize>, MessageProblem)> {
        self.broken
            .borrow()
            .iter()
            .filter(|(f, _, _)| f == field)
            .map(|(_, index, problem)| (*index, problem.clone()))
            .collect()
    }

    fn note_broken(&self, field: &str, index: Option<usize>, text: &JsValue) {
        let units = utf16_units(text);
        if let Err(problem) = segment::text_from_utf16(&units) {
            self.broken
                .borrow_mut()
                .push((field.to_string(), index, problem));
        }
    }
}

/// A property of a caller's object, read without letting it throw: `Err` when reading threw.
pub fn property(object: &JsValue, key: &str) -> Result<JsValue, ()> {
    let answer = read_property(object, key);
    if answer.get(0).as_bool() == Some(true) {
        Ok(answer.get(1))
    } else {
        Err(())
    }
}

/// The kind of a caller's value: `kindOf` in read.js.
pub fn kind(value: &JsValue) -> String {
    kind_of(value)
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// One caller value and where it sits.
struct Value<'r> {
    value: JsValue,
    path: String,
    reading: &'r Reading,
}

impl<'r> Value<'r> {
    fn string(&self) -> String {
        let text = self.value.as_string().unwrap_or_default();
        // wasm-bindgen hands a lone surrogate over as U+FFFD: look closer only then.
        if text.contains('\u{FFFD}') {
            self.reading.note_broken(&self.path, None, &self.value);
        }
        text
    }

    fn strings<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, InputError> {
        let keep = self.reading.join_lists;
        let answer = read_string_list(&self.value, self.reading.list_limit, keep);
        let number = |at: u32| answer.get(at).as_f64().unwrap_or(0.0) as usize;
        let status = answer.get(0).as_f64().unwrap_or(4.0) as u32;
        match status {
            0 => {}
            1 => {
                return Err(InputError::new(&self.path, format!("must be {}", Expecting(&visitor))))
            }
            2 => {
                let mut error = InputError::new(
                    &self.path,
                    format!("has more items than the {} allowed", self.reading.list_limit),
                );
                error.too_many = Some((number(1), self.reading.list_limit));
                return Err(error);
            }
            // A list of objects (`recordReports`' reports) is read item by item. A list of
            // strings with an item that is not one fails here, naming it, and is never read a
            // second time: a getter or Proxy that answered a string then would have its text
            // taken without the lone-surrogate check (`note_broken` knows only the whole list's
            // items), and a text that check refuses would be sent with U+FFFD in its place.
            3 if self.reading.object_lists => return self.elements(visitor),
            3 => {
                let field = format!("{}[{}]", self.path, number(1));
                return Err(InputError::new(&field, "must be a string"));
            }
            _ => {
                let at = answer.get(1).as_f64().unwrap_or(-1.0);
                let field = if at >= 0.0 {
                    format!("{}[{}]", self.path, at as usize)
                } else {
                    self.path.clone()
                };
                return Err(InputError::new(&field, UNREADABLE));
            }
        }
        if self.reading.object_lists && Uint32Array::from(answer.get(2)).length() > 0 {
            // Every item a string: the first is not an object.
            let field = format!("{}[0]", self.path);
            return Err(InputError::new(&field, "must be an object, not a string"));
        }
        let bytes = Uint8Array::from(answer.get(1)).to_vec();
        // TextEncoder's output is UTF-8 by definition; an error here would mean a broken host.
        let joined = String::from_utf8(bytes).unwrap_or_default();
        let lengths = Uint32Array::from(answer.get(2)).to_vec();
        // The items holding a lone surrogate, as read (never the caller's array again: its
        // getters or iterator could throw, the boundary fuzzer's case 500679 of seed 13), only to
        // name each one's exact problem.
        let broken: Array = answer.get(3).unchecked_into();
        let broken_texts: Array = answer.get(5).unchecked_into();
        for (n, index) in broken.iter().enumerate() {
            let i = index.as_f64().unwrap_or(0.0) as usize;
            self.reading
                .note_broken(&self.path, Some(i), &broken_texts.get(n as u32));
        }
        if keep {
            let texts = byte_ends(&joined, lengths)
                .and_then(|ends| TextColumn::from_joined(joined, ends))
                // TextEncoder's bytes and the items' lengths always agree, unless the host is broken.
                .ok_or_else(|| InputError::new(&self.path, UNREADABLE))?;
            let list = JoinedList {
                texts,
                items: answer.get(4),
            };
            self.reading
                .joined
                .borrow_mut()
                .push((self.path.clone(), list));
            return visitor
                .visit_seq(Split::new("", Vec::new(), &self.path))
                .map_err(|e| e.at(&self.path));
        }
        visitor
            .visit_seq(Split::new(&joined, lengths, &self.path))
            .map_err(|e| e.at(&self.path))
    }
}

/// The UTF-16 lengths of joined items turned, in place, into the byte offsets where each ends:
/// `Split`'s cuts, kept instead of copied out as strings.
fn byte_ends(joined: &str, mut units: Vec<u32>) -> Option<Vec<u32>> {
    if joined.is_ascii() {
        let mut end = 0u32;
        for length in units.iter_mut() {
            end = end.checked_add(*length)?;
            *length = end;
        }
        return Some(units);
    }
    let mut chars = joined.chars();
    let mut at = 0usize;
    for length in units.iter_mut() {
        let mut seen = 0usize;
        while seen < *length as usize {
            let c = chars.next()?;
            seen += c.len_utf16();
            at += c.len_utf8();
        }
        *length = u32::try_from(at).ok()?;
    }
    Some(units)
}

struct Expecting<'v, V>(&'v V);

impl<'de, V: Visitor<'de>> fmt::Display for Expecting<'_, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }
}

/// The items of a joined string list, cut at their UTF-16 lengths.
struct Split<'j> {
    rest: &'j str,
    lengths: std::vec::IntoIter<u32>,
    ascii: bool,
    /// The list's path and the next item's index: an item the shape does not take (a string
    /// where `recordReports` takes evidence, an object) is named itself, `reports[0]`.
    path: String,
    next: usize,
}

impl<'j> Split<'j> {
    fn new(joined: &'j str, lengths: Vec<u32>, path: &str) -> Split<'j> {
        Split {
            rest: joined,
            ascii: joined.is_ascii(),
            lengths: lengths.into_iter(),
            path: path.to_string(),
            next: 0,
        }
    }

    fn next_item(&mut self) -> Option<&'j str> {
        let units = self.lengths.next()? as usize;
        let cut = if self.ascii {
            units.min(self.rest.len())
        } else {
            let mut seen = 0;
            let mut cut = self.rest.len();
            for (at, c) in self.rest.char_indices() {
                if seen >= units {
                    cut = at;
                    break;
                }
                seen += c.len_utf16();
            }
            cut
        };
        let (item, rest) = self.rest.split_at_checked(cut)?;
        self.rest = rest;
        Some(item)
    }
}

impl<'de> de::SeqAccess<'de> for Split<'_> {
    type Error = InputError;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, InputError> {
        match self.next_item() {
            None => Ok(None),
            Some(item) => {
                let index = self.next;
                self.next += 1;
                seed.deserialize(item.into_deserializer())
                    .map(Some)
                    .map_err(|e: InputError| e.at(&format!("{}[{index}]", self.path)))
            }
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.lengths.len())
    }
}

/// The named fields of a caller's object, each read once, absent ones skipped.
struct Fields<'r> {
    object: JsValue,
    path: String,
    names: std::slice::Iter<'static, &'static str>,
    pending: Option<(&'static str, JsValue)>,
    reading: &'r Reading,
}

impl<'de> de::MapAccess<'de> for Fields<'_> {
    type Error = InputError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, InputError> {
        for &name in self.names.by_ref() {
            let value = property(&self.object, name)
                .map_err(|()| InputError::new(&child(&self.path, name), UNREADABLE))?;
            if value.is_undefined() {
                continue;
            }
            self.pending = Some((name, value));
            return seed.deserialize(name.into_deserializer()).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, InputError> {
        let (name, value) = self
            .pending
            .take()
            .ok_or_else(|| InputError::new(&self.path, "could not be read"))?;
        let path = child(&self.path, name);
        seed.deserialize(Value {
            value,
            path: path.clone(),
            reading: self.reading,
        })
        .map_err(|e| e.at(&path))
    }
}

/// The items of a list of objects, read one by one (its length already checked against the
/// limit), each item once.
struct Elements<'r> {
    array: JsValue,
    path: String,
    next: u32,
    length: u32,
    reading: &'r Reading,
}

impl<'de> de::SeqAccess<'de> for Elements<'_> {
    type Error = InputError;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, InputError> {
        if self.next >= self.length {
            return Ok(None);
        }
        let path = format!("{}[{}]", self.path, self.next);
        let value = property(&self.array, &self.next.to_string()).map_err(|()| InputError::new(&path, UNREADABLE))?;
        self.next += 1;
        // Only objects (and numbers: `resultsCsv`' lines): a list of strings never comes this
        // way (`Value::strings`), not even through a getter that answers a string the second
        // time it is read.
        match kind_of(&value).as_str() {
            "object" | "number" => {}
            "unreadable" => return Err(InputError::new(&path, UNREADABLE)),
            other => return Err(InputError::new(&path, format!("must be an object, not {}", article(other)))),
        }
        seed.deserialize(Value {
            value,
            path: path.clone(),
            reading: self.reading,
        })
        .map(Some)
        .map_err(|e| e.at(&path))
    }

    fn size_hint(&self) -> Option<usize> {
        Some((self.length - self.next) as usize)
    }
}

impl<'r> Value<'r> {
    fn elements<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, InputError> {
        let length = property(&self.value, "length")
            .ok()
            .and_then(|l| l.as_f64())
            .filter(|l| l.fract() == 0.0 && *l >= 0.0 && *l <= f64::from(self.reading.list_limit))
            .ok_or_else(|| InputError::new(&self.path, UNREADABLE))? as u32;
        let path = self.path.clone();
        visitor
            .visit_seq(Elements {
                array: self.value,
                path: self.path,
                next: 0,
                length,
                reading: self.reading,
            })
            .map_err(|e| e.at(&path))
    }
}

impl Value<'_> {
    /// What `deserialize_any` does, with arrays read as lists only when `lists` (a shape that
    /// takes a string or an array); a scalar option given an array is a type error naming it.
    fn any<'de, V: Visitor<'de>>(self, visitor: V, lists: bool) -> Result<V::Value, InputError> {
        let path = self.path.clone();
        let kind = kind_of(&self.value);
        let result = match kind.as_str() {
            "undefined" | "null" => visitor.visit_unit(),
            "string" => visitor.visit_string(self.string()),
            "number" => visitor.visit_f64(self.value.as_f64().unwrap_or(f64::NAN)),
            "boolean" => visitor.visit_bool(self.value.as_bool().unwrap_or(false)),
            "date" if self.reading.dates_as_millis => visitor.visit_f64(date_millis(&self.value)),
            // Checked as a time by the core, like any other number that is not one.
            "invalid date" if self.reading.dates_as_millis => visitor.visit_f64(f64::NAN),
            "array" if lists => return self.strings(visitor),
            "unreadable" => Err(InputError::new(&path, UNREADABLE)),
            other => Err(InputError::new(
                &path,
                format!(
                    "must be {}, not {}",
                    plain(&Expecting(&visitor).to_string()),
                    article(other)
                ),
            )),
        };
        result.map_err(|e| e.at(&path))
    }
}

/// The scalar requests: like `deserialize_any`, but an array is not a list of strings here.
macro_rules! scalars {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, InputError> {
                self.any(visitor, false)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for Value<'_> {
    type Error = InputError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, InputError> {
        self.any(visitor, true)
    }

    scalars! {
        deserialize_bool deserialize_f32 deserialize_f64 deserialize_str deserialize_string
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_i32 deserialize_i64
        deserialize_char
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, InputError> {
        if self.value.is_undefined() || self.value.is_null() {
            visitor.visit_none()
        } else {
            let path = self.path.clone();
            visitor.visit_some(self).map_err(|e| e.at(&path))
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, InputError> {
        self.strings(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, InputError> {
        let kind = kind_of(&self.value);
        if kind != "object" {
            let message = if kind == "unreadable" {
                UNREADABLE.to_string()
            } else {
                format!("must be an object, not {}", article(&kind))
            };
            return Err(InputError::new(&self.path, message));
        }
        visitor.visit_map(Fields {
            object: self.value,
            path: self.path,
            names: fields.iter(),
            pending: None,
            reading: self.reading,
        })
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, InputError> {
        let answer = read_string_record(&self.value, self.reading.list_limit);
        match answer.get(0).as_f64().unwrap_or(4.0) as u32 {
            0 => {}
            1 => return Err(InputError::new(&self.path, "must be an object of strings")),
            2 => return Err(InputError::new(&self.path, "has too many properties")),
            3 => {
                let name = answer.get(1).as_string().unwrap_or_default();
                return Err(InputError::new(&child(&self.path, &name), "must be a string"));
            }
            _ => return Err(InputError::new(&self.path, UNREADABLE)),
        }
        let strings = |at: u32| -> Vec<String> {
            Array::from(&answer.get(at))
                .iter()
                .map(|v| v.as_string().unwrap_or_default())
                .collect()
        };
        let pairs = strings(1).into_iter().zip(strings(2));
        visitor.visit_map(de::value::MapDeserializer::new(pairs))
    }

    /// An enum of words (`EvidenceStatus`): a string naming a variant.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, InputError> {
        let kind = kind_of(&self.value);
        if kind != "string" {
            return Err(InputError::new(&self.path, format!("must be a string, not {}", article(&kind))));
        }
        let path = self.path.clone();
        visitor
            .visit_enum(de::IntoDeserializer::<InputError>::into_deserializer(self.string()))
            .map_err(|e| e.at(&path))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, InputError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i128 u128 bytes byte_buf unit unit_struct newtype_struct tuple tuple_struct
        identifier
    }
}

/// "a number", "an array": for "must be a string, not a number".
fn article(kind: &str) -> String {
    match kind.as_bytes().first() {
        Some(b'a' | b'e' | b'i' | b'o' | b'u') => format!("an {kind}"),
        _ => format!("a {kind}"),
    }
}
