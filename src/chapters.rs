//! The chapter engine: chapters are Markdown (`www/chapters/NN-slug.md`, compiled in by build.rs),
//! rendered with raw HTML shown as text, maths turned into MathML, and fenced ```` ```demo ID ````
//! blocks (with `key = value` lines) turned into placeholders where the page mounts live demos.

use crate::demos;
use crate::error::{Error, Result};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

#[derive(Debug)]
pub struct Chapter {
    /// File stem, also the id in the URL: `04-training-linear-models`.
    pub slug: &'static str,
    pub number: u32,
    pub title: &'static str,
    pub markdown: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/chapters.rs"));

pub fn find(slug: &str) -> Option<&'static Chapter> {
    CHAPTERS.iter().find(|c| c.slug == slug)
}

/// The chapters before and after `slug`.
pub fn neighbours(slug: &str) -> (Option<&'static Chapter>, Option<&'static Chapter>) {
    match CHAPTERS.iter().position(|c| c.slug == slug) {
        Some(i) => (i.checked_sub(1).map(|j| &CHAPTERS[j]), CHAPTERS.get(i + 1)),
        None => (None, None),
    }
}

/// A ```` ```demo ID ```` block: which demo, under which instance name, with which defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoBlock {
    /// Unique within the chapter: the demo id, then `id-2`, `id-3`... for repeats.
    pub instance: String,
    pub demo: String,
    /// `key = value` pairs as written (`seed` included).
    pub pairs: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub html: String,
    pub demos: Vec<DemoBlock>,
    /// Problems in demo blocks (unknown demo, bad value); the page shows them in place.
    pub errors: Vec<String>,
}

/// Parses the body of a demo block: one `key = value` per line, `#` starts a comment.
pub fn parse_demo_body(body: &str) -> Result<Vec<(String, String)>> {
    body.lines()
        .enumerate()
        .map(|(i, l)| (i, l.split('#').next().unwrap_or("").trim()))
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, l)| {
            let (k, v) = l.split_once('=').ok_or_else(|| {
                Error::Io(format!(
                    "demo block line {}: expected `key = value`, got `{l}`",
                    i + 1
                ))
            })?;
            Ok((k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

/// Checks a demo block against the demo's ParamSpecs (`seed` is accepted for every demo).
pub fn check_block(block: &DemoBlock) -> Result<()> {
    let pairs: Vec<_> = block
        .pairs
        .iter()
        .filter(|(k, _)| k != "seed")
        .cloned()
        .collect();
    demos::params_with(&block.demo, &pairs)?;
    if let Some((_, s)) = block.pairs.iter().find(|(k, _)| k == "seed") {
        s.parse::<u64>()
            .map_err(|_| Error::invalid("seed", s, "a whole number >= 0"))?;
    }
    Ok(())
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
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

fn mathml(latex: &str, display: bool) -> String {
    use pulldown_latex::{
        config::DisplayMode, push_mathml, Parser as Latex, RenderConfig, Storage,
    };
    let storage = Storage::new();
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        ..Default::default()
    };
    let mut out = String::new();
    match push_mathml(&mut out, Latex::new(latex, &storage), config) {
        Ok(()) => out,
        Err(_) => format!("<code class=\"math-error\">{}</code>", escape(latex)),
    }
}

/// Renders a chapter to HTML. Raw HTML in the source is escaped and shown as text, and links
/// other than http(s), relative or anchor ones are dropped, so chapter text can never run script.
pub fn render(markdown: &str) -> Rendered {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_MATH
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION;
    let mut demos_found: Vec<DemoBlock> = Vec::new();
    let mut errors = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    let mut in_demo: Option<(String, String)> = None;
    for event in Parser::new_ext(markdown, options) {
        match (&mut in_demo, event) {
            (None, Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))))
                if info.split_whitespace().next() == Some("demo") =>
            {
                let id = info.split_whitespace().nth(1).unwrap_or("").to_string();
                in_demo = Some((id, String::new()));
            }
            (Some((_, body)), Event::Text(t)) => body.push_str(&t),
            (Some(_), Event::End(TagEnd::CodeBlock)) => {
                let Some((id, body)) = in_demo.take() else {
                    continue;
                };
                let repeats = demos_found.iter().filter(|d| d.demo == id).count();
                let instance = if repeats == 0 {
                    id.clone()
                } else {
                    format!("{id}-{}", repeats + 1)
                };
                let block = parse_demo_body(&body).map(|pairs| DemoBlock {
                    instance: instance.clone(),
                    demo: id.clone(),
                    pairs,
                });
                match block.and_then(|b| check_block(&b).map(|_| b)) {
                    Ok(b) => {
                        events.push(Event::Html(CowStr::from(format!(
                            "<div class=\"demo-mount\" data-instance=\"{}\" data-demo=\"{}\"></div>\n",
                            escape(&b.instance),
                            escape(&b.demo)
                        ))));
                        demos_found.push(b);
                    }
                    Err(e) => {
                        let msg = format!("demo `{id}`: {e}");
                        events.push(Event::Html(CowStr::from(format!(
                            "<div class=\"demo-error\" role=\"alert\">{}</div>\n",
                            escape(&msg)
                        ))));
                        errors.push(msg);
                    }
                }
            }
            (Some(_), _) => {}
            (None, Event::Html(raw)) | (None, Event::InlineHtml(raw)) => {
                events.push(Event::Text(raw))
            }
            (None, Event::InlineMath(tex)) => {
                events.push(Event::InlineHtml(CowStr::from(mathml(&tex, false))))
            }
            (None, Event::DisplayMath(tex)) => {
                events.push(Event::Html(CowStr::from(mathml(&tex, true))))
            }
            (
                None,
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }),
            ) => {
                let safe = dest_url.starts_with("http://")
                    || dest_url.starts_with("https://")
                    || dest_url.starts_with('#')
                    || !dest_url.contains(':');
                let dest_url = if safe { dest_url } else { CowStr::from("#") };
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            (None, other) => events.push(other),
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    Rendered {
        html,
        demos: demos_found,
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_escaped_and_demo_blocks_become_mounts() {
        let md = "# T\n\n<script>alert(1)</script>\n\nText <b>x</b> and $a^2$.\n\n```demo gradient-descent\nlearning_rate = 0.05\n```\n\n```demo gradient-descent\n```\n";
        let r = render(md);
        assert!(
            !r.html.contains("<script>") && r.html.contains("&lt;script&gt;"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("<b>"));
        assert!(r.html.contains("<math"), "{}", r.html);
        assert_eq!(r.demos.len(), 2);
        assert_eq!(
            r.demos[0].pairs,
            vec![("learning_rate".to_string(), "0.05".to_string())]
        );
        assert_eq!(r.demos[1].instance, "gradient-descent-2");
        assert!(r.html.contains("data-instance=\"gradient-descent-2\""));
        assert!(r.errors.is_empty());
    }

    #[test]
    fn bad_demo_blocks_are_reported_in_place() {
        let r = render("```demo nope\n```\n\n```demo gradient-descent\nlearning_rate = 9\n```\n");
        assert_eq!(r.errors.len(), 2, "{:?}", r.errors);
        assert!(r.errors[1].contains("learning_rate"));
        assert!(r.html.contains("demo-error"));
    }

    #[test]
    fn script_links_are_dropped() {
        let r = render("[x](javascript:alert(1)) [y](https://example.org)");
        assert!(!r.html.contains("javascript:"));
        assert!(r.html.contains("https://example.org"));
    }
}
