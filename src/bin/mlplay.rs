//! `mlplay`: render demos and fit estimators from the command line (native builds only).

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    native::main()
}

// The wasm build is a library; this keeps `cargo build --target wasm32-unknown-unknown` whole.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use clap::{Parser, Subcommand};
    use mlplay::cli;
    use mlplay::error::{Error, Result};
    use std::path::PathBuf;
    use std::process::ExitCode;

    #[derive(Parser)]
    #[command(
        name = "mlplay",
        version,
        about = "mlplay: machine-learning demos and estimators from the command line"
    )]
    struct Args {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Draw a demo after a number of steps, to PNG or SVG.
        Render {
            /// Demo id, e.g. gradient-descent (see `mlplay list`).
            demo: String,
            /// Parameter override, repeatable: --set learning_rate=0.05
            #[arg(long = "set", value_name = "KEY=VALUE")]
            sets: Vec<String>,
            #[arg(long, default_value_t = mlplay::state::DEFAULT_SEED)]
            seed: u64,
            /// Smallest units of work to run before drawing (one update, one curve point, ...).
            #[arg(long, default_value_t = 0)]
            steps: usize,
            #[arg(long, default_value_t = 1200)]
            width: u32,
            /// Output file: .png or .svg
            #[arg(short, long)]
            output: PathBuf,
            #[command(flatten)]
            data: DataArgs,
            /// Start from a network saved with --save-model (demos that train one: playground,
            /// mnist-mlp).
            #[arg(long, value_name = "FILE")]
            load_model: Option<PathBuf>,
            /// After the steps, save the demo's network (architecture and weights) as JSON.
            #[arg(long, value_name = "FILE")]
            save_model: Option<PathBuf>,
        },
        /// Print the scikit-learn script that does what a demo does with these parameters.
        Python {
            /// Demo id, e.g. gradient-descent (see `mlplay list`).
            demo: String,
            /// Parameter override, repeatable: --set learning_rate=0.05
            #[arg(long = "set", value_name = "KEY=VALUE")]
            sets: Vec<String>,
            #[arg(long, default_value_t = mlplay::state::DEFAULT_SEED)]
            seed: u64,
            #[command(flatten)]
            data: DataArgs,
        },
        /// Fit an estimator on a CSV file and print a JSON summary.
        Fit {
            /// Estimator, e.g. ridge, logistic-regression, kmeans, pca, standard-scaler, pipeline,
            /// grid-search-cv, k-fold (see `mlplay list`). Wrappers take --set estimator=NAME and
            /// estimator.KEY=V; grid-search-cv takes grid.KEY=V1,V2; randomized-search-cv takes
            /// dist.KEY=loguniform(A,B) (or uniform, randint, or a list). learning-curve and
            /// validation-curve take estimator=NAME and cv, scoring; then train_sizes=0.1,0.55,1.0
            /// (fractions; whole numbers are row counts) or param=KEY values=V1,V2.
            estimator: String,
            /// CSV file with a header row.
            #[arg(long)]
            data: PathBuf,
            /// Name of the target column (not taken by the unsupervised estimators: kmeans, dbscan, pca...).
            #[arg(long)]
            target: Option<String>,
            #[arg(long = "set", value_name = "KEY=VALUE")]
            sets: Vec<String>,
            /// CSV file of rows to predict (same feature columns).
            #[arg(long)]
            predict: Option<PathBuf>,
            /// Also print the K-fold cross-validated score (`cv`: stratified folds and accuracy
            /// for classifiers, consecutive folds and R² for regressors).
            #[arg(long, value_name = "K")]
            cv: Option<usize>,
        },
        /// Fit a transformer on a CSV file and print the transformed rows as CSV.
        Transform {
            /// Reducer (pca, incremental-pca, gaussian-random-projection, sparse-random-projection,
            /// locally-linear-embedding, isomap: outputs c1..ck) or preprocessor (standard-scaler,
            /// min-max-scaler, simple-imputer, one-hot-encoder, ordinal-encoder,
            /// polynomial-features, column-transformer: outputs named as scikit-learn names them).
            estimator: String,
            /// CSV file with a header row; every column is a feature, except --target.
            #[arg(long)]
            data: PathBuf,
            /// Preprocessors only: a column to leave out of the transform and append unchanged.
            #[arg(long)]
            target: Option<String>,
            #[arg(long = "set", value_name = "KEY=VALUE")]
            sets: Vec<String>,
        },
        /// Time MLP training on the bundled MNIST images (the native side of `scripts/bench mlp`)
        /// and print JSON: median milliseconds per run of --batches mini-batches, and samples/s.
        BenchMlp {
            /// Hidden ReLU neurons (784-HIDDEN-10).
            #[arg(long, default_value_t = 128)]
            hidden: usize,
            /// Images per mini-batch.
            #[arg(long, default_value_t = 64)]
            batch: usize,
            /// Mini-batches per timed run.
            #[arg(long, default_value_t = 200)]
            batches: usize,
            /// Timed runs (after one untimed warm-up run of the same length).
            #[arg(long, default_value_t = 5)]
            repeat: usize,
            /// cpu, or gpu (the first Vulkan/Metal/DX12 adapter; lavapipe where there is no GPU).
            #[arg(long, default_value = "cpu")]
            device: String,
        },
        /// Time square matrix products on a device and print one JSON line per size: median
        /// milliseconds per product and GFLOP/s (2 n^3 flops each).
        BenchMatmul {
            /// Comma-separated sizes n of the n x n by n x n products.
            #[arg(long, default_value = "256,512,1024,2048")]
            sizes: String,
            /// Timed products per size (after one untimed warm-up product).
            #[arg(long, default_value_t = 5)]
            repeat: usize,
            /// cpu or gpu, as for bench-mlp.
            #[arg(long, default_value = "cpu")]
            device: String,
        },
        /// List demos and estimators.
        List,
    }

    /// The device named on the command line, opened, and a description for the benchmark output.
    fn open_device(name: &str) -> Result<(mlplay::tensor::Device, String)> {
        use mlplay::tensor::{gpu, Device};
        match name {
            "cpu" => Ok((Device::Cpu, "cpu".into())),
            "gpu" => {
                let info = gpu::init_blocking()?;
                let kind = if info.software { ", software" } else { "" };
                Ok((
                    Device::Gpu,
                    format!("{} ({}{kind})", info.name, info.backend),
                ))
            }
            other => Err(Error::invalid("device", other, "cpu or gpu")),
        }
    }

    /// Median milliseconds of one n x n product on `device`. On the GPU each timed product ends
    /// with reading one value back, so the time includes the GPU finishing its work.
    fn time_matmul(n: usize, device: mlplay::tensor::Device, repeat: usize) -> Result<f64> {
        use mlplay::rng::Rng;
        use mlplay::tensor::Tensor;
        let mut rng = Rng::new(1);
        let a = Tensor::randn(&[n, n], 1.0, &mut rng).to_device(device)?;
        let b = Tensor::randn(&[n, n], 1.0, &mut rng).to_device(device)?;
        let product = || -> Result<f32> {
            let c = a.matmul(&b)?;
            c.slice_axis(0, 0, 1)?.slice_axis(1, 0, 1)?.item()
        };
        product()?;
        let mut times = Vec::with_capacity(repeat);
        for _ in 0..repeat {
            let start = std::time::Instant::now();
            product()?;
            times.push(start.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        Ok(times[times.len() / 2])
    }

    fn read(path: &PathBuf) -> Result<String> {
        std::fs::read_to_string(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))
    }

    /// A CSV to run a demo on instead of its own data, as an upload in the page.
    #[derive(clap::Args)]
    struct DataArgs {
        /// CSV file with a header row, for demos that take uploads (see `mlplay list`).
        #[arg(long)]
        data: Option<PathBuf>,
        /// With --data: the feature columns, comma-separated (default: the first numeric ones).
        #[arg(long, value_delimiter = ',', requires = "data")]
        features: Option<Vec<String>>,
        /// With --data: the target column (default: the last that fits the demo).
        #[arg(long, requires = "data")]
        target: Option<String>,
    }

    impl DataArgs {
        fn choice(self) -> Option<cli::DataChoice> {
            self.data.map(|path| cli::DataChoice {
                path,
                features: self.features,
                target: self.target,
            })
        }
    }

    fn sets(raw: &[String]) -> Result<Vec<(String, String)>> {
        raw.iter().map(|s| cli::split_assignment(s)).collect()
    }

    fn run(args: Args) -> Result<()> {
        match args.command {
            Command::Render {
                demo,
                sets: raw,
                seed,
                steps,
                width,
                output,
                data,
                load_model,
                save_model,
            } => {
                let params = cli::demo_params(&demo, &sets(&raw)?, data.choice().as_ref())?;
                let models = cli::ModelFiles {
                    load: load_model.as_ref().map(read).transpose()?,
                    save: save_model,
                };
                let metrics = cli::render(&demo, &params, seed, steps, (width, &output), &models)?;
                let summary: Vec<String> = metrics
                    .iter()
                    .map(|m| format!("{}={}", m.key, m.text))
                    .collect();
                println!("wrote {} ({})", output.display(), summary.join(", "));
            }
            Command::Python {
                demo,
                sets: raw,
                seed,
                data,
            } => {
                let params = cli::demo_params(&demo, &sets(&raw)?, data.choice().as_ref())?;
                print!("{}", cli::python(&demo, &params, seed)?)
            }
            Command::Fit {
                estimator,
                data,
                target,
                sets: raw,
                predict,
                cv,
            } => {
                cli::check_fit_args(&estimator, target.is_some(), predict.is_some())?;
                if cv.is_some() {
                    cli::check_cv_arg(&estimator)?;
                }
                let predict_text = predict.as_ref().map(read).transpose()?;
                let text = read(&data)?;
                let sets = sets(&raw)?;
                let mut out = cli::fit_csv(
                    &estimator,
                    &text,
                    target.as_deref(),
                    &sets,
                    predict_text.as_deref(),
                )?;
                if let Some(k) = cv {
                    let target = target.as_deref().ok_or_else(|| {
                        Error::Io(format!("{estimator} is unsupervised: --cv needs --target"))
                    })?;
                    out["cv"] = cli::cross_validate_csv(&estimator, &text, target, &sets, k)?;
                }
                println!("{out}");
            }
            Command::Transform {
                estimator,
                data,
                target,
                sets: raw,
            } => {
                let text = read(&data)?;
                print!(
                    "{}",
                    cli::transform(&estimator, &text, target.as_deref(), &sets(&raw)?)?
                );
            }
            Command::BenchMlp {
                hidden,
                batch,
                batches,
                repeat,
                device,
            } => {
                let (device, adapter) = open_device(&device)?;
                let mut bench = mlplay::nn::MlpBench::new(hidden, batch, 0)?;
                bench.to_device(device)?;
                bench.run(batches)?;
                let mut times = Vec::new();
                let mut loss = f32::NAN;
                for _ in 0..repeat.max(1) {
                    let start = std::time::Instant::now();
                    loss = bench.run(batches)?;
                    times.push(start.elapsed().as_secs_f64() * 1e3);
                }
                times.sort_by(f64::total_cmp);
                let ms = times[times.len() / 2];
                let out = serde_json::json!({
                    "network": format!("784-{hidden}-10"),
                    "batch": batch,
                    "batches": batches,
                    "ms": ms,
                    "samples_per_s": (batches * batch) as f64 / (ms / 1e3),
                    "loss": loss,
                    "device": adapter,
                });
                println!("{out}");
            }
            Command::BenchMatmul {
                sizes,
                repeat,
                device,
            } => {
                let (device, adapter) = open_device(&device)?;
                for size in sizes.split(',') {
                    let n: usize = size
                        .trim()
                        .parse()
                        .map_err(|_| Error::invalid("sizes", size, "whole numbers"))?;
                    let ms = time_matmul(n, device, repeat.max(1))?;
                    let out = serde_json::json!({
                        "n": n,
                        "ms": ms,
                        "gflops": 2.0 * (n as f64).powi(3) / (ms / 1e3) / 1e9,
                        "device": adapter,
                    });
                    println!("{out}");
                }
            }
            Command::List => {
                println!("demos:");
                for spec in mlplay::demos::all_specs() {
                    let keys: Vec<&str> = spec.params.iter().map(|p| p.key).collect();
                    let data = if spec.upload.is_some() {
                        " (takes --data)"
                    } else {
                        ""
                    };
                    println!(
                        "  {:<24} {} [{}]{data}",
                        spec.id,
                        spec.title,
                        keys.join(", ")
                    );
                }
                println!("estimators:\n  {}", cli::ESTIMATORS.join("\n  "));
                println!(
                    "unsupervised (no --target):\n  {}",
                    cli::UNSUPERVISED.join("\n  ")
                );
                println!(
                    "transformers (mlplay transform):\n  {}",
                    [cli::TRANSFORMERS, cli::PREPROCESSORS]
                        .concat()
                        .join("\n  ")
                );
                println!(
                    "splitters (print row indices; stratified ones take --target):\n  {}",
                    cli::SPLITTERS.join("\n  ")
                );
                println!(
                    "curves (score --set estimator=NAME per training size or parameter value):\n  {}",
                    cli::CURVES.join("\n  ")
                );
            }
        }
        Ok(())
    }

    pub fn main() -> ExitCode {
        match run(Args::parse()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        }
    }
}
