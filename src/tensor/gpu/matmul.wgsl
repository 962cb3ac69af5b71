// Tiled matrix product C = A B for row-major A (m x k) and B (k x n), batched along the grid's z.
// A 16 x 16 workgroup computes a 64 x 64 tile of C, each invocation a 4 x 4 block, stepping
// through k 16 at a time with both operand tiles staged in workgroup memory: every value loaded
// from global memory is used 64 times.

@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;

const TILE: u32 = 64u;
const DEPTH: u32 = 16u;

// [depth][row] and [depth][column], so the inner loop reads both along a row of shared memory.
var<workgroup> a_tile: array<f32, 1024>;
var<workgroup> b_tile: array<f32, 1024>;

// params: m, k, n, batch stride of a, batch stride of b (0 when b is shared), batch stride of c.
@compute @workgroup_size(16, 16)
fn matmul(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let m = p(0u);
    let k = p(1u);
    let n = p(2u);
    let a0 = wg.z * p(3u);
    let b0 = wg.z * p(4u);
    let c0 = wg.z * p(5u);
    let row0 = wg.y * TILE;
    let col0 = wg.x * TILE;
    let tid = lid.y * 16u + lid.x;
    var acc: array<f32, 16>;
    for (var t = 0u; t < k; t += DEPTH) {
        // 1024 values of each tile, four per invocation; zeros outside the matrices.
        for (var s = 0u; s < 4u; s++) {
            let idx = tid + s * 256u;
            let ar = idx / DEPTH;
            let ak = idx % DEPTH;
            var av = 0.0;
            if (row0 + ar < m && t + ak < k) {
                av = a[a0 + (row0 + ar) * k + t + ak];
            }
            a_tile[ak * TILE + ar] = av;
            let bk = idx / TILE;
            let bc = idx % TILE;
            var bv = 0.0;
            if (t + bk < k && col0 + bc < n) {
                bv = b[b0 + (t + bk) * n + col0 + bc];
            }
            b_tile[bk * TILE + bc] = bv;
        }
        workgroupBarrier();
        for (var d = 0u; d < DEPTH; d++) {
            var ar: array<f32, 4>;
            var br: array<f32, 4>;
            // Rows lid.y, lid.y + 16, ... and columns lid.x, lid.x + 16, ...: neighbouring
            // invocations read neighbouring words.
            for (var i = 0u; i < 4u; i++) {
                ar[i] = a_tile[d * TILE + lid.y + i * 16u];
                br[i] = b_tile[d * TILE + lid.x + i * 16u];
            }
            for (var i = 0u; i < 4u; i++) {
                for (var j = 0u; j < 4u; j++) {
                    acc[i * 4u + j] = fma(ar[i], br[j], acc[i * 4u + j]);
                }
            }
        }
        workgroupBarrier();
    }
    for (var i = 0u; i < 4u; i++) {
        let r = row0 + lid.y + i * 16u;
        for (var j = 0u; j < 4u; j++) {
            let c = col0 + lid.x + j * 16u;
            if (r < m && c < n) {
                out[c0 + r * n + c] = acc[i * 4u + j];
            }
        }
    }
}

// Swaps the last two axes: params rows, cols, total elements.
@compute @workgroup_size(256)
fn transpose(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat(wg, nwg, lid);
    if (i >= p(2u)) {
        return;
    }
    let rows = p(0u);
    let cols = p(1u);
    let per = rows * cols;
    let t = i / per;
    let r = (i % per) / cols;
    let c = i % cols;
    out[t * per + c * rows + r] = a[i];
}
