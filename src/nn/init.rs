//! Weight initialisers: Glorot (Xavier), He and LeCun, each uniform or normal.
//!
//! All three scale the variance by a fan: Glorot by the average of fan-in and fan-out, He by fan-in
//! with twice the variance (for ReLU), LeCun by fan-in (for SELU). Uniform draws lie in
//! `[-sqrt(3 s / fan), sqrt(3 s / fan)]`; normal draws have standard deviation `sqrt(s / fan)`
//! (an untruncated normal, as PyTorch's `xavier_normal_`/`kaiming_normal_`; Keras truncates).

use crate::rng::Rng;
use crate::tensor::Tensor;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Initializer {
    /// Keras's default for `Dense`.
    #[default]
    GlorotUniform,
    GlorotNormal,
    HeUniform,
    HeNormal,
    LecunUniform,
    LecunNormal,
    Zeros,
}

impl Initializer {
    /// (scale, fan) for a (fan_in, fan_out) kernel.
    fn variance(self, fan_in: usize, fan_out: usize) -> (f32, f32) {
        let (fi, fo) = (fan_in.max(1) as f32, fan_out.max(1) as f32);
        match self {
            Initializer::GlorotUniform | Initializer::GlorotNormal => (1.0, (fi + fo) / 2.0),
            Initializer::HeUniform | Initializer::HeNormal => (2.0, fi),
            Initializer::LecunUniform | Initializer::LecunNormal | Initializer::Zeros => (1.0, fi),
        }
    }

    /// A (fan_in, fan_out) kernel drawn from `rng`.
    pub fn kernel(self, fan_in: usize, fan_out: usize, rng: &mut Rng) -> Tensor {
        let shape = [fan_in, fan_out];
        let (scale, fan) = self.variance(fan_in, fan_out);
        match self {
            Initializer::Zeros => Tensor::zeros(&shape),
            Initializer::GlorotUniform | Initializer::HeUniform | Initializer::LecunUniform => {
                let limit = (3.0 * scale / fan).sqrt();
                Tensor::uniform(&shape, -limit, limit, rng)
            }
            Initializer::GlorotNormal | Initializer::HeNormal | Initializer::LecunNormal => {
                Tensor::randn(&shape, (scale / fan).sqrt(), rng)
            }
        }
    }
}
