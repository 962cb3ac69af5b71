// Reductions. Along contiguous rows a workgroup takes one row and reduces it in shared memory
// (sums, maxima, softmax); along a strided axis each invocation sums one output.

@group(0) @binding(2) var<storage, read> src: array<f32>;

var<workgroup> part: array<f32, 256>;

// Tree reduction of `part` with sum (op 0) or max (op 1); every invocation must call it.
fn reduce_part(lid: u32, op: u32) -> f32 {
    for (var width = 128u; width > 0u; width = width / 2u) {
        workgroupBarrier();
        if (lid < width) {
            if (op == 0u) {
                part[lid] = part[lid] + part[lid + width];
            } else {
                part[lid] = max(part[lid], part[lid + width]);
            }
        }
    }
    workgroupBarrier();
    let r = part[0];
    workgroupBarrier();
    return r;
}

fn row_of(wg: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return wg.y * nwg.x + wg.x;
}

fn row_max(base: u32, len: u32, lid: u32) -> f32 {
    var m = -3.40282e38; // about -f32::MAX (WGSL has no portable infinity)
    for (var j = lid; j < len; j += 256u) {
        m = max(m, src[base + j]);
    }
    part[lid] = m;
    return reduce_part(lid, 1u);
}

// The row's sum, or with `exp_of` the sum of exp(x - shift).
fn row_sum(base: u32, len: u32, lid: u32, shift: f32, exp_of: bool) -> f32 {
    var s = 0.0;
    for (var j = lid; j < len; j += 256u) {
        let x = src[base + j];
        if (exp_of) {
            s += exp(x - shift);
        } else {
            s += x;
        }
    }
    part[lid] = s;
    return reduce_part(lid, 0u);
}

// params: rows, len, op (0 sum, 1 max). out[row] = the row's sum or maximum.
@compute @workgroup_size(256)
fn reduce_rows(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_id) lid3: vec3<u32>) {
    let row = row_of(wg, nwg);
    let lid = lid3.x;
    // Workgroups past the last row still take part in the barriers, then write nothing.
    let live = row < p(0u);
    let len = select(0u, p(1u), live);
    var r: f32;
    if (p(2u) == 1u) {
        r = row_max(row * len, len, lid);
    } else {
        r = row_sum(row * len, len, lid, 0.0, false);
    }
    if (live && lid == 0u) {
        out[row] = r;
    }
}

// params: rows, len, log (0 or 1). Softmax or log-softmax of each row, the maximum subtracted
// first so exp never overflows.
@compute @workgroup_size(256)
fn softmax_rows(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_id) lid3: vec3<u32>) {
    let row = row_of(wg, nwg);
    let lid = lid3.x;
    let live = row < p(0u);
    let len = select(0u, p(1u), live);
    let base = row * len;
    let m = row_max(base, len, lid);
    let total = row_sum(base, len, lid, m, true);
    let lse = m + log(total);
    for (var j = lid; j < len; j += 256u) {
        let x = src[base + j];
        if (p(2u) == 1u) {
            out[base + j] = x - lse;
        } else {
            out[base + j] = exp(x - m) / total;
        }
    }
}

// params: outer, len, inner. out[o * inner + i] = sum over l of src[(o * len + l) * inner + i].
@compute @workgroup_size(256)
fn sum_strided(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_id) lid: vec3<u32>) {
    let idx = flat(wg, nwg, lid);
    let len = p(1u);
    let inner = p(2u);
    if (idx >= p(0u) * inner) {
        return;
    }
    let o = idx / inner;
    let i = idx % inner;
    var s = 0.0;
    for (var l = 0u; l < len; l++) {
        s += src[(o * len + l) * inner + i];
    }
    out[idx] = s;
}
