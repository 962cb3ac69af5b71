// Shared by every kernel file (prepended by gpu/mod.rs): the parameter block and the bindings.
// The output is always binding 1 and inputs follow from binding 2, so every entry point uses a
// prefix of the same bindings and one pipeline layout per file is derived from the shader.

struct Params {
    v: array<vec4<u32>, 8>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

// The i-th 32-bit parameter (sizes, op codes; floats are bit-cast).
fn p(i: u32) -> u32 {
    return params.v[i / 4u][i % 4u];
}

fn pf(i: u32) -> f32 {
    return bitcast<f32>(p(i));
}

// Flat invocation index for 1-D work spread over a 2-D grid of 256-wide workgroups (a grid
// dimension holds at most 65535 workgroups).
fn flat(wg: vec3<u32>, nwg: vec3<u32>, lid: vec3<u32>) -> u32 {
    return (wg.y * nwg.x + wg.x) * 256u + lid.x;
}
