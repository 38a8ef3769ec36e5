//! HTML helpers for the pages: escaping of every piece of text that comes
//! from the daemon (names, AS paths, reasons) or the request, and the page
//! layout with the embedded style sheet.

use std::fmt::Write as _;

/// The style sheet, built into the binary.
pub const STYLE: &str = include_str!("../assets/style.css");

/// Escapes text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a URL path segment or query value.
pub fn url(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// A whole page: `title` (escaped here) and `body` (already HTML).
pub fn page(title: &str, site: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta name=\"color-scheme\" content=\"light dark\">\
<title>{t} · {s}</title><link rel=\"stylesheet\" href=\"/assets/style.css\"></head>\
<body><header><nav aria-label=\"Main\"><a class=\"brand\" href=\"/\">{s}</a> \
<a href=\"/\">Overview</a> <a href=\"/search\">Prefix search</a> <a href=\"/matrix\">Peering matrix</a> \
<a href=\"/api/v1/openapi.json\">API</a></nav></header><main id=\"main\"><h1>{t}</h1>{body}</main>\
<footer>Condor looking glass · read-only</footer></body></html>\n",
        t = esc(title),
        s = esc(site),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<script>alert("x&y")</script>'"#),
            "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;&#39;"
        );
        assert_eq!(url("2803:cd60::/32"), "2803%3Acd60%3A%3A%2F32");
        let p = page("<b>", "IX \"x\"", "<p>ok</p>");
        assert!(p.contains("<title>&lt;b&gt; · IX &quot;x&quot;</title>"));
        assert!(p.contains("<p>ok</p>"));
    }
}
