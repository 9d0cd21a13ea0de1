//! The building blocks of the input types: [`Text`], a string whose
//! `Arbitrary` encoding is simple enough to write by hand (seeds, the
//! dictionary), [`Encode`], which writes any input back to the bytes that
//! decode to it, and [`Repro`], which prints an input as Rust source.
//!
//! Encoding of every type, exactly as `arbitrary` 1.5 (pinned) decodes it
//! through `#[derive(Arbitrary)]` and `arbitrary_take_rest`:
//!
//! | type | bytes |
//! |---|---|
//! | `Text` | its bytes, `0x00` ends it (or the end of input); `0x01 b` is the literal byte `b` |
//! | `bool` | one byte, odd is true (missing: false) |
//! | `u8`, `u16`, `u32` | little endian (missing bytes: 0) |
//! | `Option<T>` | a `bool`, then `T` when true |
//! | `Vec<T>` (not the last field) | `0x01 T` per element, then `0x00` |
//! | `(A, B)` | `A` then `B` |
//!
//! Every input type ends with a scalar field, so the last-field rule of
//! `arbitrary_take_rest` never meets a `Vec`.

use arbitrary::{Arbitrary, Unstructured};
use std::fmt;

/// A string for fuzz inputs: UTF-8 (invalid bytes decode to U+FFFD), ended
/// by a NUL byte in the input.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(pub String);

impl Text {
    /// The string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(s.to_owned())
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(s)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl<'a> Arbitrary<'a> for Text {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Text> {
        let mut bytes = Vec::new();
        while !u.is_empty() {
            match u8::arbitrary(u)? {
                0 => break,
                1 if u.is_empty() => break,
                1 => bytes.push(u8::arbitrary(u)?),
                b => bytes.push(b),
            }
        }
        Ok(Text(String::from_utf8_lossy(&bytes).into_owned()))
    }

    fn arbitrary_take_rest(mut u: Unstructured<'a>) -> arbitrary::Result<Text> {
        Text::arbitrary(&mut u)
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (0, None)
    }
}

/// Writes a value as the bytes that `arbitrary` decodes back to it.
pub trait Encode {
    /// Appends the encoding of `self`.
    fn encode(&self, out: &mut Vec<u8>);
}

impl Encode for Text {
    fn encode(&self, out: &mut Vec<u8>) {
        for &b in self.0.as_bytes() {
            if b <= 1 {
                out.push(1);
            }
            out.push(b);
        }
        out.push(0);
    }
}

impl Encode for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
}

impl Encode for u8 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
}

impl Encode for u16 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

impl Encode for u32 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.encode(out);
            }
        }
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        for item in self {
            out.push(1);
            item.encode(out);
        }
        out.push(0);
    }
}

impl<A: Encode, B: Encode> Encode for (A, B) {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
        self.1.encode(out);
    }
}

/// Prints a value as a Rust expression that builds it.
pub trait Repro {
    /// The expression.
    fn repro(&self) -> String;
}

impl Repro for Text {
    fn repro(&self) -> String {
        format!("{:?}.into()", self.0)
    }
}

macro_rules! repro_debug {
    ($($t:ty),*) => {$(
        impl Repro for $t {
            fn repro(&self) -> String {
                format!("{self:?}")
            }
        }
    )*};
}
repro_debug!(bool, u8, u16, u32);

impl<T: Repro> Repro for Option<T> {
    fn repro(&self) -> String {
        match self {
            None => "None".into(),
            Some(v) => format!("Some({})", v.repro()),
        }
    }
}

impl<T: Repro> Repro for Vec<T> {
    fn repro(&self) -> String {
        let items: Vec<String> = self.iter().map(Repro::repro).collect();
        format!("vec![{}]", items.join(", "))
    }
}

impl<A: Repro, B: Repro> Repro for (A, B) {
    fn repro(&self) -> String {
        format!("({}, {})", self.0.repro(), self.1.repro())
    }
}

/// Declares an input struct: `#[derive(Arbitrary)]`, an [`Encode`] that
/// mirrors it, and a `Debug` that prints it as a Rust struct expression,
/// ready to paste into a regression test.
#[macro_export]
macro_rules! input {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, ::arbitrary::Arbitrary)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty ),*
        }

        impl $crate::text::Encode for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                $( $crate::text::Encode::encode(&self.$field, out); )*
            }
        }

        impl $crate::text::Repro for $name {
            fn repro(&self) -> String {
                let fields: Vec<String> = vec![
                    $( format!("{}: {}", stringify!($field), $crate::text::Repro::repro(&self.$field)) ),*
                ];
                format!("{} {{ {} }}", stringify!($name), fields.join(", "))
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&$crate::text::Repro::repro(self))
            }
        }
    };
}

/// The bytes that decode to `value`.
pub fn encode<T: Encode>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.encode(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::input! {
        /// A probe of every encoding.
        pub struct Probe {
            pub a: Text,
            pub list: Vec<(Text, Text)>,
            pub maybe: Option<Text>,
            pub n: u32,
            pub flag: bool,
        }
    }

    #[test]
    fn encoding_round_trips() {
        let probe = Probe {
            a: "x\u{0}\u{1}é".into(),
            list: vec![("Host".into(), "h".into()), ("".into(), "".into())],
            maybe: Some("t".into()),
            n: 0xdead_beef,
            flag: true,
        };
        let bytes = encode(&probe);
        let back = Probe::arbitrary_take_rest(Unstructured::new(&bytes)).unwrap();
        assert_eq!(back, probe);
        assert_eq!(
            format!("{probe:?}"),
            "Probe { a: \"x\\0\\u{1}é\".into(), list: vec![(\"Host\".into(), \"h\".into()), (\"\".into(), \"\".into())], maybe: Some(\"t\".into()), n: 3735928559, flag: true }"
        );
    }
}
