//! URL state. The hash is `key=value` pairs joined by `&`: `chapter=SLUG` on the site (demo values as
//! `INSTANCE.KEY=VALUE`), `demo=ID` on the embed page (values unprefixed), `hide=k1,k2`, and
//! `seed`. Only values that differ from the chapter's defaults are written, and reading a hash keeps
//! every valid entry while reporting the invalid ones.

use crate::demos::{Params, Value};
use crate::error::{Error, Result};

/// The seed a demo starts with unless its chapter block or the URL says otherwise.
pub const DEFAULT_SEED: u64 = 42;

/// Splits `#a=1&b=2` into decoded pairs (a leading `#` is optional; empty parts are skipped).
pub fn parse_hash(hash: &str) -> Vec<(String, String)> {
    hash.trim_start_matches('#')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// Joins pairs into a hash with a leading `#`.
pub fn format_hash(pairs: &[(String, String)]) -> String {
    let body: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("#{}", body.join("&"))
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~,".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |j: usize| bytes.get(j).and_then(|c| (*c as char).to_digit(16));
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One mounted demo's reproducible state.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoState {
    pub params: Params,
    pub seed: u64,
    /// Parameter keys whose controls are hidden.
    pub hidden: Vec<String>,
}

impl DemoState {
    /// `base` with the hash's entries for this demo applied. Invalid entries are skipped (the base
    /// value stays) and returned as errors; `entries` are `(key, value)` already stripped of prefix.
    pub fn from_entries(base: &DemoState, entries: &[(String, String)]) -> (DemoState, Vec<Error>) {
        let mut state = base.clone();
        let mut errors = Vec::new();
        for (key, value) in entries {
            let result = match key.as_str() {
                "seed" => parse_seed(value).map(|s| state.seed = s),
                "hide" => {
                    state.hidden.extend(
                        value
                            .split(',')
                            .filter(|k| !k.is_empty())
                            .map(str::to_string),
                    );
                    Ok(())
                }
                _ => state.params.set(key, value),
            };
            if let Err(e) = result {
                errors.push(e);
            }
        }
        (state, errors)
    }

    /// The entries that differ from `base`, for writing back to the hash.
    pub fn entries(&self, base: &DemoState) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .params
            .changed_from(&base.params)
            .map(|(k, v)| (k.to_string(), v.to_text()))
            .collect();
        if self.seed != base.seed {
            out.push(("seed".into(), self.seed.to_string()));
        }
        out
    }

    pub fn value(&self, key: &str) -> Option<&Value> {
        self.params.get(key)
    }
}

pub fn parse_seed(text: &str) -> Result<u64> {
    text.trim()
        .parse::<u64>()
        .map_err(|_| Error::invalid("seed", text, "a whole number >= 0"))
}

/// The entries of `pairs` addressed to demo `instance` (`INSTANCE.KEY`), with the prefix removed.
pub fn entries_for(pairs: &[(String, String)], instance: &str) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix(instance)
                .and_then(|rest| rest.strip_prefix('.'))
                .map(|key| (key.to_string(), v.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demos;

    fn base() -> DemoState {
        DemoState {
            params: demos::params_with("gradient-descent", &[]).unwrap(),
            seed: DEFAULT_SEED,
            hidden: vec![],
        }
    }

    #[test]
    fn hash_round_trip() {
        let pairs = vec![
            (
                "chapter".to_string(),
                "04-training-linear-models".to_string(),
            ),
            ("a.b".into(), "x y&z=1%".into()),
        ];
        assert_eq!(parse_hash(&format_hash(&pairs)), pairs);
    }

    #[test]
    fn demo_state_round_trip_through_the_hash() {
        let base = base();
        let (state, errors) = DemoState::from_entries(
            &base,
            &[
                ("learning_rate".into(), "0.05".into()),
                ("method".into(), "stochastic".into()),
                ("seed".into(), "7".into()),
            ],
        );
        assert!(errors.is_empty(), "{errors:?}");
        let mut pairs = vec![("chapter".to_string(), "04".to_string())];
        pairs.extend(
            state
                .entries(&base)
                .into_iter()
                .map(|(k, v)| (format!("gradient-descent.{k}"), v)),
        );
        let hash = format_hash(&pairs);
        let back = entries_for(&parse_hash(&hash), "gradient-descent");
        let (restored, errors) = DemoState::from_entries(&base, &back);
        assert!(errors.is_empty());
        assert_eq!(restored, state);
        assert_eq!(restored.seed, 7);
    }

    #[test]
    fn invalid_entries_are_reported_and_valid_ones_kept() {
        let entries = vec![
            ("learning_rate".to_string(), "banana".to_string()),
            ("epochs".into(), "99999".into()),
            ("bogus".into(), "1".into()),
            ("batch_size".into(), "8".into()),
        ];
        let (state, errors) = DemoState::from_entries(&base(), &entries);
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert_eq!(state.params.usize("batch_size"), 8);
        assert_eq!(state.params.f64("learning_rate"), 0.1);
        let text = errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            text.contains("learning_rate") && text.contains("epochs") && text.contains("bogus"),
            "{text}"
        );
    }

    #[test]
    fn prefixes_select_one_instance() {
        let pairs = parse_hash("#gradient-descent.epochs=5&gradient-descent-2.epochs=6&other=1");
        assert_eq!(
            entries_for(&pairs, "gradient-descent"),
            vec![("epochs".to_string(), "5".to_string())]
        );
        assert_eq!(
            entries_for(&pairs, "gradient-descent-2"),
            vec![("epochs".to_string(), "6".to_string())]
        );
    }
}
