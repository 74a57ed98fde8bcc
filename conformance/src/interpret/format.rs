//! Format templates: `{}`, `{:?}`, `{:#?}` and the width, alignment, fill,
//! zero-padding and precision forms the checker accepts. The padding,
//! rounding and truncation are done by Rust's own `format!` on the native
//! value, so they are exactly what the compiled program prints.

use super::debug::Shown;
use super::machine::MAX_TEXT_BYTES;
use super::value::Value;
use parseltongue_core::ir::Program;
use std::fmt::{self, Display, Write};

/// How a placeholder shows its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Display,
    Debug,
    PrettyDebug,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Align {
    Left,
    Center,
    Right,
}

/// A placeholder's spec, as Rust's format grammar reads it:
/// `[[fill]align]['0'][width]['.' precision]`.
#[derive(Clone, Copy, Debug)]
struct Spec {
    kind: Kind,
    fill: char,
    align: Option<Align>,
    zero: bool,
    width: usize,
    precision: Option<usize>,
}

enum Piece {
    Text(String),
    Hole(Spec),
}

/// The text `template` formats `values` to, or why it cannot be formatted
/// (a template the checker would have rejected, too few values, or a text
/// too large to build).
pub(crate) fn render(
    program: &Program,
    template: &str,
    values: &[Value],
) -> Result<String, String> {
    let pieces = parse(template)?;
    let mut out = Bounded(String::new());
    let mut values = values.iter();
    let too_large = || format!("a text over {MAX_TEXT_BYTES} bytes");
    for piece in pieces {
        let written = match piece {
            Piece::Text(text) => out.write_str(&text),
            Piece::Hole(spec) => {
                let value = values
                    .next()
                    .ok_or_else(|| format!("too few values for {template:?}"))?;
                match spec.kind {
                    // Written piece by piece: a value built of shared parts
                    // can be far larger printed than in memory.
                    Kind::Debug => write!(out, "{:?}", Shown::new(value, program)),
                    Kind::PrettyDebug => write!(out, "{:#?}", Shown::new(value, program)),
                    Kind::Display => out.write_str(&display_value(program, value, &spec)),
                }
            }
        };
        written.map_err(|_| too_large())?;
    }
    Ok(out.0)
}

/// A string that refuses to grow past [`MAX_TEXT_BYTES`].
struct Bounded(String);

impl fmt::Write for Bounded {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.0.len() + s.len() > MAX_TEXT_BYTES {
            return Err(fmt::Error);
        }
        self.0.push_str(s);
        Ok(())
    }
}

fn parse(template: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut inside = String::new();
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == '}' {
                        closed = true;
                        break;
                    }
                    inside.push(c);
                }
                if !closed {
                    return Err(format!("unclosed placeholder in {template:?}"));
                }
                let spec = match inside.strip_prefix(':') {
                    Some(spec) => parse_spec(spec),
                    None if inside.is_empty() => parse_spec(""),
                    None => None,
                }
                .ok_or_else(|| format!("unsupported placeholder `{{{inside}}}`"))?;
                pieces.push(Piece::Text(std::mem::take(&mut text)));
                pieces.push(Piece::Hole(spec));
            }
            '}' => return Err(format!("unmatched `}}` in {template:?}")),
            other => text.push(other),
        }
    }
    pieces.push(Piece::Text(text));
    Ok(pieces)
}

fn align_of(c: char) -> Option<Align> {
    match c {
        '<' => Some(Align::Left),
        '^' => Some(Align::Center),
        '>' => Some(Align::Right),
        _ => None,
    }
}

fn parse_spec(spec: &str) -> Option<Spec> {
    let mut out = Spec {
        kind: Kind::Display,
        fill: ' ',
        align: None,
        zero: false,
        width: 0,
        precision: None,
    };
    match spec {
        "?" => {
            out.kind = Kind::Debug;
            return Some(out);
        }
        "#?" => {
            out.kind = Kind::PrettyDebug;
            return Some(out);
        }
        _ => {}
    }
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    // As in Rust, a character followed by an alignment is the fill.
    if let Some(align) = chars.get(1).and_then(|c| align_of(*c)) {
        out.fill = chars[0];
        out.align = Some(align);
        i = 2;
    } else if let Some(align) = chars.first().and_then(|c| align_of(*c)) {
        out.align = Some(align);
        i = 1;
    }
    if chars.get(i) == Some(&'0') {
        out.zero = true;
        i += 1;
    }
    let digits = |i: &mut usize| -> Option<usize> {
        let start = *i;
        while chars.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
        let text: String = chars[start..*i].iter().collect();
        if text.is_empty() {
            Some(0)
        } else {
            // rustc takes widths and precisions up to `u16::MAX` only.
            text.parse::<u16>().ok().map(usize::from)
        }
    };
    out.width = digits(&mut i)?;
    if chars.get(i) == Some(&'.') {
        i += 1;
        if !chars.get(i).is_some_and(char::is_ascii_digit) {
            return None;
        }
        out.precision = Some(digits(&mut i)?);
    }
    (i == chars.len()).then_some(out)
}

fn display_value(program: &Program, value: &Value, spec: &Spec) -> String {
    match value {
        Value::Int(n) => display(n, spec, true),
        Value::Float(x) => display(x, spec, true),
        Value::Bool(b) => display(b, spec, false),
        Value::Str(s) => display(&**s, spec, false),
        // The checker allows `{}` on the four types above only.
        other => format!("{:?}", Shown::new(other, program)),
    }
}

/// Display with a spec. A fill other than a space cannot be passed to
/// `format!` at run time; Rust pads by counting characters, which is
/// redone by hand for that case only.
fn display<T: Display + ?Sized>(v: &T, spec: &Spec, numeric: bool) -> String {
    if spec.fill == ' ' || (numeric && spec.zero) {
        // Zero padding of a number ignores fill and alignment.
        return padded(v, spec);
    }
    let content = match spec.precision {
        Some(p) => format!("{v:.p$}"),
        None => format!("{v}"),
    };
    let length = content.chars().count();
    if length >= spec.width {
        return content;
    }
    let padding = spec.width - length;
    let align = spec
        .align
        .unwrap_or(if numeric { Align::Right } else { Align::Left });
    let (before, after) = match align {
        Align::Left => (0, padding),
        Align::Right => (padding, 0),
        Align::Center => (padding / 2, padding.div_ceil(2)),
    };
    let fill = |n: usize| std::iter::repeat_n(spec.fill, n).collect::<String>();
    format!("{}{content}{}", fill(before), fill(after))
}

fn padded<T: Display + ?Sized>(v: &T, spec: &Spec) -> String {
    let w = spec.width;
    match (spec.align, spec.zero, spec.precision) {
        (None, false, None) => format!("{v:w$}"),
        (None, false, Some(p)) => format!("{v:w$.p$}"),
        (None, true, None) => format!("{v:0w$}"),
        (None, true, Some(p)) => format!("{v:0w$.p$}"),
        (Some(Align::Left), false, None) => format!("{v:<w$}"),
        (Some(Align::Left), false, Some(p)) => format!("{v:<w$.p$}"),
        (Some(Align::Left), true, None) => format!("{v:<0w$}"),
        (Some(Align::Left), true, Some(p)) => format!("{v:<0w$.p$}"),
        (Some(Align::Center), false, None) => format!("{v:^w$}"),
        (Some(Align::Center), false, Some(p)) => format!("{v:^w$.p$}"),
        (Some(Align::Center), true, None) => format!("{v:^0w$}"),
        (Some(Align::Center), true, Some(p)) => format!("{v:^0w$.p$}"),
        (Some(Align::Right), false, None) => format!("{v:>w$}"),
        (Some(Align::Right), false, Some(p)) => format!("{v:>w$.p$}"),
        (Some(Align::Right), true, None) => format!("{v:>0w$}"),
        (Some(Align::Right), true, Some(p)) => format!("{v:>0w$.p$}"),
    }
}
