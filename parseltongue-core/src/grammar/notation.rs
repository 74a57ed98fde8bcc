//! Reads the notation `parseltongue.ebnf` is written in:
//! `name = alternatives ;`, with `"text"`, `[classes]`, `( … )`, `?`, `*`,
//! `+`, `|`, `//` comments, and `WORD - KEYWORD` for a token without the
//! keywords.

use super::{CharClass, Definition, Expression, Grammar};

/// Parses a description; the error names the line and what was wrong.
pub(super) fn parse(text: &str) -> Result<Grammar, String> {
    let mut reader = Reader { text, pos: 0 };
    let mut definitions = Vec::new();
    loop {
        reader.skip_space();
        if reader.at_end() {
            break;
        }
        let name = reader.name()?;
        reader.expect("=")?;
        let body = reader.body()?;
        reader.expect(";")?;
        if definitions.iter().any(|d: &Definition| d.name == name) {
            return Err(reader.error(&format!("`{name}` is defined twice")));
        }
        definitions.push(Definition { name, body });
    }
    if definitions.is_empty() {
        return Err("no definitions".to_string());
    }
    Ok(Grammar { definitions })
}

struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl Reader<'_> {
    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn error(&self, message: &str) -> String {
        let line = self.text[..self.pos].matches('\n').count() + 1;
        format!("line {line}: {message}")
    }

    fn skip_space(&mut self) {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            if self.rest().starts_with("//") {
                let end = self.rest().find('\n').unwrap_or(self.rest().len());
                self.pos += end;
            } else {
                return;
            }
        }
    }

    fn expect(&mut self, what: &str) -> Result<(), String> {
        self.skip_space();
        if self.rest().starts_with(what) {
            self.pos += what.len();
            Ok(())
        } else {
            Err(self.error(&format!("expected `{what}`")))
        }
    }

    fn name(&mut self) -> Result<String, String> {
        self.skip_space();
        let length = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(self.rest().len());
        if length == 0 {
            return Err(self.error("expected a name"));
        }
        let name = self.rest()[..length].to_string();
        self.pos += length;
        Ok(name)
    }

    /// A definition's right-hand side: alternatives, or `TOKEN - KEYWORD`.
    fn body(&mut self) -> Result<Expression, String> {
        let start = self.pos;
        if let Ok(of) = self.name() {
            self.skip_space();
            if self.rest().starts_with('-') {
                self.pos += 1;
                let without = self.name()?;
                return Ok(Expression::Except { of, without });
            }
        }
        self.pos = start;
        self.choice()
    }

    fn choice(&mut self) -> Result<Expression, String> {
        let mut options = vec![self.sequence()?];
        loop {
            self.skip_space();
            if self.peek() == Some('|') {
                self.pos += 1;
                options.push(self.sequence()?);
            } else {
                break;
            }
        }
        Ok(if options.len() == 1 {
            options.remove(0)
        } else {
            Expression::Choice(options)
        })
    }

    fn sequence(&mut self) -> Result<Expression, String> {
        let mut parts = Vec::new();
        loop {
            self.skip_space();
            match self.peek() {
                Some('|' | ')' | ';') | None => break,
                _ => parts.push(self.repetition()?),
            }
        }
        match parts.len() {
            0 => Err(self.error("expected something to match")),
            1 => Ok(parts.remove(0)),
            _ => Ok(Expression::Sequence(parts)),
        }
    }

    fn repetition(&mut self) -> Result<Expression, String> {
        let inner = self.primary()?;
        Ok(match self.peek() {
            Some('?') => {
                self.pos += 1;
                Expression::Optional(Box::new(inner))
            }
            Some('*') => {
                self.pos += 1;
                Expression::Repeat(Box::new(inner))
            }
            Some('+') => {
                self.pos += 1;
                Expression::RepeatOne(Box::new(inner))
            }
            _ => inner,
        })
    }

    fn primary(&mut self) -> Result<Expression, String> {
        self.skip_space();
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                let inner = self.choice()?;
                self.expect(")")?;
                Ok(inner)
            }
            Some('"') => self.literal(),
            Some('[') => self.class(),
            Some(c) if c.is_ascii_alphabetic() => Ok(Expression::Reference(self.name()?)),
            _ => Err(self.error("expected a name, \"text\", [class] or (")),
        }
    }

    /// One character after a backslash.
    fn escaped(&mut self) -> Result<char, String> {
        let c = self.peek().ok_or_else(|| self.error("unfinished escape"))?;
        self.pos += c.len_utf8();
        Ok(match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '\\' | '"' | ']' | '[' | '-' | '^' | '\'' => c,
            _ => return Err(self.error(&format!("unknown escape `\\{c}`"))),
        })
    }

    fn literal(&mut self) -> Result<Expression, String> {
        self.pos += 1;
        let mut text = String::new();
        loop {
            let c = self
                .peek()
                .ok_or_else(|| self.error("unterminated \"text\""))?;
            self.pos += c.len_utf8();
            match c {
                '"' => break,
                '\\' => text.push(self.escaped()?),
                _ => text.push(c),
            }
        }
        if text.is_empty() {
            return Err(self.error("empty \"\""));
        }
        Ok(Expression::Literal(text))
    }

    fn class(&mut self) -> Result<Expression, String> {
        self.pos += 1;
        let negated = self.peek() == Some('^');
        if negated {
            self.pos += 1;
        }
        let mut ranges = Vec::new();
        loop {
            let c = self
                .peek()
                .ok_or_else(|| self.error("unterminated [class]"))?;
            self.pos += c.len_utf8();
            let low = match c {
                ']' => break,
                '\\' => self.escaped()?,
                _ => c,
            };
            let high = if self.peek() == Some('-') && !self.rest()[1..].starts_with(']') {
                self.pos += 1;
                let c = self
                    .peek()
                    .ok_or_else(|| self.error("unterminated [class]"))?;
                self.pos += c.len_utf8();
                if c == '\\' {
                    self.escaped()?
                } else {
                    c
                }
            } else {
                low
            };
            if high < low {
                return Err(self.error(&format!("empty range `{low}-{high}`")));
            }
            ranges.push((low, high));
        }
        if ranges.is_empty() {
            return Err(self.error("empty [class]"));
        }
        Ok(Expression::Class(CharClass { negated, ranges }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_form() {
        let grammar = parse(
            "a = \"x\" b? ( c | [^\"\\\\a-z] )* D+ ; // note\nb = \"y\" ;\nc = \"z\" ;\nD = W - KEYWORD ;\nW = [a] ;",
        )
        .expect("a valid description");
        assert_eq!(grammar.definitions.len(), 5);
        let Expression::Sequence(parts) = &grammar.definitions[0].body else {
            panic!("a sequence")
        };
        assert_eq!(parts[0], Expression::Literal("x".into()));
        assert!(matches!(parts[1], Expression::Optional(_)));
        let Expression::Repeat(inner) = &parts[2] else {
            panic!("a repetition")
        };
        let Expression::Choice(options) = &**inner else {
            panic!("a choice")
        };
        assert_eq!(
            options[1],
            Expression::Class(CharClass {
                negated: true,
                ranges: vec![('"', '"'), ('\\', '\\'), ('a', 'z')]
            })
        );
        assert!(matches!(parts[3], Expression::RepeatOne(_)));
        assert_eq!(
            grammar.definitions[3].body,
            Expression::Except {
                of: "W".into(),
                without: "KEYWORD".into()
            }
        );
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            parse("a = \"x\" ;\nb = ;").expect_err("an empty body"),
            "line 2: expected something to match"
        );
        assert!(parse("a = \"x\"")
            .expect_err("no `;`")
            .contains("expected `;`"));
        assert!(parse("a = \"x\" ;\na = \"y\" ;")
            .expect_err("a name defined twice")
            .contains("defined twice"));
    }
}
