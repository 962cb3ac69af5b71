//! The "use your own CSV" box of a demo that takes uploads: a file button, the columns to use
//! (filled once a file is read), what the demo now runs on, a button back to the demo's own data
//! and an error line. `view` wires it to the demo; this module only builds and shows it.

use super::dom::{self, append, make, with_text};
use crate::data::upload::{Upload, UploadKind};
use crate::error::Result;
use web_sys::{HtmlElement, HtmlInputElement, HtmlOptionElement, HtmlSelectElement};

#[derive(Clone)]
pub struct UploadBox {
    pub root: HtmlElement,
    pub input: HtmlInputElement,
    /// The feature columns in axis order, then the target (where the demo takes one).
    pub selects: Vec<HtmlSelectElement>,
    has_target: bool,
    columns: HtmlElement,
    info: HtmlElement,
    pub clear: HtmlElement,
    error: HtmlElement,
}

/// Labels of the column pickers: the features', then the target's.
fn picker_labels(kind: UploadKind) -> &'static [&'static str] {
    match kind {
        UploadKind::Classes2d { .. } => &["x axis", "y axis", "class"],
        UploadKind::Regression1d { .. } => &["feature", "target"],
        UploadKind::Points2d { .. } => &["x axis", "y axis"],
        // Every other column of a whole table is a feature: the reader picks only the target.
        UploadKind::Table { .. } => &["target"],
    }
}

pub fn build(kind: UploadKind, instance: &str) -> Result<UploadBox> {
    let root = dom::div("demo-upload")?;
    let label: HtmlElement = make("label", "upload-label")?;
    let id = format!("{instance}-upload");
    label.set_attribute("for", &id).map_err(dom::js)?;
    label.set_text_content(Some("Your data (CSV)"));
    let input: HtmlInputElement = make("input", "upload-file")?;
    input.set_type("file");
    input.set_id(&id);
    input.set_accept(".csv,text/csv,text/plain");
    input.set_title(&kind.hint());
    let hint = with_text(make::<HtmlElement>("span", "upload-hint")?, &kind.hint());
    let columns = dom::div("upload-columns")?;
    columns.set_hidden(true);
    let mut selects = Vec::new();
    for text in picker_labels(kind) {
        let l: HtmlElement = with_text(make("label", "")?, text);
        let s: HtmlSelectElement = make("select", "")?;
        s.set_attribute("aria-label", &format!("column for the {text}"))
            .map_err(dom::js)?;
        append(&l, &s)?;
        append(&columns, &l)?;
        selects.push(s);
    }
    let info: HtmlElement = make("span", "upload-info")?;
    let clear: HtmlElement = with_text(make("button", "upload-clear")?, "Use the demo's data");
    clear.set_attribute("type", "button").map_err(dom::js)?;
    clear.set_hidden(true);
    let error = dom::div("control-error upload-error")?;
    error.set_attribute("role", "alert").map_err(dom::js)?;
    error.set_hidden(true);
    for child in [
        &label,
        &input.clone().into(),
        &hint,
        &columns,
        &info,
        &clear,
        &error,
    ] {
        append(&root, child)?;
    }
    Ok(UploadBox {
        root,
        input,
        selects,
        has_target: kind.has_target(),
        columns,
        info,
        clear,
        error,
    })
}

impl UploadBox {
    /// Shows what the demo runs on: the file and its chosen columns, or its own data.
    pub fn show(&self, upload: Option<&Upload>) -> Result<()> {
        let Some(u) = upload else {
            self.columns.set_hidden(true);
            self.clear.set_hidden(true);
            self.info.set_text_content(None);
            return Ok(());
        };
        for (select, pick) in self.selects.iter().zip(u.picked()) {
            if select.length() as usize != u.frame.names.len() {
                select.set_inner_html("");
                for name in &u.frame.names {
                    let opt: HtmlOptionElement = make("option", "")?;
                    opt.set_value(name);
                    opt.set_text(name);
                    append(select, &opt)?;
                }
            }
            select.set_selected_index(pick as i32);
        }
        self.columns.set_hidden(false);
        self.clear.set_hidden(false);
        let notes = u.notes();
        self.info.set_text_content(Some(&format!(
            "Running on {} ({} rows).{}{notes}",
            u.file,
            u.n_rows(),
            if notes.is_empty() { "" } else { " " }
        )));
        Ok(())
    }

    /// The column names the pickers now show: the features, then the target (empty where the
    /// demo takes none).
    pub fn picked(&self) -> (Vec<String>, String) {
        let mut names: Vec<String> = self.selects.iter().map(|s| s.value()).collect();
        let target = if self.has_target {
            names.pop().unwrap_or_default()
        } else {
            String::new()
        };
        (names, target)
    }

    pub fn set_error(&self, message: Option<&str>) {
        dom::show_error(&self.root, &self.error, message);
    }
}
