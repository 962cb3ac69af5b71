//! `ParamSpec`: the single description of a demo parameter, from which the page builds its control,
//! the URL hash is read and written, typed values are validated, the `<ml-demo>` element reads its
//! attributes and the CLI reads `--set key=value`.

use crate::data::upload::Upload;
use crate::error::{Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub kind: ParamKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ParamKind {
    /// A real number in `[min, max]`; `log` sliders move evenly in log space.
    Float {
        min: f64,
        max: f64,
        default: f64,
        log: bool,
    },
    Int {
        min: i64,
        max: i64,
        default: i64,
    },
    Choice {
        options: &'static [&'static str],
        default: &'static str,
    },
    Bool {
        default: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Float(f64),
    Int(i64),
    Choice(String),
    Bool(bool),
}

impl Value {
    /// Text for the URL hash and the numeric entry: short, and parsed back to the same value.
    pub fn to_text(&self) -> String {
        match self {
            Value::Float(v) => format_float(*v),
            Value::Int(v) => v.to_string(),
            Value::Choice(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
        }
    }
}

/// Shortest round-tripping text, in scientific notation only for very small or large magnitudes.
pub fn format_float(v: f64) -> String {
    if v != 0.0 && (v.abs() < 1e-4 || v.abs() >= 1e6) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

impl ParamSpec {
    pub fn default_value(&self) -> Value {
        match &self.kind {
            ParamKind::Float { default, .. } => Value::Float(*default),
            ParamKind::Int { default, .. } => Value::Int(*default),
            ParamKind::Choice { default, .. } => Value::Choice(default.to_string()),
            ParamKind::Bool { default } => Value::Bool(*default),
        }
    }

    /// What the parameter accepts, phrased to follow "must be".
    pub fn allowed(&self) -> String {
        match &self.kind {
            ParamKind::Float { min, max, .. } => format!(
                "a number between {} and {}",
                format_float(*min),
                format_float(*max)
            ),
            ParamKind::Int { min, max, .. } => format!("a whole number between {min} and {max}"),
            ParamKind::Choice { options, .. } => format!("one of: {}", options.join(", ")),
            ParamKind::Bool { .. } => "true or false".into(),
        }
    }

    /// Parses and range-checks text typed by a reader, read from a URL or given on the command line.
    pub fn parse(&self, text: &str) -> Result<Value> {
        let text = text.trim();
        let bad = || {
            Error::invalid(
                self.key,
                if text.is_empty() { "nothing" } else { text },
                self.allowed(),
            )
        };
        match &self.kind {
            ParamKind::Float { min, max, .. } => match text.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= *min && v <= *max => Ok(Value::Float(v)),
                _ => Err(bad()),
            },
            ParamKind::Int { min, max, .. } => match text.parse::<i64>() {
                Ok(v) if v >= *min && v <= *max => Ok(Value::Int(v)),
                _ => Err(bad()),
            },
            ParamKind::Choice { options, .. } => options
                .iter()
                .find(|o| **o == text)
                .map(|o| Value::Choice(o.to_string()))
                .ok_or_else(bad),
            ParamKind::Bool { .. } => match text {
                "true" | "1" | "on" | "yes" => Ok(Value::Bool(true)),
                "false" | "0" | "off" | "no" => Ok(Value::Bool(false)),
                _ => Err(bad()),
            },
        }
    }
}

/// A complete, validated set of values for one demo's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    specs: &'static [ParamSpec],
    values: BTreeMap<&'static str, Value>,
    /// The reader's table, used instead of the demo's own data where the demo takes uploads. Not
    /// a value of the URL: it lives with the page (shared, not copied, by clones).
    upload: Option<Arc<Upload>>,
}

impl Params {
    pub fn defaults(specs: &'static [ParamSpec]) -> Self {
        Params {
            specs,
            values: specs.iter().map(|s| (s.key, s.default_value())).collect(),
            upload: None,
        }
    }

    /// Runs the demo on `upload` (or on its own data again with `None`).
    pub fn set_upload(&mut self, upload: Option<Arc<Upload>>) {
        self.upload = upload;
    }

    pub fn upload(&self) -> Option<&Upload> {
        self.upload.as_deref()
    }

    pub fn specs(&self) -> &'static [ParamSpec] {
        self.specs
    }

    pub fn spec(&self, key: &str) -> Result<&'static ParamSpec> {
        self.specs
            .iter()
            .find(|s| s.key == key)
            .ok_or_else(|| Error::UnknownParam {
                key: key.to_string(),
                expected: self
                    .specs
                    .iter()
                    .map(|s| s.key)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// Sets `key` from text; on error the previous value is kept.
    pub fn set(&mut self, key: &str, text: &str) -> Result<()> {
        let spec = self.spec(key)?;
        let value = spec.parse(text)?;
        self.values.insert(spec.key, value);
        Ok(())
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    /// Keys whose value differs from `base` (what the URL hash needs to record).
    pub fn changed_from<'a>(
        &'a self,
        base: &'a Params,
    ) -> impl Iterator<Item = (&'static str, &'a Value)> + 'a {
        self.values
            .iter()
            .filter(move |(k, v)| base.values.get(*k) != Some(*v))
            .map(|(k, v)| (*k, v))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Value)> {
        self.values.iter().map(|(k, v)| (*k, v))
    }

    // Typed reads. Keys are the demo's own constants, so a miss is a bug caught by the demo tests.
    pub fn f64(&self, key: &str) -> f64 {
        match self.values.get(key) {
            Some(Value::Float(v)) => *v,
            Some(Value::Int(v)) => *v as f64,
            other => panic!("demo parameter `{key}` is not a number: {other:?}"),
        }
    }

    pub fn usize(&self, key: &str) -> usize {
        match self.values.get(key) {
            Some(Value::Int(v)) => (*v).max(0) as usize,
            other => panic!("demo parameter `{key}` is not an integer: {other:?}"),
        }
    }

    pub fn bool(&self, key: &str) -> bool {
        match self.values.get(key) {
            Some(Value::Bool(b)) => *b,
            other => panic!("demo parameter `{key}` is not a bool: {other:?}"),
        }
    }

    pub fn choice(&self, key: &str) -> &str {
        match self.values.get(key) {
            Some(Value::Choice(s)) => s,
            other => panic!("demo parameter `{key}` is not a choice: {other:?}"),
        }
    }
}
