//! Putting what a person typed back into a rendered form: text into inputs
//! and text areas, ticks on the choices they made, the chosen option of a
//! list. Used when a form met an ended session (`auth::kept_forms`), so it
//! works for every form without each page knowing about it.

use std::collections::BTreeMap;

use lol_html::{element, html_content::ContentType, rewrite_str, RewriteStrSettings};

/// `html` with the fields of the form posting to `action` set to `fields`,
/// and `notice` at the top of the page's main content.
pub fn refill_form(
    html: &str,
    action: &str,
    fields: &[(String, String)],
    notice: &str,
) -> Result<String, lol_html::errors::RewritingError> {
    let mut values: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, value) in fields {
        values.entry(name.as_str()).or_default().push(value.as_str());
    }
    let form = format!("form[action=\"{}\"]", quoted(action));
    let notice = format!("<div class=\"notice warning\" role=\"status\">{}</div>", tera::escape_html(notice));
    let mut handlers = vec![element!("main", move |main| {
        main.prepend(&notice, ContentType::Html);
        Ok(())
    })];
    for (name, given) in &values {
        let name = quoted(name);
        let first = given.first().copied().unwrap_or_default().to_string();
        let text = first.clone();
        handlers.push(element!(format!("{form} textarea[name=\"{name}\"]"), move |area| {
            area.set_inner_content(&text, ContentType::Text);
            Ok(())
        }));
        let chosen: Vec<String> = given.iter().map(|v| v.to_string()).collect();
        let given = chosen.clone();
        handlers.push(element!(format!("{form} input[name=\"{name}\"]"), move |input| {
            let kind = input.get_attribute("type").unwrap_or_default().to_ascii_lowercase();
            match kind.as_str() {
                "radio" | "checkbox" => {
                    let value = input.get_attribute("value").unwrap_or_else(|| "on".into());
                    if given.contains(&value) {
                        input.set_attribute("checked", "")?;
                    } else {
                        input.remove_attribute("checked");
                    }
                }
                "hidden" | "password" | "submit" | "button" | "file" => {}
                _ => input.set_attribute("value", &first)?,
            }
            Ok(())
        }));
        handlers.push(element!(format!("{form} select[name=\"{name}\"] option"), move |option| {
            let value = option.get_attribute("value").unwrap_or_default();
            if chosen.contains(&value) {
                option.set_attribute("selected", "")?;
            } else {
                option.remove_attribute("selected");
            }
            Ok(())
        }));
    }
    let settings = handlers
        .into_iter()
        .fold(RewriteStrSettings::new(), |settings, h| settings.append_element_content_handler(h));
    rewrite_str(html, settings)
}

/// A value inside a double-quoted CSS attribute selector.
fn quoted(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<main><form method="post" action="/messages">
<input type="hidden" name="csrf" value="t"><textarea name="body"></textarea>
<input type="radio" name="mood" value="low" checked><input type="radio" name="mood" value="ok">
<input type="checkbox" name="tags" value="a"><input type="checkbox" name="tags" value="b">
<input type="text" name="walk.1.what" value="">
<select name="day"><option value="mon" selected>Mon</option><option value="tue">Tue</option></select>
</form><form method="post" action="/other"><textarea name="body">untouched</textarea></form></main>"#;

    #[test]
    fn the_kept_values_go_back_into_that_form_only() {
        let fields: Vec<(String, String)> = [
            ("body", "I walked <b>twice</b> & felt ok"),
            ("mood", "ok"),
            ("tags", "a"),
            ("tags", "b"),
            ("walk.1.what", "Walk \"round\" the park"),
            ("day", "tue"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let html = refill_form(PAGE, "/messages", &fields, "Kept <for> you").unwrap();
        assert!(html
            .contains("<textarea name=\"body\">I walked &lt;b&gt;twice&lt;/b&gt; &amp; felt ok</textarea>"));
        assert!(html.contains(r#"value="low">"#) && html.contains(r#"value="ok" checked="">"#), "{html}");
        assert!(html.contains(r#"value="a" checked=""#) && html.contains(r#"value="b" checked=""#));
        assert!(html.contains(r#"value="Walk &quot;round&quot; the park""#), "{html}");
        assert!(
            html.contains(r#"<option value="mon">Mon</option><option value="tue" selected="">"#),
            "{html}"
        );
        assert!(html.contains("<textarea name=\"body\">untouched</textarea>"), "another form is left alone");
        assert!(html.contains(r#"<input type="hidden" name="csrf" value="t">"#), "the form token stays");
        assert!(html
            .starts_with("<main><div class=\"notice warning\" role=\"status\">Kept &lt;for&gt; you</div>"));
    }
}
