//! Whitespace, collapsed the one way every step reads text.

/// The text trimmed, with each run of whitespace made one space.
pub fn collapse(s: &str) -> String {
    collapse_borrowed(s).into_owned()
}

/// Like [`collapse`], borrowing the text when it is already collapsed (most cells are).
pub fn collapse_borrowed(s: &str) -> std::borrow::Cow<'_, str> {
    if is_collapsed(s) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

/// Whether `collapse` would give the text back unchanged: single spaces between words only.
fn is_collapsed(s: &str) -> bool {
    if s.starts_with(' ') || s.ends_with(' ') {
        return false;
    }
    let mut space = false;
    for c in s.chars() {
        if c == ' ' {
            if space {
                return false;
            }
            space = true;
        } else if c.is_whitespace() {
            return false;
        } else {
            space = false;
        }
    }
    true
}
