//! Plain text that people wrote (messages, feedback, notes, transcripts) as
//! HTML: paragraphs and line breaks as the writer made them, and every
//! character of the text itself escaped, so no markup in it ever acts.

use std::collections::HashMap;

/// The text as `<p>` paragraphs (split at blank lines) with `<br>` for a
/// single line break. The result is HTML, safe to print unescaped.
pub fn paragraphs(text: &str) -> String {
    let mut html = String::new();
    let mut open = false;
    for line in text.lines().map(str::trim_end) {
        match (line.trim().is_empty(), open) {
            (true, true) => {
                html.push_str("</p>");
                open = false;
            }
            (true, false) => {}
            (false, true) => html.push_str("<br>"),
            (false, false) => {
                html.push_str("<p>");
                open = true;
            }
        }
        if !line.trim().is_empty() {
            html.push_str(&tera::escape_html(line));
        }
    }
    if open {
        html.push_str("</p>");
    }
    html
}

/// `{{ body | paragraphs | safe }}` in templates.
pub fn paragraphs_filter(value: &tera::Value, _: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    Ok(tera::Value::String(value.as_str().map(paragraphs).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::paragraphs;

    #[test]
    fn blank_lines_make_paragraphs_and_single_breaks_stay_breaks() {
        assert_eq!(
            paragraphs("Dear Anna,\n\nWell done.\nSee you next week.\n\n\n"),
            "<p>Dear Anna,</p><p>Well done.<br>See you next week.</p>"
        );
        assert_eq!(paragraphs("One\r\n\r\nTwo"), "<p>One</p><p>Two</p>");
        assert_eq!(paragraphs("  \n \n"), "");
        assert_eq!(paragraphs("A\n   \nB"), "<p>A</p><p>B</p>");
    }

    #[test]
    fn markup_in_the_text_is_shown_as_text() {
        let html = paragraphs("<br><script>alert(1)</script>\n\n<b onclick=\"x\">hi</b> & 'so'");
        assert_eq!(
            html,
            "<p>&lt;br&gt;&lt;script&gt;alert(1)&lt;&#x2F;script&gt;</p>\
             <p>&lt;b onclick=&quot;x&quot;&gt;hi&lt;&#x2F;b&gt; &amp; &#x27;so&#x27;</p>"
        );
    }
}
