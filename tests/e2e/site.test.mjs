// End-to-end tests for the built mlplay site.
//
// Run with `node --test tests/e2e/site.test.mjs` while the site is being served
// (the runner script starts the server and sets SITE_URL). Environment:
//   SITE_URL  base URL of the served site (default http://127.0.0.1:8080/)
//   CHROMIUM  Chromium/Chrome executable (default /usr/bin/chromium)
//
// Screenshots (full page PNGs) go to target/e2e/; a failing test also leaves
// `<id>-failure.png` there. Everything is checked through the DOM only.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

const SITE_URL = (() => {
  const raw = process.env.SITE_URL || 'http://127.0.0.1:8080/';
  return raw.endsWith('/') || /\.html?$/.test(raw) ? raw : `${raw}/`;
})();
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOT_DIR = join(REPO_ROOT, 'target', 'e2e');

const CH4 = '04-training-linear-models';
const GD = 'gradient-descent';
const TEST_TIMEOUT_MS = 30_000;
const READY_TIMEOUT_MS = 20_000;
const ACTION_TIMEOUT_MS = 10_000;
const MIN_CANVAS_COLOURS = 10;
const LONGTASK_LIMIT_MS = 50;

/** Absolute URL of a site page plus a hash (without the leading '#'). */
function siteUrl(page, hash = '') {
  const url = new URL(page, SITE_URL);
  url.hash = hash;
  return url.href;
}
const chapterUrl = (hash = `chapter=${CH4}`) => siteUrl('index.html', hash);

// ---------------------------------------------------------------------------
// Browser / page helpers
// ---------------------------------------------------------------------------

let browser;

before(async () => {
  mkdirSync(SHOT_DIR, { recursive: true });
  // Fail fast with a clear message when nothing is being served.
  try {
    const res = await fetch(siteUrl('index.html'));
    assert.ok(res.ok, `GET ${siteUrl('index.html')} answered HTTP ${res.status}`);
  } catch (err) {
    throw new Error(`site not reachable at ${SITE_URL} (set SITE_URL): ${err.message}`);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--enable-unsafe-webgpu',
    ],
  });
});

after(async () => {
  await browser?.close();
});

function isFaviconNoise(text, url) {
  return /favicon/i.test(text) || /favicon/i.test(url || '');
}

/** A fresh, isolated page that records console errors and uncaught exceptions. */
async function newPage({ viewport = { width: 1280, height: 900 } } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = msg.location()?.url || '';
    if (isFaviconNoise(msg.text(), url)) return;
    errors.push(`console.error: ${msg.text()}${url ? ` (${url})` : ''}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.stack || err.message || err}`));
  page.on('crash', () => errors.push('page crashed'));
  return { context, page, errors };
}

async function screenshot(page, name) {
  await page.screenshot({ path: join(SHOT_DIR, `${name}.png`), fullPage: true });
}

/**
 * Declares one end-to-end test: gives the body a fresh page, fails the test if
 * any console error / page error was recorded, and leaves a screenshot behind
 * when the test fails.
 */
function e2e(id, title, body, { viewport, timeout = TEST_TIMEOUT_MS } = {}) {
  test(title, { timeout }, async (t) => {
    const { context, page, errors } = await newPage({ viewport });
    try {
      await body({ page, errors, t });
      assert.deepEqual(errors, [], `console errors / page errors on the page:\n${errors.join('\n')}`);
    } catch (err) {
      for (const e of errors) t.diagnostic(`page error: ${e}`);
      await page
        .screenshot({ path: join(SHOT_DIR, `${id}-failure.png`), fullPage: true, timeout: 5_000 })
        .catch(() => {});
      throw err;
    } finally {
      await context.close().catch(() => {});
    }
  });
}

/** Waits until the app has initialised (`<body data-ready="1">`). */
async function waitReady(page) {
  await page.waitForFunction(() => document.body?.dataset.ready === '1', null, {
    timeout: READY_TIMEOUT_MS,
  });
}

/**
 * For pages that may not set data-ready (embed, custom element): waits for the
 * ready flag, or for a mounted demo with its canvas and controls.
 */
async function waitDemoMounted(page) {
  await page.waitForFunction(
    () =>
      document.body?.dataset.ready === '1' ||
      (!!document.querySelector('section.ml-demo canvas.demo-canvas') &&
        !!document.querySelector('section.ml-demo .demo-controls .control')),
    null,
    { timeout: READY_TIMEOUT_MS },
  );
  await page.locator('section.ml-demo').first().waitFor({ state: 'attached' });
}

async function gotoChapter(page, hash) {
  await page.goto(chapterUrl(hash));
  await waitReady(page);
}

/** Polls `read` until `ok(value)` holds; fails with `message` and the last value. */
async function poll(read, ok, message, { timeout = 5_000, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await read();
    if (ok(last)) return last;
    if (Date.now() > deadline) {
      assert.fail(`${message} (last value: ${JSON.stringify(last)})`);
    }
    await sleep(interval);
  }
}

// ---------------------------------------------------------------------------
// Demo helpers (DOM contract)
// ---------------------------------------------------------------------------

const demoByInstance = (page, instance = GD) =>
  page.locator(`section.ml-demo[data-instance="${instance}"]`).first();
const control = (demo, key) => demo.locator(`.demo-controls .control[data-key="${key}"]`).first();
const entry = (demo, key) => control(demo, key).locator('input[type="number"].value-entry').first();
const slider = (demo, key) => control(demo, key).locator('input[type="range"]').first();
const controlError = (demo, key) => control(demo, key).locator('.control-error').first();
const metricValue = (demo, name) => demo.locator(`.demo-metrics [data-metric="${name}"] .value`).first();
const canvasOf = (demo) => demo.locator('canvas.demo-canvas').first();

function approxEqual(a, b, rel = 1e-6) {
  return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Parses a displayed number ("1,234", "0.050", "-1.2e-3") into a Number. */
function parseNum(text) {
  return Number(String(text ?? '').trim().replace(/[,\u00a0\u202f\s]/g, '').replace(/\u2212/g, '-'));
}

async function entryNumber(demo, key) {
  return parseNum(await entry(demo, key).inputValue());
}

async function metricText(demo, name) {
  return ((await metricValue(demo, name).textContent()) ?? '').trim();
}

async function hashParams(page) {
  const hash = await page.evaluate(() => location.hash);
  return new URLSearchParams(hash.replace(/^#/, ''));
}

/**
 * Types `text` into a number entry and commits it with Enter. Playwright's fill()
 * refuses non-numeric text for number inputs, so that is typed key by key (the
 * browser may drop the characters, leaving the field empty, which is what the
 * app sees for such input). A `change` event is dispatched as well when the
 * Enter key left the field untouched, so the test does not depend on which
 * event the app listens to.
 */
async function commitEntry(input, text) {
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    await input.fill(text);
  } else {
    await input.fill('');
    await input.pressSequentially(text);
  }
  const typed = await input.inputValue();
  await input.press('Enter');
  if ((await input.inputValue()) === typed) await input.dispatchEvent('change');
}

/** True when the element is rendered and visible (not `hidden`, not display:none). */
async function anyVisible(locator) {
  for (const el of await locator.all()) {
    if (await el.isVisible()) return true;
  }
  return false;
}

/**
 * Pixel summary of a canvas, read through `toDataURL()` and redrawn into an
 * offscreen canvas: size, number of distinct colours, whether it equals a blank
 * canvas of the same size, and a hash of the pixels.
 */
async function canvasInfo(canvas) {
  await canvas.scrollIntoViewIfNeeded();
  return canvas.evaluate(async (c) => {
    const w = c.width;
    const h = c.height;
    if (!w || !h) return { w, h, colours: 0, blank: true, hash: 'empty' };
    const url = c.toDataURL('image/png');
    const blankCanvas = document.createElement('canvas');
    blankCanvas.width = w;
    blankCanvas.height = h;
    const blank = url === blankCanvas.toDataURL('image/png');
    const img = new Image();
    img.src = url;
    await img.decode();
    const off = document.createElement('canvas');
    off.width = w;
    off.height = h;
    const ctx = off.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, w, h).data;
    const colours = new Set();
    let hash = 0x811c9dc5;
    for (let i = 0; i < data.length; i += 4) {
      const px = ((data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3]) >>> 0;
      if (colours.size < 4096) colours.add(px);
      hash = Math.imul(hash ^ px, 0x01000193) >>> 0;
    }
    return { w, h, colours: colours.size, blank, hash: `${hash.toString(16)}/${url.length}` };
  });
}

const isNonBlank = (info) => info.w > 0 && info.h > 0 && !info.blank && info.colours > MIN_CANVAS_COLOURS;

async function expectCanvasNonBlank(canvas, what) {
  return poll(() => canvasInfo(canvas), isNonBlank, `${what}: canvas should be drawn (> ${MIN_CANVAS_COLOURS} colours)`);
}

async function ensurePaused(demo) {
  if (await demo.evaluate((el) => el.classList.contains('running'))) {
    await demo.locator('button.play').click();
    await poll(() => demo.evaluate((el) => el.classList.contains('running')), (r) => !r, 'demo should stop running');
  }
}

/** Clicks Step `n` times, then waits until the metrics stop changing. */
async function stepAndSettle(demo, n) {
  const step = demo.locator('button.step');
  for (let i = 0; i < n; i++) await step.click();
  let prev = null;
  await poll(
    async () => {
      const now = `${await metricText(demo, 'step')}|${await metricText(demo, 'theta0')}`;
      const stable = now === prev;
      prev = now;
      return stable;
    },
    (stable) => stable,
    'metrics should settle after stepping',
    { interval: 250 },
  );
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

e2e('chapter4', 'a) chapter 4 opens without console errors and draws its demos', async ({ page }) => {
  await gotoChapter(page, `chapter=${CH4}`);

  const article = page.locator('main#content article.chapter');
  await article.waitFor();
  const title = (await article.locator('h1').first().textContent()) ?? '';
  assert.match(title, /linear/i, `chapter title: ${title}`);
  assert.ok((await article.locator('math').count()) >= 1, 'chapter should contain rendered <math>');

  const gd = page.locator('section.ml-demo[data-demo="gradient-descent"]');
  const pr = page.locator('section.ml-demo[data-demo="polynomial-regression"]');
  assert.ok((await gd.count()) >= 1, 'gradient-descent demo present');
  assert.ok((await pr.count()) >= 1, 'polynomial-regression demo present');
  assert.equal(await demoByInstance(page, GD).count(), 1, 'first gradient-descent mount has data-instance="gradient-descent"');

  // Every demo has its controls, buttons, seed, metrics and a drawn canvas.
  const expectedMetrics = {
    'gradient-descent': ['step', 'epoch', 'theta0', 'theta1', 'mse', 'closed_form_mse'],
    'polynomial-regression': ['degree', 'train_rmse', 'val_rmse'],
  };
  const demos = await page.locator('section.ml-demo').all();
  for (const demo of demos) {
    const name = await demo.getAttribute('data-demo');
    const instance = await demo.getAttribute('data-instance');
    assert.ok(instance && instance.startsWith(name), `instance id ${instance} for demo ${name}`);
    assert.ok((await demo.locator('.demo-controls .control[data-key]').count()) >= 1, `${instance}: controls`);
    for (const sel of ['button.play', 'button.step', 'button.reset', 'input.seed']) {
      assert.equal(await demo.locator(sel).count(), 1, `${instance}: ${sel}`);
    }
    for (const metric of expectedMetrics[name] ?? []) {
      assert.equal(await demo.locator(`.demo-metrics [data-metric="${metric}"] .value`).count(), 1, `${instance}: metric ${metric}`);
    }
    const canvases = await demo.locator('canvas.demo-canvas').all();
    assert.ok(canvases.length >= 1, `${instance}: canvas.demo-canvas`);
    for (const canvas of canvases) await expectCanvasNonBlank(canvas, instance);
  }

  // The first demo's "Python equivalent" box follows its learning rate.
  const code = demoByInstance(page, GD).locator('details.demo-python pre code');
  assert.equal(await code.count(), 1, `${GD}: a .demo-python box`);
  const before = (await code.textContent()) ?? '';
  assert.match(before, /LinearRegression\(/, `${GD}: the script calls LinearRegression`);
  await commitEntry(entry(demoByInstance(page, GD), 'learning_rate'), '0.5');
  await poll(
    async () => (await code.textContent()) ?? '',
    (text) => text !== before && text.includes('eta0, n_epochs, batch_size = 0.5,'),
    `${GD}: the Python code follows learning_rate=0.5`,
  );

  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, 'chapter4');
});

e2e('learning-rate', 'b) moving the learning-rate control changes the URL hash and the canvas', async ({ page }) => {
  await gotoChapter(page, `chapter=${CH4}`);
  const demo = demoByInstance(page, GD);
  const canvas = canvasOf(demo);
  const before = await expectCanvasNonBlank(canvas, GD);

  await commitEntry(entry(demo, 'learning_rate'), '0.5');
  for (let i = 0; i < 3; i++) await demo.locator('button.step').click();

  await poll(
    async () => (await hashParams(page)).get(`${GD}.learning_rate`),
    (v) => approxEqual(parseNum(v), 0.5),
    `location.hash should contain ${GD}.learning_rate=0.5`,
  );
  assert.ok(approxEqual(await entryNumber(demo, 'learning_rate'), 0.5), 'entry shows 0.5');
  assert.equal((await hashParams(page)).get('chapter'), CH4, 'chapter kept in hash');
  await poll(() => canvasInfo(canvas), (info) => isNonBlank(info) && info.hash !== before.hash, 'canvas pixels should change');

  // Keyboard on the range slider: one arrow key moves it and rewrites the hash.
  const hashBefore = await page.evaluate(() => location.hash);
  const range = slider(demo, 'learning_rate');
  const atMax = await range.evaluate((el) => Number(el.value) >= Number(el.max || 100));
  await range.focus();
  await range.press(atMax ? 'ArrowLeft' : 'ArrowRight');
  const hashAfter = await poll(
    () => page.evaluate(() => location.hash),
    (h) => h !== hashBefore,
    'hash should change after moving the slider with the keyboard',
  );
  const lr = parseNum(new URLSearchParams(hashAfter.replace(/^#/, '')).get(`${GD}.learning_rate`) ?? NaN);
  assert.ok(Number.isFinite(lr) && !approxEqual(lr, 0.5), `slider moved learning_rate away from 0.5 (hash: ${hashAfter})`);
  await poll(() => entryNumber(demo, 'learning_rate'), (v) => approxEqual(v, lr, 1e-4), 'number entry follows the slider');

  await screenshot(page, 'learning-rate');
});

e2e('reload', 'c) reloading restores values and reproduces the same numbers', async ({ page }) => {
  const hash = `chapter=${CH4}&${GD}.learning_rate=0.05&${GD}.method=stochastic&${GD}.seed=7`;

  const run = async (label) => {
    await waitReady(page);
    const demo = demoByInstance(page, GD);
    await ensurePaused(demo);
    assert.ok(approxEqual(await entryNumber(demo, 'learning_rate'), 0.05), `${label}: learning_rate entry shows 0.05`);
    assert.equal(await control(demo, 'method').locator('select').inputValue(), 'stochastic', `${label}: method`);
    assert.equal(parseNum(await demo.locator('input.seed').inputValue()), 7, `${label}: seed`);
    const theta0Start = await metricText(demo, 'theta0');
    await stepAndSettle(demo, 20);
    const result = { step: await metricText(demo, 'step'), theta0: await metricText(demo, 'theta0') };
    assert.ok(Number.isFinite(parseNum(result.theta0)), `${label}: theta0 is a number (${result.theta0})`);
    assert.notEqual(result.theta0, theta0Start, `${label}: 20 steps should move theta0`);
    return result;
  };

  await page.goto(chapterUrl(hash));
  const first = await run('first load');
  await page.reload();
  const second = await run('after reload');
  assert.deepEqual(second, first, 'same seed and parameters give the same numbers');

  await screenshot(page, 'reload');
});

e2e('invalid-hash', 'd) invalid hash entries show a notice and keep the valid ones', async ({ page }) => {
  await gotoChapter(
    page,
    `chapter=${CH4}&${GD}.learning_rate=banana&${GD}.epochs=99999&${GD}.bogus=1&${GD}.batch_size=8`,
  );
  const notice = page.locator('#notice');
  await notice.waitFor({ state: 'visible' });
  assert.equal(await notice.getAttribute('hidden'), null, '#notice must not be hidden');
  const text = (await notice.textContent()) ?? '';
  for (const word of ['learning_rate', 'epochs', 'bogus']) {
    assert.ok(text.includes(word), `notice should mention ${word}: ${text}`);
  }

  const demo = demoByInstance(page, GD);
  assert.equal(await entryNumber(demo, 'batch_size'), 8, 'valid batch_size=8 is kept');
  const lrText = await entry(demo, 'learning_rate').inputValue();
  assert.notEqual(lrText, 'banana');
  assert.ok(Number.isFinite(parseNum(lrText)) && lrText.trim() !== '', `learning_rate falls back to a number: ${lrText}`);
  const epochs = await entryNumber(demo, 'epochs');
  assert.ok(Number.isFinite(epochs) && epochs !== 99999, `epochs falls back to a valid value: ${epochs}`);

  await screenshot(page, 'invalid-hash');
});

e2e('invalid-entry', 'e) invalid control entry shows an error and keeps the previous value', async ({ page }) => {
  await gotoChapter(page, `chapter=${CH4}`);
  const demo = demoByInstance(page, GD);
  const input = entry(demo, 'learning_rate');
  const error = controlError(demo, 'learning_rate');
  const previous = await input.inputValue();
  assert.ok(Number.isFinite(parseNum(previous)) && previous !== '', `initial learning_rate: ${previous}`);
  assert.equal(await anyVisible(error), false, 'no error shown before any entry');

  await commitEntry(input, 'abc');
  await error.waitFor({ state: 'visible' });
  const abcText = ((await error.textContent()) ?? '').trim();
  assert.ok(abcText.length > 0, 'error message for "abc" is not empty');
  await poll(() => input.inputValue(), (v) => approxEqual(parseNum(v), parseNum(previous)) && v !== '', 'entry returns to the previous value after "abc"');

  const { min, max } = await slider(demo, 'learning_rate').evaluate((el) => ({ min: el.min, max: el.max }));
  await commitEntry(input, '99');
  const rangeText = await poll(
    async () => ((await error.isVisible()) ? ((await error.textContent()) ?? '').trim() : ''),
    (txt) => {
      if (!txt) return false;
      const nums = (txt.replace(/\u2212/g, '-').match(/-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi) ?? []).map(Number);
      if (max !== '' && Number.isFinite(Number(max))) {
        // The slider's max may be in slider units (e.g. log scale); accept a plain range wording too.
        return nums.some((n) => approxEqual(n, Number(max))) || /range|between|at most|maximum|max|≤|<=/i.test(txt);
      }
      return /range|between|at most|maximum|max|≤|<=|\d/i.test(txt);
    },
    `error for 99 should mention the allowed range (slider min=${min} max=${max})`,
  );
  assert.ok(rangeText.length > 0);
  await poll(() => input.inputValue(), (v) => approxEqual(parseNum(v), parseNum(previous)) && v !== '', 'entry returns to the previous value after 99');

  const lrInHash = (await hashParams(page)).get(`${GD}.learning_rate`);
  assert.ok(lrInHash === null || approxEqual(parseNum(lrInHash), parseNum(previous)), `hash keeps a valid learning_rate: ${lrInHash}`);

  await screenshot(page, 'invalid-entry');
});

e2e('hide', 'f) hide= removes the named controls from every demo', async ({ page }) => {
  await gotoChapter(page, `chapter=${CH4}&hide=epochs,batch_size`);
  const demo = demoByInstance(page, GD);
  await control(demo, 'learning_rate').waitFor({ state: 'visible' });
  assert.equal(await anyVisible(control(demo, 'epochs')), false, 'epochs control hidden in the first gradient-descent demo');
  assert.equal(await anyVisible(control(demo, 'batch_size')), false, 'batch_size control hidden');
  for (const key of ['epochs', 'batch_size']) {
    assert.equal(await anyVisible(page.locator(`section.ml-demo .control[data-key="${key}"]`)), false, `${key} hidden in every demo`);
  }
  await screenshot(page, 'hide');
});

e2e('embed', 'g) embed page shows exactly one demo and fits a narrow viewport', async ({ page }) => {
  await page.goto(siteUrl('embed.html', `demo=${GD}&learning_rate=0.05&hide=epochs`));
  await waitDemoMounted(page);

  assert.equal(await page.locator('section.ml-demo').count(), 1, 'exactly one demo');
  assert.equal(await page.locator('nav#chapters').count(), 0, 'no chapter navigation');
  const demo = page.locator('section.ml-demo').first();
  assert.equal(await demo.getAttribute('data-demo'), GD);
  await poll(() => entryNumber(demo, 'learning_rate'), (v) => approxEqual(v, 0.05), 'learning_rate entry shows 0.05');
  assert.equal(await anyVisible(control(demo, 'epochs')), false, 'epochs control hidden');
  await expectCanvasNonBlank(canvasOf(demo), 'embed');
  await screenshot(page, 'embed');

  await page.setViewportSize({ width: 480, height: 400 });
  const fits = () =>
    page.evaluate(() => {
      const canvas = document.querySelector('section.ml-demo canvas.demo-canvas');
      const r = canvas.getBoundingClientRect();
      return {
        scrollWidth: document.documentElement.scrollWidth,
        canvasLeft: r.left + window.scrollX,
        canvasRight: r.right + window.scrollX,
      };
    });
  await poll(
    fits,
    (m) => m.scrollWidth <= 480 && m.canvasLeft >= 0 && m.canvasRight <= 480 + 0.5,
    'at 480px wide the page must not overflow horizontally and the canvas must fit',
  );
  await expectCanvasNonBlank(canvasOf(demo), 'embed at 480px');
  await screenshot(page, 'embed-480');
});

e2e('longtask', 'h) training keeps the main thread responsive (no task >= 50 ms): gradient descent and the MNIST MLP', async ({ page }) => {
  await page.addInitScript(() => {
    window.__longtasks = [];
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longtasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: true });
    } catch (err) {
      window.__longtasksUnsupported = String(err);
    }
  });
  await playWithoutLongTasks(page, `chapter=${CH4}&${GD}.epochs=500`, GD, 'longtask');
  // A 784-128-10 network: one mini-batch of 64 images, or 50 test images, per tick.
  await playWithoutLongTasks(page, 'chapter=10-artificial-neural-networks', 'mnist-mlp', 'longtask-mnist');
}, { timeout: 60_000 });

/** Plays demo `instance` of the chapter at `hash` for 5 s and checks that no main-thread task
 *  took 50 ms or more, and that the demo advanced. */
async function playWithoutLongTasks(page, hash, instance, shot) {
  await gotoChapter(page, hash);
  const demo = demoByInstance(page, instance);
  await demo.scrollIntoViewIfNeeded();
  await ensurePaused(demo);
  await expectCanvasNonBlank(canvasOf(demo), instance);
  assert.equal(await page.evaluate(() => window.__longtasksUnsupported ?? null), null, 'longtask observer available');
  const stepBefore = parseNum(await metricText(demo, 'step'));

  await sleep(300); // let load-time long tasks be delivered before discarding them
  await page.evaluate(() => { window.__longtasks.length = 0; });

  const play = demo.locator('button.play');
  await play.click();
  await poll(() => demo.evaluate((el) => el.classList.contains('running')), Boolean, 'demo gets class "running" after Play');
  assert.match((await play.textContent()) ?? '', /pause/i, 'button reads Pause while playing');
  await sleep(5_000);
  if (await demo.evaluate((el) => el.classList.contains('running'))) await play.click();
  await poll(() => demo.evaluate((el) => el.classList.contains('running')), (r) => !r, 'demo stops running after Pause');
  assert.match((await play.textContent()) ?? '', /play/i, 'button reads Play after pausing');
  await sleep(200); // deliver pending observer entries

  const durations = await page.evaluate(() => window.__longtasks.slice());
  const max = durations.length ? Math.max(...durations) : 0;
  console.log(`${instance} longest-task-ms: ${max.toFixed(1)} (long tasks: ${durations.length})`);
  const stepAfter = parseNum(await metricText(demo, 'step'));
  assert.ok(Number.isFinite(stepAfter) && stepAfter > stepBefore, `${instance}: step metric advanced (${stepBefore} -> ${stepAfter})`);
  assert.ok(max < LONGTASK_LIMIT_MS, `${instance}: longest main-thread task ${max.toFixed(1)} ms (>= ${LONGTASK_LIMIT_MS} ms); longest ${Math.min(durations.length, 10)} of ${durations.length}: ${[...durations].sort((a, b) => b - a).slice(0, 10).map((d) => d.toFixed(0)).join(', ')}`);

  await screenshot(page, shot);
}

e2e('navigation', 'i) chapter navigation and prev/next links', async ({ page }) => {
  await gotoChapter(page, `chapter=${CH4}`);
  const nav = page.locator('nav#chapters');
  const ch4Link = nav.locator(`a[data-chapter="${CH4}"]`);
  assert.equal(await ch4Link.count(), 1, 'chapter 4 listed in the navigation');
  assert.ok(((await ch4Link.getAttribute('href')) ?? '').includes(`#chapter=${CH4}`), 'chapter 4 link href');
  const h1 = page.locator('main#content article.chapter h1').first();
  const ch4Title = ((await h1.textContent()) ?? '').trim();

  const chapterOfHref = (href) => new URLSearchParams((href ?? '').split('#')[1] ?? '').get('chapter');
  const follow = async (selector, fromTitle) => {
    const link = page.locator(selector).first();
    if ((await link.count()) === 0) return null;
    const href = await link.getAttribute('href');
    const target = chapterOfHref(href) ?? (await link.getAttribute('data-chapter'));
    await link.click();
    const now = await poll(async () => (await hashParams(page)).get('chapter'), (c) => c && c !== CH4, `${selector} should open another chapter`);
    if (target) assert.equal(now, target, `${selector} leads to its href`);
    await waitReady(page);
    await poll(async () => ((await h1.textContent()) ?? '').trim(), (t) => t && t !== fromTitle, `${selector}: new chapter title rendered`);
    return now;
  };

  const next = await follow('a.next-chapter', ch4Title);
  if (next) {
    await screenshot(page, 'navigation-next');
    // Back to chapter 4 through the navigation list.
    await nav.locator(`a[data-chapter="${CH4}"]`).click();
    await poll(async () => (await hashParams(page)).get('chapter'), (c) => c === CH4, 'nav link returns to chapter 4');
    await waitReady(page);
    await poll(async () => ((await h1.textContent()) ?? '').trim(), (t) => t === ch4Title, 'chapter 4 rendered again');
  }
  const prev = await follow('a.prev-chapter', ch4Title);
  assert.ok(next || prev, 'chapter 4 has a previous or a next chapter');
  if (next && prev) assert.notEqual(next, prev, 'prev and next are different chapters');
  await screenshot(page, 'navigation');
});

e2e('custom-element', 'j) <ml-demo> custom element mounts a polynomial-regression demo', async ({ page }) => {
  await page.goto(siteUrl('examples/custom-element.html'));
  await waitDemoMounted(page);
  assert.equal(await page.locator('section.ml-demo').count(), 1, 'exactly one demo');
  const demo = page.locator('section.ml-demo').first();
  assert.equal(await demo.getAttribute('data-demo'), 'polynomial-regression');
  await poll(() => entryNumber(demo, 'degree'), (v) => v === 5, 'degree entry shows 5');
  await expectCanvasNonBlank(canvasOf(demo), 'custom element');
  await screenshot(page, 'custom-element');
});

e2e('every-chapter', 'k) every listed chapter opens without console errors and draws its demos', async ({ page }) => {
  await gotoChapter(page, '');
  const slugs = await page.locator('nav#chapters a[data-chapter]').evaluateAll((as) => as.map((a) => a.dataset.chapter));
  assert.ok(slugs.length >= 2, `chapters listed: ${slugs.join(', ')}`);
  for (const slug of slugs) {
    await page.goto(chapterUrl(`chapter=${slug}`));
    await waitReady(page);
    const h1 = ((await page.locator('main#content article.chapter h1').first().textContent()) ?? '').trim();
    assert.ok(h1.length > 0, `${slug}: has a title`);
    assert.equal(await page.locator('.demo-error').count(), 0, `${slug}: every demo started`);
    assert.equal(await page.locator('#notice').isVisible(), false, `${slug}: no notice`);
    for (const canvas of await page.locator('section.ml-demo canvas.demo-canvas').all()) {
      await expectCanvasNonBlank(canvas, slug);
    }
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, `chapter-${slug}`);
    await moveFirstSlider(page, slug);
  }
}, { timeout: 120_000 }); // every chapter, one slider each

/** Moves a slider of the chapter's first demo by one keyboard step: the URL hash records the new
 *  value and, after a few steps of the rebuilt demo, the picture differs. Some sliders only show
 *  their effect later in a run (a third PCA axis, say), so up to four are tried in turn. */
async function moveFirstSlider(page, slug) {
  const demo = page.locator('section.ml-demo').first();
  const instance = await demo.getAttribute('data-instance');
  await demo.scrollIntoViewIfNeeded();
  await ensurePaused(demo);
  const stepThrice = async () => {
    for (let i = 0; i < 3; i++) await demo.locator('button.step').click();
    await page.waitForTimeout(300);
  };
  await stepThrice();
  const ranges = await demo.locator('.demo-controls .control input[type="range"]').all();
  const tried = [];
  for (const range of ranges.slice(0, 4)) {
    const key = await range.evaluate((el) => el.closest('.control').dataset.key);
    tried.push(key);
    const before = await canvasInfo(canvasOf(demo));
    const atMax = await range.evaluate((el) => Number(el.value) >= Number(el.max || 100));
    await range.focus();
    await range.press(atMax ? 'ArrowLeft' : 'ArrowRight');
    await poll(async () => (await hashParams(page)).get(`${instance}.${key}`), (v) => v !== null,
      `${slug}: ${instance}.${key} in the URL hash`);
    await stepThrice();
    const after = await canvasInfo(canvasOf(demo));
    if (isNonBlank(after) && after.hash !== before.hash) return;
  }
  assert.fail(`${slug}: moving ${tried.join(', ')} of ${instance} never changed the plot`);
}

/** Presses play and waits until `metric` satisfies `done`; returns the demo's metric texts. */
async function runUntil(demo, metric, done, what) {
  await demo.scrollIntoViewIfNeeded();
  await ensurePaused(demo);
  const before = await canvasInfo(canvasOf(demo));
  await demo.locator('button.play').click();
  await poll(() => metricText(demo, metric), done, `${what}: ${metric}`, { timeout: 45_000, interval: 200 });
  const after = await canvasInfo(canvasOf(demo));
  assert.notEqual(after.hash, before.hash, `${what}: the plot changes while it runs`);
  return stableMetrics(demo);
}

/** Every metric's text except the speed meter's (which differs from run to run). */
const stableMetrics = (demo) =>
  demo.locator('.demo-metrics [data-metric]:not([data-metric="samples_per_s"]) .value').allTextContents();

const isNumber = (t) => Number.isFinite(parseNum(t));

e2e('unsupervised', 'l) chapter 9 runs k-means, EM and the labelling demo in the page; the URL restores a run', async ({ page }) => {
  const CH9 = '09-unsupervised-learning';
  const CQ = 'colour-quantisation';

  // Colour quantisation with non-default parameters from the URL; a reload gives the same run.
  const hash = `chapter=${CH9}&${CQ}.k=4&${CQ}.algorithm=mini-batch&${CQ}.seed=3`;
  const quantise = async (label) => {
    await waitReady(page);
    const demo = demoByInstance(page, CQ);
    assert.equal(await entryNumber(demo, 'k'), 4, `${label}: k from the URL`);
    assert.equal(await control(demo, 'algorithm').locator('select').inputValue(), 'mini-batch', `${label}: algorithm`);
    return runUntil(demo, 'converged', (t) => t === 'yes', `${label}: colour quantisation`);
  };
  await page.goto(chapterUrl(hash));
  const first = await quantise('first load');
  await page.reload();
  const second = await quantise('after reload');
  assert.deepEqual(second, first, 'same seed and parameters give the same numbers');

  // EM on the mixture and the semi-supervised labelling run to the end in the page.
  await runUntil(demoByInstance(page, 'gaussian-mixture'), 'converged', (t) => t === 'yes', 'gaussian mixture');
  const semi = await runUntil(demoByInstance(page, 'semi-supervised'), 'acc_all_kmeans', isNumber, 'semi-supervised');
  assertAccuracies(semi);
  await screenshot(page, 'chapter9-run');
}, { timeout: 90_000 }); // five logistic regressions trained step by step at the page's frame rate

e2e('dimensionality', 'm) chapter 8 runs the power method and the manifold learners in the page', async ({ page }) => {
  await gotoChapter(page, 'chapter=08-dimensionality-reduction');
  await runUntil(demoByInstance(page, 'pca-projection'), 'axes_found', (t) => t === '2', 'pca projection');
  await runUntil(demoByInstance(page, 'manifold'), 'isomap_unrolled', isNumber, 'manifold');
  await screenshot(page, 'chapter8-run');
});

/** The semi-supervised metrics, in panel order, end with five held-out accuracies in 0..1. */
function assertAccuracies(texts) {
  const accs = texts.slice(-5).map(parseNum);
  for (const a of accs) assert.ok(a > 0.2 && a <= 1, `accuracy ${a} in (0.2, 1]`);
}

/** A CSV of three well-apart groups of animals (60 rows), made without randomness. */
function animalsCsv() {
  const kinds = [['mouse', 2, 3], ['fox', 6, 8], ['deer', 11, 4]];
  const rows = ['height,weight,farm,kind'];
  for (let i = 0; i < 60; i++) {
    const [kind, h, w] = kinds[i % 3];
    rows.push(`${(h + Math.sin(i * 1.7)).toFixed(3)},${(w + Math.cos(i * 2.3)).toFixed(3)},${['Ash', 'Elm'][i % 2]},${kind}`);
  }
  return `${rows.join('\n')}\n`;
}

/** 40 houses with a text column, empty cells and a numeric target (price), made without randomness. */
function housesCsv() {
  const rows = ['size,rooms,town,garden,note,price,year'];
  for (let i = 0; i < 40; i++) {
    const size = 50 + ((i * 37) % 100);
    const rooms = 1 + (i % 5);
    const price = 1000 + 12 * size + 300 * rooms + 500 * (i % 3) + 7 * (i % 11);
    const town = i === 8 ? '' : ['Oslo', 'Lima', 'Pune'][i % 3];
    rows.push([i === 5 ? '' : size, rooms, town, i % 4 === 0 ? 'yes' : 'no', `house ${i}`, i === 3 ? '?' : price, 2000 + (i % 7)].join(','));
  }
  return `${rows.join('\n')}\n`;
}

e2e('upload', 'n) an uploaded CSV replaces a demo\'s data; bad files and columns are refused next to the control', async ({ page }) => {
  await gotoChapter(page, 'chapter=06-decision-trees');
  const demo = demoByInstance(page, 'decision-tree');
  const box = demo.locator('.demo-upload');
  const file = box.locator('input[type="file"]');
  const info = box.locator('.upload-info');
  const error = box.locator('.upload-error');
  const selects = box.locator('.upload-columns select');
  const hashBefore = new URL(page.url()).hash;
  await ensurePaused(demo);

  await file.setInputFiles({ name: 'animals.csv', mimeType: 'text/csv', buffer: Buffer.from(animalsCsv()) });
  await poll(() => info.textContent(), (t) => t.includes('animals.csv (60 rows)'), 'the demo says it runs on the file');
  assert.deepEqual(await selects.evaluateAll((ss) => ss.map((s) => s.value)), ['height', 'weight', 'kind']);
  assert.equal(await control(demo, 'dataset').locator('select').isDisabled(), true, 'the generated-data controls are off');
  assert.match(await demo.locator('.demo-python code').textContent(), /pd\.read_csv\("animals\.csv"\)/);
  for (let i = 0; i < 6; i++) await demo.locator('button.step').click();
  const accuracy = await poll(() => metricText(demo, 'test_accuracy'), (t) => parseNum(t) >= 0.9, 'the tree separates the three groups');
  assert.equal(new URL(page.url()).hash, hashBefore, 'the file is not written into the URL');

  // A text column as an axis is refused; the pickers and the run stay as they were.
  await selects.nth(0).selectOption('farm');
  await poll(() => error.textContent(), (t) => t.includes('column `farm`: holds text (e.g. `Ash`)'), 'error under the upload box');
  assert.equal(await selects.nth(0).inputValue(), 'height');
  assert.equal(await metricText(demo, 'test_accuracy'), accuracy);

  // A file with a class of one row is refused with its reason; the demo keeps the old file.
  const lonely = `${animalsCsv()}7,7,Ash,owl\n`;
  await file.setInputFiles({ name: 'lonely.csv', mimeType: 'text/csv', buffer: Buffer.from(lonely) });
  await poll(() => error.textContent(), (t) => t.includes('class `owl` has only 1 row'), 'the lonely class is named');
  assert.match(await info.textContent(), /animals\.csv/);
  await screenshot(page, 'upload-refused');

  // Picking the other axis's column swaps the axes, and a valid choice clears the error; the
  // button goes back to the demo's data.
  await selects.nth(0).selectOption('weight');
  await poll(() => error.isVisible(), (v) => !v, 'a valid choice clears the error');
  assert.deepEqual(await selects.evaluateAll((ss) => ss.map((s) => s.value)), ['weight', 'height', 'kind']);
  await screenshot(page, 'upload');
  await box.locator('button.upload-clear').click();
  await poll(() => info.textContent(), (t) => t === '', 'back on the demo\'s own data');
  assert.equal(await control(demo, 'dataset').locator('select').isDisabled(), false);

  // Chapter 2 takes a whole table: text columns and empty cells go through the pipeline, the
  // only picker is the target, a column of names is left out (and said so), a text target is refused.
  await gotoChapter(page, 'chapter=02-end-to-end-project');
  const project = demoByInstance(page, 'end-to-end');
  const tbox = project.locator('.demo-upload');
  const tinfo = tbox.locator('.upload-info');
  const terror = tbox.locator('.upload-error');
  const tselects = tbox.locator('.upload-columns select');
  await ensurePaused(project);
  await tbox.locator('input[type="file"]').setInputFiles({ name: 'houses.csv', mimeType: 'text/csv', buffer: Buffer.from(housesCsv()) });
  await poll(() => tinfo.textContent(), (t) => t.includes('houses.csv (40 rows)') && t.includes('Left out: `note`'), 'the box says what runs and what is left out');
  assert.deepEqual(await tselects.evaluateAll((ss) => ss.map((s) => s.value)), ['price']);
  assert.match(await project.locator('.demo-python code').textContent(), /pd\.read_csv\("houses\.csv", na_values=\["\?"\]\)/);
  await ensurePaused(project);
  for (let i = 0; i < 6; i++) await project.locator('button.step').click();
  await poll(() => metricText(project, 'test_rmse'), isNumber, 'the project runs to the test set on the table');
  const cv = await metricText(project, 'cv_rmse');
  assert.ok(isNumber(cv), `cross-validated RMSE ${cv}`);
  await tselects.nth(0).selectOption('town');
  await poll(() => terror.textContent(), (t) => t.includes('column `town`: holds text'), 'a text target is refused under the box');
  assert.equal(await tselects.nth(0).inputValue(), 'price');
  assert.equal(await metricText(project, 'cv_rmse'), cv, 'the demo keeps running on the table');
  await screenshot(page, 'upload-table');
  await tbox.locator('button.upload-clear').click();
  await poll(() => tinfo.textContent(), (t) => t === '', 'back on Auto MPG');
});

e2e('neural', 'o) chapters 10-12 train in the page, the URL restores an MLP\'s architecture and seed, a saved network loads back', async ({ page }) => {
  // Every demo of chapters 11 and 12 runs in the page and its plot changes.
  for (const slug of ['11-training-deep-neural-networks', '12-custom-models-and-autodiff']) {
    await gotoChapter(page, `chapter=${slug}`);
    const seen = new Set();
    for (const demo of await page.locator('section.ml-demo').all()) {
      const id = await demo.getAttribute('data-demo');
      if (seen.has(id)) continue;
      seen.add(id);
      await runUntil(demo, 'step', (t) => parseNum(t) >= 3, `${slug}: ${id}`);
      await ensurePaused(demo);
    }
    assert.ok(seen.size >= 2, `${slug}: demos ${[...seen].join(', ')}`);
  }

  // The multiclass playground (three spiral arms: softmax output, confusion matrix) trains.
  await gotoChapter(page, 'chapter=10-artificial-neural-networks');
  let multiclass = null;
  for (const demo of await page.locator('section.ml-demo[data-demo="playground"]').all()) {
    if ((await control(demo, 'dataset').locator('select').inputValue()) === 'spiral-3') multiclass = demo;
  }
  assert.ok(multiclass, 'chapter 10 has a spiral-3 playground');
  const spiral = await runUntil(multiclass, 'epoch', (t) => parseNum(t) >= 5, 'multiclass playground');
  await ensurePaused(multiclass);
  // Every metric is a number but the device it trains on.
  assert.equal(spiral.at(-1), 'CPU', 'Auto trains the playground on the CPU');
  assert.ok(spiral.slice(0, -1).map(parseNum).every((v) => Number.isFinite(v)), `multiclass metrics: ${spiral.join(', ')}`);
  await screenshot(page, 'playground-multiclass');

  // The MNIST MLP with an architecture and seed from the URL; a reload repeats the run exactly.
  const M = 'mnist-mlp';
  const hash = `chapter=10-artificial-neural-networks&${M}.hidden_layers=2&${M}.neurons=24&${M}.epochs=1&${M}.train_size=1000&${M}.learning_rate=0.01&${M}.seed=3`;
  const train = async (label) => {
    await waitReady(page);
    const demo = demoByInstance(page, M);
    assert.equal(await entryNumber(demo, 'hidden_layers'), 2, `${label}: layers from the URL`);
    assert.equal(await entryNumber(demo, 'neurons'), 24, `${label}: neurons from the URL`);
    await runUntil(demo, 'test_accuracy', (t) => parseNum(t) > 0.5, `${label}: mnist`);
    assert.equal(await metricText(demo, 'epoch'), '1');
    // 784*24 + 24 + 24*24 + 24 + 24*10 + 10 weights: the architecture the URL asked for.
    assert.equal(await metricText(demo, 'parameters'), String(784 * 24 + 24 + 24 * 24 + 24 + 24 * 10 + 10));
    return stableMetrics(demo);
  };
  await page.goto(chapterUrl(hash));
  const first = await train('first load');
  await page.reload();
  const second = await train('after reload');
  assert.deepEqual(second, first, 'same seed and architecture give the same numbers');
  await screenshot(page, 'mnist-trained');

  // Save the trained network, change a control (a fresh network), load the file: the test
  // accuracy comes back. A file that is no network is refused under the box.
  const demo = demoByInstance(page, M);
  const accuracy = await metricText(demo, 'test_accuracy');
  const box = demo.locator('.demo-model');
  const [download] = await Promise.all([page.waitForEvent('download'), box.locator('button.model-save').click()]);
  assert.equal(download.suggestedFilename(), 'mnist-mlp-network.json');
  const saved = await readFile(await download.path(), 'utf8');
  assert.match(saved, /"format":"mlplay-sequential"/);
  await commitEntry(entry(demo, 'train_size'), '900');
  await poll(() => metricText(demo, 'epoch'), (t) => t === '0', 'a changed control starts a fresh network');
  await ensurePaused(demo);
  const file = box.locator('input.model-file');
  await file.setInputFiles({ name: 'net.json', mimeType: 'application/json', buffer: Buffer.from(saved) });
  await poll(() => box.locator('.model-info').textContent(), (t) => t.includes('net.json'), 'the loaded file is named');
  // The loaded network first classifies the 1000 test images, 50 per step.
  for (let i = 0; i < 20; i++) await demo.locator('button.step').click();
  await poll(() => metricText(demo, 'test_accuracy'), (t) => t === accuracy, 'the loaded network classifies as before');
  const before = await metricText(demo, 'test_accuracy');
  await file.setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"rows": 3}') });
  const error = box.locator('.model-error');
  await poll(() => error.textContent(), (t) => t.includes('notes.json') && t.includes('saved model'), 'a non-network is refused');
  assert.equal(await metricText(demo, 'test_accuracy'), before, 'the refused file changes nothing');
  await screenshot(page, 'mnist-loaded');
}, { timeout: 150_000 });

e2e('device', 'p) the playground trains on the GPU (WebGPU) with the CPU\'s loss curve; without WebGPU it says so next to the device control and trains on the CPU', async ({ page }) => {
  const CH10 = '10-artificial-neural-networks';
  const P = 'playground';
  const device = (demo) => control(demo, 'device').locator('select');
  const note = (demo) => control(demo, 'device').locator('.control-note');
  // Steps 40 mini-batches (two epochs of 20) of the seeded playground on `choice`, then reads
  // the metrics once both epochs' results are in.
  const twoEpochs = async (choice) => {
    await gotoChapter(page, `chapter=${CH10}&${P}.device=${choice}&${P}.seed=11&${P}.optimizer=adam&${P}.learning_rate=0.03`);
    const demo = demoByInstance(page, P);
    await demo.scrollIntoViewIfNeeded();
    assert.equal(await device(demo).inputValue(), choice, 'the device from the URL');
    await poll(() => metricText(demo, 'device'), (t) => t.startsWith(choice.toUpperCase()), `the ${choice} is in use`, { timeout: 15_000 });
    const step = demo.locator('button.step');
    for (let i = 0; i < 40; i++) await step.click();
    await poll(() => metricText(demo, 'epoch'), (t) => t === '2', `${choice}: two epochs read back`, { timeout: 20_000 });
    assert.equal(await metricText(demo, 'step'), '40');
    const read = async (k) => parseNum(await metricText(demo, k));
    return { demo, train: await read('train_loss'), test: await read('test_loss'), accuracy: await read('test_accuracy') };
  };
  const gpu = await twoEpochs('gpu');
  assert.equal(await anyVisible(note(gpu.demo)), false, 'no note when the GPU is in use');
  console.log(`playground on ${await metricText(gpu.demo, 'device')}: train ${gpu.train}, test ${gpu.test}`);
  await screenshot(page, 'device-gpu');
  const cpu = await twoEpochs('cpu');
  for (const k of ['train', 'test', 'accuracy']) {
    assert.ok(Math.abs(gpu[k] - cpu[k]) <= 2e-3, `${k}: GPU ${gpu[k]} vs CPU ${cpu[k]}`);
  }
  // The speed meter counts training samples per second while it plays.
  await cpu.demo.locator('button.play').click();
  await poll(() => metricText(cpu.demo, 'samples_per_s'), (t) => parseNum(t) > 0, 'the speed meter shows samples/s', { timeout: 10_000 });
  await ensurePaused(cpu.demo);

  // No WebGPU in this browser: the reader asked for the GPU, is told why they do not get it,
  // and training runs on the CPU.
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  await page.goto('about:blank'); // a new document, so the script runs (a hash change is not one)
  await gotoChapter(page, `chapter=${CH10}&${P}.device=gpu`);
  const demo = demoByInstance(page, P);
  await demo.scrollIntoViewIfNeeded();
  assert.equal(await page.evaluate(() => navigator.gpu ?? null), null, 'WebGPU is hidden');
  await poll(() => note(demo).textContent(), (t) => /no gpu here \(this browser has no webgpu\)/i.test(t) && /cpu/i.test(t), 'the fallback note under the device control', { timeout: 10_000 });
  assert.ok(await note(demo).isVisible(), 'the note is shown');
  await runUntil(demo, 'epoch', (t) => parseNum(t) >= 2, 'playground without WebGPU');
  await ensurePaused(demo);
  assert.equal(await metricText(demo, 'device'), 'CPU');
  assert.equal(await device(demo).inputValue(), 'gpu', "the reader's choice is kept");
  await screenshot(page, 'device-fallback');
}, { timeout: 120_000 });
