// MLP training throughput in headless Chromium, in one page and one run: ours (the site's wasm
// module, `MlpBench`) against TensorFlow.js 4.22 with its cpu and wasm backends, all training the
// same 784-128-10 network (ReLU, He-normal init, softmax cross-entropy, SGD at 0.01) on the same
// 4000 MNIST images (taken from our module, so the numbers are identical) in batches of 64, each
// batch gathered from a shuffled order. Also runs the native CLI (`mlplay bench-mlp`) for the
// native row. Where the browser has WebGPU (Chromium runs with --enable-unsafe-webgpu; headless it
// is SwiftShader, a software adapter), ours on the GPU device (`mlp_bench_gpu`) and TensorFlow.js's
// webgpu backend train the same network there, both reading the loss back every 16 batches
// without blocking, for GPU_BATCHES mini-batches per run. Prints a Markdown table.
// Usage: node scripts/bench.d/mlp.mjs SITE_URL MLPLAY_BINARY [BATCHES] [REPEAT] [GPU_BATCHES]
// Each side: one untimed warm-up run of BATCHES mini-batches, then the median of REPEAT timed runs.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [site, binary, batchesArg, repeatArg] = process.argv.slice(2);
const batches = Number(batchesArg || 100);
const repeat = Number(repeatArg || 5);
const gpuBatches = Number(process.argv[6] || 16);
const [hidden, batch] = [128, 64];

const native = JSON.parse(execFileSync(binary, ['bench-mlp', '--hidden', `${hidden}`, '--batch', `${batch}`,
  '--batches', `${batches}`, '--repeat', `${repeat}`], { encoding: 'utf8' }));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
    '--enable-unsafe-webgpu'],
});
const page = await browser.newPage();
// A blank page on the site's origin; TensorFlow.js comes from node_modules under /tfjs/.
const tfjs = {
  'tf.min.js': 'node_modules/@tensorflow/tfjs/dist/tf.min.js',
  'tf-backend-wasm.min.js': 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js',
  'tfjs-backend-wasm.wasm': 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm': 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm': 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm',
  'tf-backend-webgpu.min.js': 'node_modules/@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js',
};
await page.route('**/bench.html', (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>bench</title>' }));
await page.route('**/tfjs/**', (r) => {
  const name = new URL(r.request().url()).pathname.split('/').pop();
  const type = name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
  return tfjs[name] ? r.fulfill({ contentType: type, path: resolve(tfjs[name]) }) : r.fulfill({ status: 404 });
});
page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
page.on('console', (m) => m.type() === 'error' && console.error(`console: ${m.text()}`));
await page.goto(new URL('bench.html', site).href);
await page.addScriptTag({ url: '/tfjs/tf.min.js' });
await page.addScriptTag({ url: '/tfjs/tf-backend-wasm.min.js' });
await page.addScriptTag({ url: '/tfjs/tf-backend-webgpu.min.js' });

const results = await page.evaluate(async ({ batches, repeat, hidden, batch, gpuBatches }) => {
  const mlplay = await import('./mlplay.js');
  await mlplay.default();
  const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const timed = async (run) => {
    let loss = await run(); // warm-up
    const times = [];
    for (let i = 0; i < repeat; i++) {
      const t0 = performance.now();
      loss = await run();
      times.push(performance.now() - t0);
    }
    return { ms: median(times), times, loss };
  };
  const out = { isolated: self.crossOriginIsolated, simd: WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11])) };

  const ours = new mlplay.MlpBench(hidden, batch, 0);
  out.ours = await timed(async () => ours.run(batches));

  const inputs = mlplay.mnist_train_inputs();
  const labels = mlplay.mnist_train_labels();
  const n = labels.length;
  tf.wasm.setWasmPaths('/tfjs/');
  const adapter = navigator.gpu ? await navigator.gpu.requestAdapter() : null;
  const backends = ['cpu', 'wasm'];
  if (adapter) {
    const info = adapter.info ?? {};
    out.adapter = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unnamed';
    const gpu = await mlplay.mlp_bench_gpu(hidden, batch, gpuBatches, repeat);
    out.oursGpu = { ms: median(gpu.times_ms), times: gpu.times_ms, loss: gpu.loss, adapter: gpu.adapter, software: gpu.software };
    backends.push('webgpu');
  }
  for (const backend of backends) {
    // On the GPU, both sides read the loss back every 16 batches (one read of their sum), as
    // ours does; on the CPU backends a read costs nothing and TensorFlow.js reads every batch.
    const deferred = backend === 'webgpu';
    const pending = [];
    await tf.setBackend(backend);
    await tf.ready();
    tf.util.seedrandom?.(0);
    const xs = tf.tensor2d(inputs, [n, 784]);
    const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat();
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [784], units: hidden, activation: 'relu', kernelInitializer: 'heNormal' }),
        tf.layers.dense({ units: 10 }),
      ],
    });
    const optimizer = tf.train.sgd(0.01);
    // The same kind of shuffled order as ours: a permutation per epoch, batches gathered from it.
    let order = [];
    let cursor = n;
    let epochLoss = 0;
    let epochBatches = 0;
    let lastEpochLoss = NaN;
    const shuffle = () => {
      order = tf.util.createShuffledIndices(n);
      cursor = 0;
    };
    const step = () => {
      if (cursor >= n) {
        if (epochBatches) lastEpochLoss = epochLoss / epochBatches;
        [epochLoss, epochBatches] = [0, 0];
        shuffle();
      }
      const idx = order.slice(cursor, Math.min(cursor + batch, n));
      cursor += idx.length;
      const loss = tf.tidy(() => {
        const i = tf.tensor1d(Int32Array.from(idx), 'int32');
        const xb = tf.gather(xs, i);
        const yb = tf.gather(ys, i);
        return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yb, model.apply(xb)), true);
      });
      epochBatches += 1;
      if (!deferred) {
        epochLoss += loss.dataSync()[0]; // waits for the step, as ours returns after it
        loss.dispose();
      } else {
        pending.push(loss);
      }
    };
    const readPending = async () => {
      if (!pending.length) return;
      const sum = tf.addN(pending.splice(0));
      epochLoss += (await sum.data())[0];
      sum.dispose();
    };
    const runs = deferred ? gpuBatches : batches;
    out[backend] = await timed(async () => {
      for (let b = 0; b < runs; b++) {
        if (deferred && cursor >= n) await readPending(); // an epoch ends with the next step
        step();
        if (deferred && pending.length >= 16) await readPending();
      }
      await readPending();
      if (deferred) {
        // The losses depend on the forward passes only: reading the output layer's weights also
        // waits for the last update (ours reads its weights back at the end of a run too).
        const weights = model.getWeights();
        await weights[weights.length - 2].data();
      }
      return lastEpochLoss;
    });
    out[backend].batches = runs;
    out[backend].backend = tf.getBackend();
    xs.dispose();
    ys.dispose();
  }
  return out;
}, { batches, repeat, hidden, batch, gpuBatches });
const version = browser.version();
await browser.close();

const samples = batches * batch;
const rate = (ms, runs = batches) => (runs * batch) / (ms / 1000);
const best = Math.max(rate(results.cpu.ms), rate(results.wasm.ms));
const fmt = (v) => Math.round(v).toLocaleString('en-US');
const loss = (v) => (Number.isFinite(v) ? v.toFixed(3) : '—');
console.log(`Chromium ${version}; crossOriginIsolated=${results.isolated} (so no wasm threads for anyone); wasm SIMD ${results.simd ? 'available' : 'missing'}.`);
console.log(`784-${hidden}-10 MLP, batch ${batch}, SGD 0.01, ${batches} mini-batches per timed run; median of ${repeat} runs after one warm-up.`);
console.log();
console.log('| trainer | samples/s | ms per batch | last epoch loss | ours in wasm / this |');
console.log('|---|---:|---:|---:|---:|');
const row = (name, ms, l) => console.log(`| ${name} | ${fmt(rate(ms))} | ${(ms / batches).toFixed(2)} | ${loss(l)} | **${(rate(results.ours.ms) / rate(ms)).toFixed(2)}x** |`);
row('mlplay, wasm (CPU path) in Chromium', results.ours.ms, results.ours.loss);
row(`TensorFlow.js 4.22, ${results.cpu.backend} backend`, results.cpu.ms, results.cpu.loss);
row(`TensorFlow.js 4.22, ${results.wasm.backend} backend`, results.wasm.ms, results.wasm.loss);
row('mlplay, native (release CLI)', native.ms, native.loss);
console.log();
console.log(`Ours in wasm against TensorFlow.js's best CPU backend: **${(rate(results.ours.ms) / best).toFixed(2)}x** the throughput.`);
for (const k of ['ours', 'cpu', 'wasm', 'oursGpu', 'webgpu']) {
  if (results[k]) console.error(`${k}: ${results[k].times.map((t) => t.toFixed(0)).join(' ')} ms`);
}
if (results.oursGpu) {
  const [ours, theirs] = [rate(results.oursGpu.ms, gpuBatches), rate(results.webgpu.ms, gpuBatches)];
  const kind = results.oursGpu.software ? 'a software adapter: slower than the CPU paths, not a GPU figure' : 'a hardware adapter';
  console.log();
  console.log(`WebGPU adapter: ${results.adapter} (wgpu: "${results.oursGpu.adapter}"; ${kind}); ${gpuBatches} mini-batches per timed run.`);
  console.log();
  console.log('| trainer on WebGPU | samples/s | ms per batch | ours / this |');
  console.log('|---|---:|---:|---:|');
  console.log(`| mlplay, GPU device | ${fmt(ours)} | ${(results.oursGpu.ms / gpuBatches).toFixed(1)} | **1.00x** |`);
  console.log(`| TensorFlow.js 4.22, ${results.webgpu.backend} backend | ${fmt(theirs)} | ${(results.webgpu.ms / gpuBatches).toFixed(1)} | **${(ours / theirs).toFixed(2)}x** |`);
} else {
  console.log();
  console.log('No WebGPU adapter in this browser: no GPU rows.');
}
