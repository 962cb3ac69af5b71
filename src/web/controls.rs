//! Builds one labelled control from a [`ParamSpec`]: a slider with a numeric entry (log-scaled
//! where declared), a select or a checkbox, plus an error line under it.

use super::dom::{self, append, make};
use crate::demos::{format_float, ParamKind, ParamSpec, Value};
use crate::error::Result;
use crate::viz::round_sig;
use web_sys::{HtmlElement, HtmlInputElement, HtmlOptionElement, HtmlSelectElement};

/// Positions of a log-scale slider.
const LOG_STEPS: f64 = 1000.0;

pub struct Control {
    pub spec: &'static ParamSpec,
    pub root: HtmlElement,
    pub range: Option<HtmlInputElement>,
    pub entry: Option<HtmlInputElement>,
    pub select: Option<HtmlSelectElement>,
    pub checkbox: Option<HtmlInputElement>,
    pub error: HtmlElement,
    /// A line under the control that is not an error (what the demo made of the value).
    pub note: HtmlElement,
}

pub fn build(spec: &'static ParamSpec, id_prefix: &str) -> Result<Control> {
    let root: HtmlElement = dom::div("control")?;
    root.set_attribute("data-key", spec.key).map_err(dom::js)?;
    root.set_title(spec.help);
    let id = format!("{id_prefix}-{}", spec.key);
    let label: HtmlElement = make("label", "")?;
    label.set_attribute("for", &id).map_err(dom::js)?;
    label.set_text_content(Some(spec.label));
    append(&root, &label)?;
    let inputs = dom::div("control-inputs")?;
    append(&root, &inputs)?;
    let (mut range, mut entry, mut select, mut checkbox) = (None, None, None, None);
    match &spec.kind {
        ParamKind::Float { .. } | ParamKind::Int { .. } => {
            let r: HtmlInputElement = make("input", "")?;
            r.set_type("range");
            r.set_id(&id);
            let (min, max, step) = match &spec.kind {
                ParamKind::Float { log: true, .. } => (0.0, LOG_STEPS, 1.0),
                ParamKind::Float { min, max, .. } => (*min, *max, (max - min) / 1000.0),
                ParamKind::Int { min, max, .. } => (*min as f64, *max as f64, 1.0),
                _ => (0.0, 1.0, 1.0),
            };
            r.set_min(&min.to_string());
            r.set_max(&max.to_string());
            r.set_step(&step.to_string());
            r.set_attribute("aria-label", spec.label).map_err(dom::js)?;
            let e: HtmlInputElement = make("input", "value-entry")?;
            e.set_type("number");
            e.set_step("any");
            if let ParamKind::Float { min, max, .. } = spec.kind {
                e.set_min(&format_float(min));
                e.set_max(&format_float(max));
            }
            if let ParamKind::Int { min, max, .. } = spec.kind {
                e.set_min(&min.to_string());
                e.set_max(&max.to_string());
            }
            e.set_attribute("aria-label", &format!("{} value", spec.label))
                .map_err(dom::js)?;
            append(&inputs, &r)?;
            append(&inputs, &e)?;
            range = Some(r);
            entry = Some(e);
        }
        ParamKind::Choice { options, .. } => {
            let s: HtmlSelectElement = make("select", "")?;
            s.set_id(&id);
            for o in options.iter() {
                let opt: HtmlOptionElement = make("option", "")?;
                opt.set_value(o);
                opt.set_text(o);
                append(&s, &opt)?;
            }
            append(&inputs, &s)?;
            select = Some(s);
        }
        ParamKind::Bool { .. } => {
            let c: HtmlInputElement = make("input", "")?;
            c.set_type("checkbox");
            c.set_id(&id);
            append(&inputs, &c)?;
            checkbox = Some(c);
        }
    }
    let error: HtmlElement = dom::div("control-error")?;
    error.set_hidden(true);
    error.set_attribute("role", "alert").map_err(dom::js)?;
    append(&root, &error)?;
    let note: HtmlElement = dom::div("control-note")?;
    note.set_hidden(true);
    note.set_attribute("role", "status").map_err(dom::js)?;
    append(&root, &note)?;
    Ok(Control {
        spec,
        root,
        range,
        entry,
        select,
        checkbox,
        error,
        note,
    })
}

impl Control {
    /// Shows `value` in every input of the control.
    pub fn show(&self, value: &Value) {
        if let (Some(r), Some(e)) = (&self.range, &self.entry) {
            let v = match value {
                Value::Float(v) => *v,
                Value::Int(v) => *v as f64,
                _ => return,
            };
            r.set_value(&self.slider_position(v).to_string());
            e.set_value(&match value {
                Value::Float(v) => format_float(*v),
                other => other.to_text(),
            });
        }
        if let (Some(s), Value::Choice(c)) = (&self.select, value) {
            s.set_value(c);
        }
        if let (Some(c), Value::Bool(b)) = (&self.checkbox, value) {
            c.set_checked(*b);
        }
    }

    fn slider_position(&self, v: f64) -> f64 {
        match self.spec.kind {
            ParamKind::Float {
                min,
                max,
                log: true,
                ..
            } => ((v.ln() - min.ln()) / (max.ln() - min.ln()) * LOG_STEPS).round(),
            _ => v,
        }
    }

    /// The text of the value the slider currently points at (log sliders rounded to 3 digits).
    pub fn slider_text(&self) -> Option<String> {
        let pos: f64 = self.range.as_ref()?.value().parse().ok()?;
        Some(match self.spec.kind {
            ParamKind::Float {
                min,
                max,
                log: true,
                ..
            } => {
                let v = (min.ln() + pos / LOG_STEPS * (max.ln() - min.ln())).exp();
                format_float(round_sig(v, 3).clamp(min, max))
            }
            ParamKind::Float { .. } => format_float(round_sig(pos, 4)),
            _ => format!("{pos}"),
        })
    }

    /// The text currently in the entry, select or checkbox.
    pub fn input_text(&self) -> String {
        if let Some(e) = &self.entry {
            return e.value();
        }
        if let Some(s) = &self.select {
            return s.value();
        }
        self.checkbox
            .as_ref()
            .map(|c| c.checked().to_string())
            .unwrap_or_default()
    }

    /// Greys the control out (its value stays) with `why` as its tooltip, or enables it again.
    pub fn set_disabled(&self, why: Option<&str>) {
        let off = why.is_some();
        for input in [&self.range, &self.entry, &self.checkbox]
            .into_iter()
            .flatten()
        {
            input.set_disabled(off);
        }
        if let Some(s) = &self.select {
            s.set_disabled(off);
        }
        self.root.set_title(why.unwrap_or(self.spec.help));
        let _ = if off {
            self.root.class_list().add_1("disabled")
        } else {
            self.root.class_list().remove_1("disabled")
        };
    }

    pub fn set_error(&self, message: Option<&str>) {
        dom::show_error(&self.root, &self.error, message);
    }

    /// Shows `message` under the control (or hides the line); the DOM is touched only on change.
    pub fn set_note(&self, message: Option<&str>) {
        if self
            .note
            .text_content()
            .as_deref()
            .filter(|t| !t.is_empty())
            != message
        {
            self.note.set_text_content(message);
            self.note.set_hidden(message.is_none());
        }
    }
}
