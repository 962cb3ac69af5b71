//! Every chapter renders cleanly and every demo it mounts runs, draws and replays exactly.
#![cfg(not(target_arch = "wasm32"))] // spawns the CLI / draws with the native bitmap backend

use mlplay::chapters::{self, CHAPTERS};
use mlplay::demos::{self, Demo, ParamKind, Value};
use mlplay::estimator::Progress;
use mlplay::viz::render_rgb;

#[test]
fn every_chapter_renders_without_errors() {
    assert!(CHAPTERS.len() >= 2, "chapters: {}", CHAPTERS.len());
    let mut numbers: Vec<u32> = CHAPTERS.iter().map(|c| c.number).collect();
    numbers.dedup();
    assert_eq!(numbers.len(), CHAPTERS.len(), "chapter numbers are unique");
    for c in CHAPTERS {
        let r = chapters::render(c.markdown);
        assert!(r.errors.is_empty(), "{}: {:?}", c.slug, r.errors);
        assert!(r.html.contains("<h1>"), "{}: has a title", c.slug);
        assert!(
            !r.html.contains("math-error"),
            "{}: every formula parses",
            c.slug
        );
        // Real content, not a placeholder page.
        let words = c.markdown.split_whitespace().count();
        assert!(words >= 400, "{}: only {words} words", c.slug);
        assert!(!r.demos.is_empty(), "{}: has a live demo", c.slug);
        for block in &r.demos {
            chapters::check_block(block).unwrap_or_else(|e| panic!("{}: {e}", c.slug));
            assert!(
                r.html
                    .contains(&format!("data-instance=\"{}\"", block.instance)),
                "{}: mount for {}",
                c.slug,
                block.instance
            );
        }
    }
}

#[test]
fn chapter_four_has_both_demos_and_maths() {
    let c = chapters::find("04-training-linear-models").expect("chapter 4");
    let r = chapters::render(c.markdown);
    let ids: Vec<&str> = r.demos.iter().map(|b| b.demo.as_str()).collect();
    assert!(ids.contains(&"gradient-descent") && ids.contains(&"polynomial-regression"));
    assert!(r.html.matches("<math").count() > 20, "formulas are MathML");
    let (prev, next) = chapters::neighbours(c.slug);
    assert!(prev.is_some() || next.is_some());
}

/// A value of each parameter other than the default, inside its range.
fn other_value(kind: &ParamKind) -> String {
    match kind {
        ParamKind::Float {
            min,
            max,
            default,
            log,
        } => {
            let v = if *log {
                (min * max).sqrt()
            } else {
                (min + max) / 2.0
            };
            if (v - default).abs() > 1e-12 { v } else { *max }.to_string()
        }
        ParamKind::Int { min, max, default } => {
            let v = (min + max) / 2;
            if v != *default { v } else { *max }.to_string()
        }
        ParamKind::Choice { options, default } => options
            .iter()
            .find(|o| *o != default)
            .unwrap_or(default)
            .to_string(),
        ParamKind::Bool { default } => (!default).to_string(),
    }
}

fn run(id: &str, pairs: &[(String, String)], seed: u64, ticks: usize) -> demos::AnyDemo {
    let params = demos::params_with(id, pairs).unwrap();
    let mut d = demos::create(id, &params, seed).unwrap();
    for _ in 0..ticks {
        if d.tick() != Progress::Running {
            break;
        }
    }
    d
}

/// Every metric as `key=text`, except the speed meter, which measures the machine.
fn metric_texts(d: &demos::AnyDemo) -> Vec<String> {
    d.metrics()
        .into_iter()
        .filter(|m| m.key != "samples_per_s")
        .map(|m| format!("{}={}", m.key, m.text))
        .collect()
}

#[test]
fn every_demo_runs_draws_and_replays() {
    for spec in demos::all_specs() {
        let id = spec.id;
        let a = run(id, &[], 11, 40);
        let b = run(id, &[], 11, 40);
        assert_eq!(
            metric_texts(&a),
            metric_texts(&b),
            "{id}: same seed, same numbers"
        );
        let (pixels, w, h) = render_rgb(&a, 900).unwrap();
        assert!(w == 900 && h > 200, "{id}: {w}x{h}");
        let (pixels_b, ..) = render_rgb(&b, 900).unwrap();
        assert_eq!(pixels, pixels_b, "{id}: same seed, same picture");
        let colours: std::collections::HashSet<&[u8]> = pixels.chunks(3).collect();
        assert!(
            colours.len() > 50,
            "{id}: drawn ({} colours)",
            colours.len()
        );
        // Narrow pages stack the panels.
        let (_, nw, nh) = render_rgb(&a, 400).unwrap();
        assert!(nw == 400 && nh > nw, "{id}: narrow layout {nw}x{nh}");

        // Every parameter is live: changing it changes the numbers or the picture, at least
        // under some setting of the demo's choices (batch size only matters for mini-batches).
        let mut contexts: Vec<Vec<(String, String)>> = vec![vec![]];
        for q in spec.params {
            if let ParamKind::Choice { options, .. } = &q.kind {
                contexts.extend(
                    options
                        .iter()
                        .map(|o| vec![(q.key.to_string(), o.to_string())]),
                );
            }
        }
        for p in spec.params {
            let changed = contexts.iter().any(|ctx| {
                let base = run(id, ctx, 11, 40);
                let mut pairs = ctx.clone();
                pairs.retain(|(k, _)| k != p.key);
                pairs.push((p.key.to_string(), other_value(&p.kind)));
                let c = run(id, &pairs, 11, 40);
                metric_texts(&c) != metric_texts(&base)
                    || render_rgb(&c, 900).unwrap().0 != render_rgb(&base, 900).unwrap().0
            });
            assert!(changed, "{id}: setting {} changes nothing", p.key);
        }
        // The seed is live too.
        let s = run(id, &[], 12, 40);
        assert_ne!(
            metric_texts(&s),
            metric_texts(&a),
            "{id}: seed changes the run"
        );
    }
}

#[test]
fn step_respects_its_time_budget() {
    use web_time::{Duration, Instant};
    // The slowest of 20 steps with a 6 ms budget; the same seed repeats the same steps.
    let slowest_step = |id: &str| {
        let params = demos::params_with(id, &[]).unwrap();
        let mut d = demos::create(id, &params, 1).unwrap();
        let mut slowest = Duration::ZERO;
        for _ in 0..20 {
            let t = Instant::now();
            let progress = d.step(Duration::from_millis(6));
            slowest = slowest.max(t.elapsed());
            if progress != Progress::Running {
                break;
            }
        }
        slowest
    };
    for spec in demos::all_specs() {
        // One tick may overrun the budget a little; a whole frame must not. Wall time also counts
        // time the OS gave to other processes, so only an overrun seen in three runs out of three
        // is the demo's own.
        let limit = Duration::from_millis(40);
        let mut runs = Vec::new();
        while runs.len() < 3 && runs.last().is_none_or(|t| *t >= limit) {
            runs.push(slowest_step(spec.id));
        }
        assert!(
            runs.last().is_some_and(|t| *t < limit),
            "{}: slowest step {:?} in each of three runs",
            spec.id,
            runs
        );
    }
}

#[test]
fn params_refuse_bad_values_with_the_range() {
    let e = demos::params_with("gradient-descent", &[("learning_rate".into(), "99".into())])
        .unwrap_err()
        .to_string();
    assert!(e.contains("learning_rate") && e.contains("1.5"), "{e}");
    let e = demos::params_with("gradient-descent", &[("epochs".into(), "ten".into())])
        .unwrap_err()
        .to_string();
    assert!(e.contains("epochs"), "{e}");
    let e = demos::params_with("gradient-descent", &[("method".into(), "newton".into())])
        .unwrap_err()
        .to_string();
    assert!(e.contains("batch") && e.contains("stochastic"), "{e}");
    let e = demos::params_with("polynomial-regression", &[("bogus".into(), "1".into())])
        .unwrap_err()
        .to_string();
    assert!(e.contains("bogus") && e.contains("degree"), "{e}");
    let p = demos::params_with("polynomial-regression", &[("degree".into(), "7".into())]).unwrap();
    assert_eq!(p.get("degree"), Some(&Value::Int(7)));
}
