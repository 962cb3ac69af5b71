// Copies: blocks between strided layouts (slices along an axis, concatenation), row gathers and
// filling with a constant.

@group(0) @binding(2) var<storage, read> src: array<f32>;
@group(0) @binding(3) var<storage, read> rows: array<u32>;

// params: outer, width, src_offset, src_stride, dst_offset, dst_stride. For o < outer, j < width:
// out[dst_offset + o * dst_stride + j] = src[src_offset + o * src_stride + j].
@compute @workgroup_size(256)
fn copy_blocks(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat(wg, nwg, lid);
    let width = p(1u);
    if (i >= p(0u) * width) {
        return;
    }
    let o = i / width;
    let j = i % width;
    out[p(4u) + o * p(5u) + j] = src[p(2u) + o * p(3u) + j];
}

// params: n_rows, width. out row r = src row rows[r].
@compute @workgroup_size(256)
fn gather_rows(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat(wg, nwg, lid);
    let width = p(1u);
    if (i >= p(0u) * width) {
        return;
    }
    let r = i / width;
    out[i] = src[rows[r] * width + i % width];
}

// params: n, value (f32 bits).
@compute @workgroup_size(256)
fn fill(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat(wg, nwg, lid);
    if (i >= p(0u)) {
        return;
    }
    out[i] = pf(1u);
}
