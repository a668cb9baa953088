//! Cuts a SQL script into statements, each with the line its first token is on, so one statement
//! sqlparser can't read costs only that statement (reported by line) and not the whole file.
//!
//! It knows just enough SQL lexing to find the semicolons that end statements: quoted strings
//! (with `E'…'` backslash escapes), quoted identifiers, `--` and nested `/* */` comments, and
//! dollar-quoted bodies (`$$ … $$`, `$fn$ … $fn$`) where functions hide their own semicolons.
//! psql meta-commands (`\connect`, `\restrict`, …) are lines of their own between statements
//! and are dropped here, before any parsing.

/// One statement's text (without its semicolon) and the 1-based line its first token is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub line: usize,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Code,
    LineComment,
    BlockComment(u32),
    Quoted { escapes: bool },
    Identifier,
}

/// The statements of `script`, in order. Comments stay in the text (sqlparser skips them);
/// pieces holding nothing but comments and white space are dropped.
pub fn statements(script: &str) -> Vec<Piece> {
    Splitter::default().run(script)
}

#[derive(Default)]
struct Splitter {
    pieces: Vec<Piece>,
    current: String,
    /// The line of the current statement's first token, once one was seen.
    start: Option<usize>,
}

impl Splitter {
    fn run(mut self, script: &str) -> Vec<Piece> {
        let mut state = State::Code;
        let mut line = 1;
        let mut at_line_start = true;
        let mut rest = script;
        while !rest.is_empty() {
            if state == State::Code && at_line_start && self.start.is_none() {
                let trimmed = rest.trim_start_matches([' ', '\t']);
                if trimmed.starts_with('\\') {
                    // A psql meta-command runs to the end of its line.
                    let end = trimmed.find('\n').unwrap_or(trimmed.len());
                    rest = &trimmed[end..];
                    continue;
                }
            }
            let taken = self.step(&mut state, rest, line);
            line += rest[..taken].matches('\n').count();
            at_line_start = rest[..taken].ends_with('\n');
            rest = &rest[taken..];
        }
        self.flush();
        self.pieces
    }

    /// Consumes one lexical step from the front of `rest` and returns its length in bytes.
    fn step(&mut self, state: &mut State, rest: &str, line: usize) -> usize {
        let c = rest.chars().next().expect("called with text left");
        let next = rest[c.len_utf8()..].chars().next();
        let (taken, new_state) = match (*state, c, next) {
            (State::Code, ';', _) => {
                self.flush();
                return 1;
            }
            (State::Code, '-', Some('-')) => (2, State::LineComment),
            (State::Code, '/', Some('*')) => (2, State::BlockComment(1)),
            (State::Code, '\'', _) => {
                let escapes = self.current.ends_with(['E', 'e'])
                    && !self
                        .current
                        .trim_end_matches(['E', 'e'])
                        .ends_with(|p: char| p.is_alphanumeric() || p == '_');
                self.begin(line);
                (1, State::Quoted { escapes })
            }
            (State::Code, '"', _) => {
                self.begin(line);
                (1, State::Identifier)
            }
            (State::Code, '$', _) => match dollar_tag(rest) {
                Some(tag) => {
                    self.begin(line);
                    let body_end = rest[tag.len()..]
                        .find(tag)
                        .map_or(rest.len(), |at| tag.len() + at + tag.len());
                    (body_end, State::Code)
                }
                None => {
                    self.begin(line);
                    (1, State::Code)
                }
            },
            (State::Code, c, _) => {
                if !c.is_whitespace() {
                    self.begin(line);
                }
                (c.len_utf8(), State::Code)
            }
            (State::LineComment, '\n', _) => (1, State::Code),
            (State::BlockComment(1), '*', Some('/')) => (2, State::Code),
            (State::BlockComment(depth), '*', Some('/')) => (2, State::BlockComment(depth - 1)),
            (State::BlockComment(depth), '/', Some('*')) => (2, State::BlockComment(depth + 1)),
            (State::Quoted { escapes: true }, '\\', Some(n)) => (1 + n.len_utf8(), *state),
            (State::Quoted { .. }, '\'', Some('\'')) => (2, *state),
            (State::Quoted { .. }, '\'', _) => (1, State::Code),
            (State::Identifier, '"', Some('"')) => (2, *state),
            (State::Identifier, '"', _) => (1, State::Code),
            (s, c, _) => (c.len_utf8(), s),
        };
        self.current.push_str(&rest[..taken]);
        *state = new_state;
        taken
    }

    /// Marks the first token of a statement; comments before it are dropped.
    fn begin(&mut self, line: usize) {
        if self.start.is_none() {
            self.current.clear();
            self.start = Some(line);
        }
    }

    fn flush(&mut self) {
        let text = std::mem::take(&mut self.current);
        if let Some(line) = self.start.take() {
            self.pieces.push(Piece {
                line,
                text: text.trim().to_string(),
            });
        }
    }
}

/// The opening tag of a dollar-quoted string at the start of `s` (`$$` or `$name$`), if any.
fn dollar_tag(s: &str) -> Option<&str> {
    let inner = &s[1..];
    let end = inner.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
    let starts_like_param = inner.starts_with(|c: char| c.is_ascii_digit());
    (inner[end..].starts_with('$') && !starts_like_param).then(|| &s[..end + 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_and_heads(script: &str) -> Vec<(usize, String)> {
        statements(script)
            .into_iter()
            .map(|p| (p.line, p.text.chars().take(12).collect()))
            .collect()
    }

    #[test]
    fn splits_on_semicolons_outside_quotes_comments_and_bodies() {
        let script = "\\restrict abc\n\
            -- a comment; with a semicolon\n\
            SET x = 'a;b';\n\
            CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END $body$ LANGUAGE plpgsql;\n\
            /* block; /* nested; */ still */ CREATE TABLE \"we;ird\" (a text DEFAULT E'it\\'s;');\n\
            \\connect other\n\
            SELECT $$x;y$$, $1;\n";
        assert_eq!(
            lines_and_heads(script),
            vec![
                (3, "SET x = 'a;b".to_string()),
                (4, "CREATE FUNCT".to_string()),
                (5, "CREATE TABLE".to_string()),
                (7, "SELECT $$x;y".to_string()),
            ]
        );
    }

    #[test]
    fn a_lone_comment_is_no_statement_and_an_unterminated_tail_is_one() {
        assert!(statements("-- nothing here\n/* or here */\n").is_empty());
        let pieces = statements("\n\nCREATE TABLE t (a int)");
        assert_eq!(pieces.len(), 1);
        assert_eq!(pieces[0].line, 3);
    }

    #[test]
    fn unterminated_quotes_do_not_panic() {
        for script in ["'abc", "\"abc", "$$abc", "/* abc", "E'\\", "$a", "é'ü"] {
            let _ = statements(script);
        }
    }
}
