//! The two pages. The site shows the chapter list, one chapter with its demos and prev/next links;
//! the embed page shows one demo and nothing else. Both read their state from the URL hash,
//! report invalid entries in `#notice` while keeping the valid ones, and rewrite the hash after
//! every change so the address bar always reproduces what the reader sees.

use super::dom::{self, append, make};
use super::view;
use crate::chapters::{self, CHAPTERS};
use crate::demos;
use crate::error::{Error, Result};
use crate::state::{entries_for, format_hash, parse_hash, parse_seed, DemoState, DEFAULT_SEED};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

#[derive(Default)]
struct Page {
    /// `Some(slug)` on the site, `None` on the embed page.
    chapter: Option<String>,
    /// The embed page's demo id.
    embed_demo: Option<String>,
    hide: Option<String>,
}

thread_local! {
    static PAGE: RefCell<Page> = RefCell::new(Page::default());
}

fn notice(messages: &[String]) {
    let Some(el) = dom::by_id::<HtmlElement>("notice") else {
        return;
    };
    if messages.is_empty() {
        el.set_hidden(true);
        el.set_inner_html("");
        return;
    }
    el.set_inner_html("");
    if let Ok(p) = make::<HtmlElement>("p", "") {
        p.set_text_content(Some(
            "Some settings in the link were not valid and were replaced by defaults:",
        ));
        let _ = append(&el, &p);
    }
    if let Ok(list) = make::<HtmlElement>("ul", "") {
        for m in messages {
            if let Ok(li) = make::<HtmlElement>("li", "") {
                li.set_text_content(Some(m));
                let _ = append(&list, &li);
            }
        }
        let _ = append(&el, &list);
    }
    el.set_hidden(false);
}

/// Writes the current state of every mounted demo back into the hash.
fn write_hash() {
    let (chapter, embed, hide) = PAGE.with(|p| {
        let p = p.borrow();
        (p.chapter.clone(), p.embed_demo.clone(), p.hide.clone())
    });
    let mut pairs = Vec::new();
    match (&chapter, &embed) {
        (Some(slug), _) => pairs.push(("chapter".to_string(), slug.clone())),
        (None, Some(id)) => pairs.push(("demo".to_string(), id.clone())),
        (None, None) => return,
    }
    if let Some(h) = hide {
        pairs.push(("hide".into(), h));
    }
    for (instance, base, state) in view::states() {
        for (k, value) in state.entries(&base) {
            let key = if chapter.is_some() {
                format!("{instance}.{k}")
            } else {
                k
            };
            pairs.push((key, value));
        }
    }
    let _ = dom::replace_hash(&format_hash(&pairs));
}

fn on_change() -> Rc<dyn Fn()> {
    Rc::new(write_hash)
}

/// `<body data-ready="1">` once every demo of the page is mounted (tests wait for it).
fn ready() {
    if let Some(body) = dom::document().ok().and_then(|d| d.body()) {
        let _ = body.set_attribute("data-ready", "1");
    }
}

fn not_ready() {
    if let Some(body) = dom::document().ok().and_then(|d| d.body()) {
        let _ = body.remove_attribute("data-ready");
    }
}

fn hidden_keys(hide: &Option<String>) -> Vec<String> {
    hide.as_deref()
        .unwrap_or("")
        .split(',')
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------- site

pub fn start_site() -> Result<()> {
    build_chapter_list()?;
    render_site()?;
    let handler = Closure::<dyn FnMut()>::new(|| {
        if let Err(e) = render_site() {
            notice(&[e.to_string()]);
        }
    });
    dom::window()?
        .add_event_listener_with_callback("hashchange", handler.as_ref().unchecked_ref())
        .map_err(dom::js)?;
    handler.forget(); // lives as long as the page
    Ok(())
}

fn build_chapter_list() -> Result<()> {
    let nav: HtmlElement =
        dom::by_id("chapters").ok_or_else(|| Error::Io("the page has no #chapters".into()))?;
    let list: HtmlElement = make("ol", "chapter-list")?;
    for c in CHAPTERS {
        let li: HtmlElement = make("li", "")?;
        let a: web_sys::HtmlAnchorElement = make("a", "")?;
        a.set_href(&format!("#chapter={}", c.slug));
        a.set_attribute("data-chapter", c.slug).map_err(dom::js)?;
        let num = dom::with_text(make::<HtmlElement>("span", "num")?, &c.number.to_string());
        append(&a, &num)?;
        let title = dom::with_text(make::<HtmlElement>("span", "title")?, c.title);
        append(&a, &title)?;
        append(&li, &a)?;
        append(&list, &li)?;
    }
    nav.set_inner_html("");
    append(&nav, &list)
}

fn render_site() -> Result<()> {
    not_ready();
    let pairs = parse_hash(&dom::location_hash());
    let mut problems = Vec::new();
    let requested = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "chapter")
        .map(|(_, v)| v.clone());
    let chapter = match requested.as_deref().map(|s| chapters::find(s).ok_or(s)) {
        Some(Ok(c)) => c,
        Some(Err(s)) => {
            problems.push(format!("chapter `{s}` does not exist"));
            &CHAPTERS[0]
        }
        None => CHAPTERS
            .first()
            .ok_or_else(|| Error::Io("no chapters".into()))?,
    };
    let hide = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "hide")
        .map(|(_, v)| v.clone());
    let previous = PAGE.with(|p| {
        p.replace(Page {
            chapter: Some(chapter.slug.to_string()),
            embed_demo: None,
            hide: hide.clone(),
        })
    });

    let article: HtmlElement = dom::document()?
        .query_selector("article.chapter")
        .map_err(dom::js)?
        .and_then(|e| e.dyn_into().ok())
        .ok_or_else(|| Error::Io("the page has no article.chapter".into()))?;
    view::clear();
    let rendered = chapters::render(chapter.markdown);
    article.set_inner_html(&rendered.html);
    if let Ok(d) = dom::document() {
        d.set_title(&format!("{} · mlplay", chapter.title));
    }

    let instances: Vec<&str> = rendered.demos.iter().map(|b| b.instance.as_str()).collect();
    for (k, _) in &pairs {
        let known_instance = k
            .split_once('.')
            .is_some_and(|(inst, _)| instances.contains(&inst));
        if !(k == "chapter" || k == "hide" || known_instance) {
            problems.push(format!("`{k}` is not a setting of this chapter"));
        }
    }
    for block in &rendered.demos {
        let mut base_pairs: Vec<(String, String)> = block
            .pairs
            .iter()
            .filter(|(k, _)| k != "seed")
            .cloned()
            .collect();
        base_pairs.retain(|(k, _)| k != "hide");
        let seed = block
            .pairs
            .iter()
            .find(|(k, _)| k == "seed")
            .and_then(|(_, s)| parse_seed(s).ok())
            .unwrap_or(DEFAULT_SEED);
        let base = DemoState {
            params: demos::params_with(&block.demo, &base_pairs)?,
            seed,
            hidden: hidden_keys(&hide),
        };
        let (state, errors) = DemoState::from_entries(&base, &entries_for(&pairs, &block.instance));
        problems.extend(
            errors
                .into_iter()
                .map(|e| format!("{}: {e}", block.instance)),
        );
        let host: Option<HtmlElement> = article
            .query_selector(&format!(
                ".demo-mount[data-instance=\"{}\"]",
                block.instance
            ))
            .map_err(dom::js)?
            .and_then(|e| e.dyn_into().ok());
        if let Some(host) = host {
            view::mount_later(
                &host,
                &block.demo,
                &block.instance,
                base,
                state,
                on_change(),
            );
        }
    }
    chapter_links(chapter.slug)?;
    mark_current(chapter.slug)?;
    notice(&problems);
    write_hash();
    if previous.chapter.as_deref() != Some(chapter.slug) {
        dom::window()?.scroll_to_with_x_and_y(0.0, 0.0);
    }
    view::when_mounted(Box::new(ready));
    Ok(())
}

fn chapter_links(slug: &str) -> Result<()> {
    let Some(nav) = dom::document()?
        .query_selector("nav.chapter-nav")
        .map_err(dom::js)?
    else {
        return Ok(());
    };
    nav.set_inner_html("");
    let (prev, next) = chapters::neighbours(slug);
    for (c, class, arrow) in [(prev, "prev-chapter", "← "), (next, "next-chapter", "→ ")] {
        if let Some(c) = c {
            let a: web_sys::HtmlAnchorElement = make("a", class)?;
            a.set_href(&format!("#chapter={}", c.slug));
            a.set_text_content(Some(&format!("{arrow}{} {}", c.number, c.title)));
            append(&nav, &a)?;
        }
    }
    Ok(())
}

fn mark_current(slug: &str) -> Result<()> {
    let links = dom::document()?
        .query_selector_all("#chapters a")
        .map_err(dom::js)?;
    for i in 0..links.length() {
        if let Some(a) = links.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            if a.get_attribute("data-chapter").as_deref() == Some(slug) {
                let _ = a.set_attribute("aria-current", "page");
            } else {
                let _ = a.remove_attribute("aria-current");
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- embed

pub fn start_embed() -> Result<()> {
    let result = render_embed();
    if let Err(e) = &result {
        notice(&[e.to_string()]);
    }
    ready();
    Ok(())
}

fn render_embed() -> Result<()> {
    let pairs = parse_hash(&dom::location_hash());
    let host: HtmlElement =
        dom::by_id("embed").ok_or_else(|| Error::Io("the page has no #embed".into()))?;
    let ids: Vec<&str> = demos::all_specs().iter().map(|s| s.id).collect();
    let id = match pairs.iter().find(|(k, _)| k == "demo") {
        Some((_, id)) if ids.contains(&id.as_str()) => id.clone(),
        Some((_, id)) => {
            return Err(Error::Io(format!(
                "unknown demo `{id}`; available: {}",
                ids.join(", ")
            )))
        }
        None => {
            return Err(Error::Io(format!(
                "the link names no demo: add #demo=ID, one of: {}",
                ids.join(", ")
            )))
        }
    };
    let hide = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "hide")
        .map(|(_, v)| v.clone());
    PAGE.with(|p| {
        p.replace(Page {
            chapter: None,
            embed_demo: Some(id.clone()),
            hide: hide.clone(),
        })
    });
    let base = DemoState {
        params: demos::params_with(&id, &[])?,
        seed: DEFAULT_SEED,
        hidden: hidden_keys(&hide),
    };
    let entries: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "demo" && k != "hide")
        .cloned()
        .collect();
    let (state, errors) = DemoState::from_entries(&base, &entries);
    view::mount(&host, &id, &id, base, state, on_change())?;
    notice(&errors.iter().map(|e| e.to_string()).collect::<Vec<_>>());
    write_hash();
    Ok(())
}
