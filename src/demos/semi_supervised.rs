//! Chapter 9: k-means as a labelling aid (semi-supervised learning) on the bundled digits. With a
//! budget of `n_labels` labels, k-means (k = n_labels) clusters the 1,400 training images one
//! Lloyd step per tick; the image closest to each centroid is "labelled" (its true label is
//! revealed). Then three logistic regressions are trained, one L-BFGS iteration per tick, and
//! scored on the 397 held-out images: on `n_labels` random images, on the representatives, and on
//! every image with its cluster's label propagated to it.

use super::{Demo, DemoSpec, Metric, ParamKind, ParamSpec, Params};
use crate::cluster::{InitMethod, KMeans, KMeansRun};
use crate::data::{bundled, Dataset};
use crate::error::Result;
use crate::estimator::{Classifier, Iterative, Progress};
use crate::linear::{LogisticRegression, LogisticRun};
use crate::rng::Rng;
use crate::viz;
use ndarray::Array1;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Images used for training; the rest of the 1,797 are held out.
const TRAIN: usize = 1400;
/// L-BFGS iterations per logistic regression at most.
const MAX_LR_ITER: usize = 200;
const APPROACHES: [&str; 5] = [
    "random",
    "representatives",
    "propagated",
    "all labels",
    "all + k-means",
];

enum Phase {
    Clustering(Box<KMeansRun>),
    /// Training approach `usize` (0..3).
    Training(usize, Box<LogisticRun>),
    Done,
}

pub struct SemiSupervisedDemo {
    train: Dataset,
    test: Dataset,
    n_labels: usize,
    rng: Rng,
    phase: Phase,
    kmeans_steps: usize,
    /// Index (into `train`) of the image closest to each centroid.
    representatives: Vec<usize>,
    /// Each training image's cluster, for the propagated training set.
    cluster_labels: Vec<usize>,
    /// Share of training images whose propagated label is right.
    propagation_accuracy: f64,
    /// Held-out accuracy per approach, once trained.
    accuracy: [Option<f64>; 5],
    /// The fitted clustering, whose centroid distances are approach 4's features.
    kmeans: Option<KMeans>,
}

impl SemiSupervisedDemo {
    pub const SPEC: DemoSpec = DemoSpec {
        id: "semi-supervised",
        title: "k-means on the digits: which images to label, and centroid distances as features",
        chapter: "09-unsupervised-learning",
        upload: None,
        params: &[ParamSpec {
            key: "n_labels",
            label: "Labels you can afford",
            help: "How many training images get a label (and the k of k-means).",
            kind: ParamKind::Int {
                min: 10,
                max: 150,
                default: 50,
            },
        }],
    };

    pub fn new(params: &Params, seed: u64) -> Result<Self> {
        let mut rng = Rng::new(seed);
        let (train, test) = bundled::digits_split(&mut rng, TRAIN)?;
        let n_labels = params.usize("n_labels");
        let run = KMeans::params()
            .n_clusters(n_labels)
            .init(InitMethod::Random)
            .random_state(rng.next_u64())
            .start(train.x.view())?;
        Ok(SemiSupervisedDemo {
            train,
            test,
            n_labels,
            rng,
            phase: Phase::Clustering(Box::new(run)),
            kmeans_steps: 0,
            representatives: Vec::new(),
            cluster_labels: Vec::new(),
            propagation_accuracy: f64::NAN,
            accuracy: [None; 5],
            kmeans: None,
        })
    }

    /// The training set of approach `i`.
    fn training_set(&mut self, i: usize, labels: &[usize]) -> Dataset {
        match i {
            0 => {
                let picks = self.rng.permutation(TRAIN);
                self.train.select(&picks[..self.n_labels])
            }
            1 => self.train.select(&self.representatives),
            3 => self.train.clone(),
            4 => Dataset {
                x: self.features(&self.train),
                ..self.train.clone()
            },
            _ => {
                // Every image takes the (true) label of its cluster's representative.
                let y = Array1::from_iter(
                    labels
                        .iter()
                        .map(|&c| self.train.y[self.representatives[c]]),
                );
                Dataset {
                    y,
                    ..self.train.clone()
                }
            }
        }
    }

    /// k-means as preprocessing: each image described by its distances to the centroids.
    fn features(&self, data: &Dataset) -> ndarray::Array2<f64> {
        match &self.kmeans {
            Some(k) => k
                .transform(data.x.view())
                .unwrap_or_else(|_| data.x.clone()),
            None => data.x.clone(),
        }
    }

    fn finish_clustering(&mut self, kmeans: &KMeans) -> Result<Phase> {
        let distances = kmeans.transform(self.train.x.view())?;
        self.representatives = distances
            .columns()
            .into_iter()
            .map(|col| {
                col.iter()
                    .enumerate()
                    .fold(
                        (0, f64::INFINITY),
                        |b, (i, &d)| if d < b.1 { (i, d) } else { b },
                    )
                    .0
            })
            .collect();
        let labels = kmeans.labels.clone();
        let right = labels
            .iter()
            .enumerate()
            .filter(|&(i, &c)| self.train.y[self.representatives[c]] == self.train.y[i])
            .count();
        self.propagation_accuracy = right as f64 / TRAIN as f64;
        self.cluster_labels = labels;
        self.kmeans = Some(kmeans.clone());
        self.start_training(0)
    }

    fn start_training(&mut self, i: usize) -> Result<Phase> {
        if i >= APPROACHES.len() {
            return Ok(Phase::Done);
        }
        let labels = self.cluster_labels.clone();
        let data = self.training_set(i, &labels);
        let run = LogisticRegression::params()
            .max_iter(MAX_LR_ITER)
            .start(&data)?;
        Ok(Phase::Training(i, Box::new(run)))
    }

    fn advance(&mut self) -> Result<Progress> {
        let phase = std::mem::replace(&mut self.phase, Phase::Done);
        self.phase = match phase {
            Phase::Clustering(mut run) => {
                let progress = run.step()?;
                self.kmeans_steps += 1;
                if progress == Progress::Running {
                    Phase::Clustering(run)
                } else {
                    self.finish_clustering(&run.model())?
                }
            }
            Phase::Training(i, mut run) => {
                let progress = run.step()?;
                if progress == Progress::Running && run.iterations() < MAX_LR_ITER {
                    Phase::Training(i, run)
                } else {
                    let model = run.model();
                    let test_x = if i == 4 {
                        self.features(&self.test)
                    } else {
                        self.test.x.clone()
                    };
                    self.accuracy[i] = Some(model.score(test_x.view(), self.test.y.view())?);
                    self.start_training(i + 1)?
                }
            }
            Phase::Done => Phase::Done,
        };
        Ok(match self.phase {
            Phase::Done => Progress::Done,
            _ => Progress::Running,
        })
    }

    fn draw_representatives<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<()> {
        if self.representatives.is_empty() {
            let text = format!("k-means step {} of at most 300…", self.kmeans_steps);
            return viz::centered_text(area, &text);
        }
        let patches: Vec<_> = self
            .representatives
            .iter()
            .map(|&i| (self.train.x.row(i), format!("{}", self.train.y[i])))
            .collect();
        let caption = format!(
            "The {} images nearest the centroids, with their labels",
            self.n_labels
        );
        // Pixels were scaled to 0..1 for the classifier.
        viz::draw_patch_grid(area, &caption, &patches, 0.0, 1.0)
    }

    fn draw_accuracy<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let mut chart = viz::chart(
            area,
            "Held-out accuracy of logistic regression",
            -0.5..4.5,
            0.0..1.2,
            "labelled images the model was trained on",
            "accuracy on 397 images",
        )?;
        let colours = [viz::GREY, viz::BLUE, viz::GREEN, viz::PURPLE, viz::ORANGE];
        for (i, acc) in self.accuracy.iter().enumerate() {
            let Some(a) = *acc else { continue };
            let x = i as f64;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.3, 0.0), (x + 0.3, a)],
                colours[i].mix(0.8).filled(),
            )))?;
            let fs = viz::font_size(area) - 1;
            let centred = ("sans-serif", fs).into_font().color(&viz::INK).pos(
                plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Bottom,
                ),
            );
            for (line, text) in [
                (1.0, APPROACHES[i].to_string()),
                (0.0, format!("{:.1}%", a * 100.0)),
            ] {
                chart.draw_series(std::iter::once(Text::new(
                    text,
                    (x, a + 0.015 + line * 0.07),
                    centred.clone(),
                )))?;
            }
        }
        Ok(())
    }
}

impl Demo for SemiSupervisedDemo {
    fn spec(&self) -> &'static DemoSpec {
        &Self::SPEC
    }

    fn tick(&mut self) -> Progress {
        self.advance().unwrap_or(Progress::Diverged)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        area.fill(&WHITE)?;
        let panels = viz::panels(area, 2);
        self.draw_representatives(&panels[0])?;
        self.draw_accuracy(&panels[1])?;
        Ok(())
    }

    fn height_for_width(&self, width: u32) -> u32 {
        viz::two_panel_height(width)
    }

    fn metrics(&self) -> Vec<Metric> {
        let acc = |i: usize| self.accuracy[i].unwrap_or(f64::NAN);
        vec![
            Metric::new("kmeans_steps", "k-means steps", self.kmeans_steps as f64),
            Metric::new(
                "propagation_accuracy",
                "Propagated labels that are right",
                self.propagation_accuracy,
            ),
            Metric::new("acc_random", "Accuracy: random images", acc(0)),
            Metric::new("acc_representatives", "Accuracy: representatives", acc(1)),
            Metric::new("acc_propagated", "Accuracy: labels propagated", acc(2)),
            Metric::new("acc_all", "Accuracy: all 1400 labels", acc(3)),
            Metric::new(
                "acc_all_kmeans",
                "Accuracy: all labels, distances to centroids",
                acc(4),
            ),
        ]
    }
}
