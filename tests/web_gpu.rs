//! The in-browser subset of the device conformance suite (`device_conformance.rs` runs the whole
//! suite natively): open WebGPU in headless Chromium (a software adapter here, so the tensors are
//! tiny), run a matrix product, a broadcast, a unary map and a softmax there, read the results
//! back asynchronously and compare them with the CPU's.
#![cfg(target_arch = "wasm32")]

use crate::tensor_ops::assert_close;
use mlplay::tensor::{gpu, Device, Tensor, Unary};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
async fn webgpu_kernels_agree_with_the_cpu() {
    let info = gpu::init()
        .await
        .expect("headless Chromium with --enable-unsafe-webgpu offers an adapter");
    assert_eq!(info.backend, "webgpu", "{info:?}");
    let a = Tensor::from_vec((0..35).map(|i| (i as f32 * 0.37).sin()).collect(), &[5, 7]).unwrap();
    let b = Tensor::from_vec((0..21).map(|i| (i as f32 * 0.11).cos()).collect(), &[7, 3]).unwrap();
    let bias = Tensor::from_vec(vec![0.5, -1.0, 2.0], &[3]).unwrap();
    let cpu = a.matmul(&b).unwrap().add(&bias).unwrap().unary(Unary::Gelu);
    let (ga, gb) = (
        a.to_device(Device::Gpu).unwrap(),
        b.to_device(Device::Gpu).unwrap(),
    );
    // The bias stays on the CPU: a mixed operation uploads it.
    let gpu_out = ga
        .matmul(&gb)
        .unwrap()
        .add(&bias)
        .unwrap()
        .unary(Unary::Gelu);
    assert_eq!(gpu_out.device(), Device::Gpu);
    assert_close(&gpu_out.read().await.unwrap(), &cpu.to_vec(), 1e-5);
    let sm = cpu.softmax().unwrap().sum_axis(0, false).unwrap();
    let gsm = gpu_out.softmax().unwrap().sum_axis(0, false).unwrap();
    assert_close(&gsm.read().await.unwrap(), &sm.to_vec(), 1e-5);
    // After `read`, synchronous access is allowed and free.
    assert_eq!(gsm.to_vec().len(), 3);
    assert_eq!(gpu::failure(), None);
}
