//! Chapter 11: optimizers racing from the same start. On a 2-D loss surface (a long narrow valley,
//! a Rosenbrock banana, a saddle) the two coordinates are one parameter tensor on a `Tape`; on a
//! network, clones of one MLP train on the same mini-batches. Either way every racer is the real
//! `nn::Optimizer` driven by its own `nn::LrSchedule`, one step per tick.

mod draw;
mod surface;

pub use surface::Surface;

use super::playground::data as playground_data;
use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::autodiff::Tape;
use crate::error::Result;
use crate::estimator::Progress;
use crate::nn::{
    Activation, LayerSpec, Loss, LrSchedule, ModelSpec, Optimizer, OptimizerKind, OptimizerSpec,
    Schedule, Sequential,
};
use crate::rng::Rng;
use crate::tensor::Tensor;
use crate::viz::{self, RasterCache};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The racers: parameter key, name on the page, colour.
pub const RACERS: [(&str, &str, RGBColor); 9] = [
    ("sgd", "SGD", viz::INK),
    ("momentum", "Momentum", viz::BLUE),
    ("nesterov", "Nesterov", RGBColor(86, 180, 233)),
    ("adagrad", "AdaGrad", viz::GREEN),
    ("rmsprop", "RMSProp", viz::PURPLE),
    ("adam", "Adam", viz::RED),
    ("adamax", "AdaMax", viz::ORANGE),
    ("nadam", "Nadam", RGBColor(140, 86, 75)),
    ("adamw", "AdamW", viz::GREY),
];

/// The update rule of racer `key`, with Keras's default constants.
pub fn optimizer_kind(key: &str) -> OptimizerKind {
    match key {
        "momentum" => OptimizerKind::momentum(),
        "nesterov" => OptimizerKind::nesterov(),
        "adagrad" => OptimizerKind::adagrad(),
        "rmsprop" => OptimizerKind::rmsprop(),
        "adam" => OptimizerKind::adam(),
        "adamax" => OptimizerKind::adamax(),
        "nadam" => OptimizerKind::nadam(),
        "adamw" => OptimizerKind::adamw(),
        _ => OptimizerKind::Sgd,
    }
}

/// The schedule named by the `schedule` parameter for a race of `total` steps: exponential decay
/// to a tenth, piecewise /10 at half and /100 at three quarters, halving on a plateau of
/// `patience` epochs, or 1cycle.
pub fn schedule_named(name: &str, lr: f32, total: usize, patience: usize) -> Schedule {
    let total = total.max(4);
    match name {
        "exponential" => Schedule::Exponential {
            decay_rate: 0.1,
            decay_steps: total,
            staircase: false,
        },
        "piecewise" => Schedule::Piecewise {
            boundaries: vec![total / 2, total * 3 / 4],
            values: vec![lr, lr / 10.0, lr / 100.0],
        },
        "performance" => Schedule::Performance {
            factor: 0.5,
            patience,
            min_delta: 0.0,
            min_lr: 0.0,
        },
        "1cycle" => Schedule::one_cycle(total),
        _ => Schedule::Constant,
    }
}

/// One optimizer in the race with its own state and record.
pub struct Racer {
    pub key: &'static str,
    pub name: &'static str,
    colour: RGBColor,
    optimizer: Optimizer,
    schedule: LrSchedule,
    /// Surface mode: the (2,) point; network mode: unused.
    point: Tensor,
    /// Network mode: this racer's copy of the network.
    model: Option<Sequential>,
    /// Surface mode: every point visited, the start first.
    pub path: Vec<[f64; 2]>,
    /// Loss after each step (surface value above its minimum, or the network's training loss),
    /// the starting loss first.
    pub losses: Vec<f64>,
    /// The rate used by each step.
    pub rates: Vec<f64>,
    /// Mini-batch losses of the current epoch (network mode, for the performance schedule).
    epoch_losses: Vec<f64>,
    pub diverged: bool,
}

enum Task {
    Surface(Surface),
    Network {
        x: Tensor,
        y: Tensor,
        order: Vec<usize>,
        rng: Rng,
        cursor: usize,
    },
}

pub struct OptimizerRaceDemo {
    task: Task,
    racers: Vec<Racer>,
    total: usize,
    steps: usize,
    lr: f32,
    schedule_name: String,
    tape: Tape,
    contour: RasterCache,
}

const BATCH: usize = 32;
const NETWORK_SAMPLES: usize = 320;

const fn racer_flag(key: &'static str, label: &'static str, default: bool) -> ParamSpec {
    ParamSpec {
        key,
        label,
        help: "Enter this optimizer in the race.",
        kind: ParamKind::Bool { default },
    }
}

impl OptimizerRaceDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "optimizer-race",
        title: "Optimizers racing on a surface and on a network",
        chapter: "11-training-deep-neural-networks",
        upload: None,
        params: &[
            ParamSpec {
                key: "mode",
                label: "Race on",
                help: "A 2-D loss surface (the two coordinates are the parameters), or a small network trained on the same mini-batches.",
                kind: ParamKind::Choice {
                    options: &["surface", "network"],
                    default: "surface",
                },
            },
            ParamSpec {
                key: "surface",
                label: "Surface",
                help: "A long narrow valley, Rosenbrock's curved valley, or a saddle point.",
                kind: ParamKind::Choice {
                    options: &["valley", "rosenbrock", "saddle"],
                    default: "valley",
                },
            },
            ParamSpec {
                key: "learning_rate",
                label: "Learning rate",
                help: "The base rate, the same for every optimizer.",
                kind: ParamKind::Float {
                    min: 1e-4,
                    max: 1.0,
                    default: 0.05,
                    log: true,
                },
            },
            ParamSpec {
                key: "schedule",
                label: "Schedule",
                help: "How the rate changes over the race: constant, exponential decay to a tenth, piecewise (/10 at half, /100 at three quarters), halve on a plateau (performance), or 1cycle.",
                kind: ParamKind::Choice {
                    options: &["constant", "exponential", "piecewise", "performance", "1cycle"],
                    default: "constant",
                },
            },
            ParamSpec {
                key: "steps",
                label: "Race length (steps)",
                help: "Steps in the race; the schedules are laid out over it.",
                kind: ParamKind::Int {
                    min: 50,
                    max: 2000,
                    default: 200,
                },
            },
            racer_flag("sgd", "SGD", true),
            racer_flag("momentum", "Momentum", true),
            racer_flag("nesterov", "Nesterov", false),
            racer_flag("adagrad", "AdaGrad", true),
            racer_flag("rmsprop", "RMSProp", true),
            racer_flag("adam", "Adam", true),
            racer_flag("adamax", "AdaMax", false),
            racer_flag("nadam", "Nadam", false),
            racer_flag("adamw", "AdamW", false),
        ],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let lr = params.f64("learning_rate") as f32;
        let total = params.usize("steps");
        let schedule_name = params.choice("schedule").to_string();
        let network = params.choice("mode") == "network";
        let mut rng = Rng::new(seed);
        let (task, model, patience) = if network {
            let points = playground_data::generate("circle", NETWORK_SAMPLES, 0.0, &mut rng);
            let n = points.xy.len();
            let x = Tensor::from_vec(
                points
                    .xy
                    .iter()
                    .flat_map(|p| [p[0] as f32 / 3.0, p[1] as f32 / 3.0])
                    .collect(),
                &[n, 2],
            )?;
            let y = Tensor::from_vec(points.target.iter().map(|&t| t as f32).collect(), &[n, 1])?;
            let model = Sequential::new(ModelSpec {
                input: 2,
                layers: vec![
                    LayerSpec::dense(16, Activation::Tanh),
                    LayerSpec::dense(16, Activation::Tanh),
                    LayerSpec::dense(1, Activation::Linear),
                ],
                seed,
            })?;
            let order = rng.permutation(n);
            (
                Task::Network {
                    x,
                    y,
                    order,
                    rng,
                    cursor: 0,
                },
                Some(model),
                3,
            )
        } else {
            (
                Task::Surface(Surface::named(params.choice("surface"))),
                None,
                10,
            )
        };
        // The seed moves the common start a little (the same for every racer).
        let mut start_rng = Rng::new(seed ^ 0x57a7);
        let jitter = [
            start_rng.uniform_range(-1.0, 1.0),
            start_rng.uniform_range(-1.0, 1.0),
        ];
        let mut racers = Vec::new();
        for &(key, name, colour) in &RACERS {
            if !params.bool(key) {
                continue;
            }
            let schedule = schedule_named(&schedule_name, lr, total, patience);
            let start = match &task {
                Task::Surface(s) => s.start_near(jitter),
                Task::Network { .. } => [0.0, 0.0],
            };
            racers.push(Racer {
                key,
                name,
                colour,
                optimizer: Optimizer::new(OptimizerSpec {
                    kind: optimizer_kind(key),
                    learning_rate: lr,
                })?,
                schedule: LrSchedule::new(schedule, lr)?,
                point: Tensor::from_vec(start.to_vec(), &[2])?,
                model: model.clone(),
                path: vec![[start[0] as f64, start[1] as f64]],
                losses: Vec::new(),
                rates: Vec::new(),
                epoch_losses: Vec::new(),
                diverged: false,
            });
        }
        let mut demo = OptimizerRaceDemo {
            task,
            racers,
            total,
            steps: 0,
            lr,
            schedule_name,
            tape: Tape::new(),
            contour: RasterCache::default(),
        };
        // Every curve starts at the common starting loss.
        for i in 0..demo.racers.len() {
            let l = demo.current_loss(i)?;
            demo.racers[i].losses.push(l);
        }
        Ok(demo)
    }

    pub fn racers(&self) -> &[Racer] {
        &self.racers
    }

    /// Racer `i`'s loss now: the surface above its minimum, or the network's loss on all points.
    fn current_loss(&self, i: usize) -> Result<f64> {
        let r = &self.racers[i];
        match &self.task {
            Task::Surface(s) => {
                let p = r.point.to_vec();
                Ok(s.value(p[0] as f64, p[1] as f64))
            }
            Task::Network { x, y, .. } => match &r.model {
                Some(m) => {
                    let out = m.predict(x)?;
                    let mut tape = Tape::new();
                    let (o, t) = (tape.constant(out), tape.constant(y.clone()));
                    let l = Loss::BinaryCrossEntropy.forward(&mut tape, o, t)?;
                    Ok(tape.value(l).item()? as f64)
                }
                None => Ok(f64::NAN),
            },
        }
    }

    fn step_all(&mut self) -> Result<()> {
        let step = self.steps;
        // Network mode: every racer gets the same mini-batch.
        let batch = match &mut self.task {
            Task::Network {
                x,
                y,
                order,
                rng,
                cursor,
            } => {
                let mut epoch_end = false;
                if *cursor >= order.len() {
                    *order = rng.permutation(order.len());
                    *cursor = 0;
                }
                let end = (*cursor + BATCH).min(order.len());
                let idx = &order[*cursor..end];
                let b = (x.gather_rows(idx)?, y.gather_rows(idx)?);
                *cursor = end;
                if *cursor >= order.len() {
                    epoch_end = true;
                }
                Some((b, epoch_end))
            }
            Task::Surface(_) => None,
        };
        for i in 0..self.racers.len() {
            if self.racers[i].diverged {
                continue;
            }
            let tape = &mut self.tape;
            tape.clear();
            let r = &mut self.racers[i];
            let lr = r.schedule.rate(step);
            let (value, grads) = match (&self.task, &batch, &mut r.model) {
                (Task::Surface(s), _, _) => {
                    let p = tape.leaf(r.point.clone());
                    let f = s.forward(tape, p)?;
                    tape.backward(f)?;
                    let g = tape.grad(p).cloned().unwrap_or_else(|| Tensor::zeros(&[2]));
                    (tape.value(f).item()? as f64, vec![g])
                }
                (Task::Network { .. }, Some(((xb, yb), _)), Some(model)) => {
                    let xi = tape.constant(xb.clone());
                    let (out, params) = model.forward(tape, xi, true)?;
                    let t = tape.constant(yb.clone());
                    let loss = Loss::BinaryCrossEntropy.forward(tape, out, t)?;
                    tape.backward(loss)?;
                    let grads = tape.grads_or_zeros(&params);
                    (tape.value(loss).item()? as f64, grads)
                }
                _ => continue,
            };
            match &mut r.model {
                Some(model) => r.optimizer.step(&mut model.params_mut(), &grads, lr)?,
                None => r.optimizer.step(&mut [&mut r.point], &grads, lr)?,
            }
            r.rates.push(lr as f64);
            let p = r.point.to_vec();
            if r.model.is_none() {
                r.path.push([p[0] as f64, p[1] as f64]);
            }
            r.epoch_losses.push(value);
            let now = self.current_loss(i)?;
            let r = &mut self.racers[i];
            r.losses.push(now);
            let far = r
                .path
                .last()
                .is_some_and(|q| q.iter().any(|v| v.abs() > 1e6));
            if !now.is_finite() || far {
                r.diverged = true;
            }
            // The performance schedule watches an "epoch": one step on a surface, one pass over the
            // points for a network.
            let epoch_end = batch.as_ref().is_none_or(|(_, e)| *e);
            if epoch_end && !r.diverged {
                let mean = r.epoch_losses.iter().sum::<f64>() / r.epoch_losses.len().max(1) as f64;
                r.schedule.end_epoch(mean as f32);
                r.epoch_losses.clear();
            }
        }
        self.steps += 1;
        Ok(())
    }
}

impl Demo for OptimizerRaceDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    /// One step of every racer.
    fn tick(&mut self) -> Progress {
        if self.steps >= self.total {
            return Progress::Done;
        }
        if self.step_all().is_err() {
            return Progress::Diverged;
        }
        if self.steps >= self.total {
            Progress::Done
        } else {
            Progress::Running
        }
    }

    fn ticks_per_frame(&self) -> usize {
        match self.task {
            Task::Surface(_) => 1,
            Task::Network { .. } => 2,
        }
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let (w, h) = area.dim_in_pixel();
        let (main, side_top, side_bottom) = if w >= h {
            let (left, right) = area.split_horizontally((w as f64 * 0.55) as u32);
            let (a, b) = right.split_vertically((h as f64 * 0.58) as u32);
            (left, a, b)
        } else {
            let (a, rest) = area.split_vertically((h as f64 * 0.45) as u32);
            let (b, c) = rest.split_vertically((h as f64 * 0.30) as u32);
            (a, b, c)
        };
        if self.racers.is_empty() {
            return viz::centered_text(&main, "Tick at least one optimizer to start a race");
        }
        match self.task {
            Task::Surface(s) => {
                self.draw_surface(&main, s)?;
                self.draw_losses(&side_top)?;
            }
            Task::Network { .. } => {
                self.draw_losses(&main)?;
                self.draw_standings(&side_top)?;
            }
        }
        self.draw_rates(&side_bottom)
    }

    fn metrics(&self) -> Vec<Metric> {
        let mut m = vec![Metric::new("step", "Step", self.steps as f64)];
        for r in &self.racers {
            let loss = if r.diverged {
                f64::INFINITY
            } else {
                r.losses.last().copied().unwrap_or(f64::NAN)
            };
            m.push(Metric::new(
                metric_key(r.key),
                r.name,
                if loss.is_finite() { loss } else { f64::NAN },
            ));
        }
        let leader = self
            .racers
            .iter()
            .filter(|r| !r.diverged)
            .min_by(|a, b| {
                let l = |r: &Racer| r.losses.last().copied().unwrap_or(f64::INFINITY);
                l(a).total_cmp(&l(b))
            })
            .map_or("—", |r| r.name);
        m.push(Metric::text("leader", "Leader", leader));
        m
    }

    fn status(&self) -> Option<String> {
        let out: Vec<&str> = self
            .racers
            .iter()
            .filter(|r| r.diverged)
            .map(|r| r.name)
            .collect();
        (!out.is_empty()).then(|| {
            format!(
                "{} diverged at this learning rate: lower it to keep them in the race",
                out.join(", ")
            )
        })
    }

    fn height_for_width(&self, width: u32) -> u32 {
        if width >= 720 {
            (width as f64 * 0.55) as u32
        } else {
            (width as f64 * 2.3).min(1400.0) as u32
        }
    }
}

/// The metric key of racer `key` (`loss_sgd`, ...).
fn metric_key(key: &str) -> &'static str {
    match key {
        "momentum" => "loss_momentum",
        "nesterov" => "loss_nesterov",
        "adagrad" => "loss_adagrad",
        "rmsprop" => "loss_rmsprop",
        "adam" => "loss_adam",
        "adamax" => "loss_adamax",
        "nadam" => "loss_nadam",
        "adamw" => "loss_adamw",
        _ => "loss_sgd",
    }
}
