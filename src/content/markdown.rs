//! Markdown to safe HTML: pulldown-cmark renders, ammonia removes anything
//! that could run script or load from elsewhere.

use pulldown_cmark::{html, Options, Parser};

pub fn render(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut unsafe_html = String::new();
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    let mut builder = ammonia::Builder::default();
    builder.url_schemes(["https", "mailto"].into_iter().collect()).link_rel(Some("noopener noreferrer"));
    // ammonia checks the scheme of href and src but lets `cite` through as
    // written (even `javascript:`); no page needs it.
    for tag in ["blockquote", "del", "ins", "q"] {
        builder.rm_tag_attributes(tag, &["cite"]);
    }
    builder.clean(&unsafe_html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_and_javascript_links_are_removed() {
        let html =
            render("Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>");
        assert!(
            !html.contains("<script") && !html.contains("javascript:") && !html.contains("onerror"),
            "{html}"
        );
    }

    #[test]
    fn ordinary_markdown_survives() {
        let html = render("# Title\n\nSome **bold** text.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(
            html.contains("<h1>Title</h1>")
                && html.contains("<strong>bold</strong>")
                && html.contains("<table>")
        );
    }
}
