// Element-wise maps: the unary functions of `Unary` (op codes from `gpu::unary_code`), their
// backward step, and binary arithmetic with NumPy broadcasting (strides of 0 repeat an element).

@group(0) @binding(2) var<storage, read> in0: array<f32>;
@group(0) @binding(3) var<storage, read> in1: array<f32>;
@group(0) @binding(4) var<storage, read> in2: array<f32>;

const GELU_C: f32 = 0.7978846;
const GELU_K: f32 = 0.044715;
const SELU_ALPHA: f32 = 1.6732632;
const SELU_SCALE: f32 = 1.050701;

// The logistic function in two branches so exp never overflows.
fn sigm(x: f32) -> f32 {
    if (x >= 0.0) {
        return 1.0 / (1.0 + exp(-x));
    }
    let e = exp(x);
    return e / (1.0 + e);
}

// tanh from exp(-2|x|), which cannot overflow (some drivers' tanh gives NaN for large |x|).
fn tanh_safe(x: f32) -> f32 {
    let e = exp(-2.0 * abs(x));
    let t = (1.0 - e) / (1.0 + e);
    return select(-t, t, x >= 0.0);
}

fn apply(op: u32, x: f32, a: f32) -> f32 {
    switch op {
        case 0u: { return -x; }
        case 1u: { return exp(x); }
        case 2u: { return log(x); }
        case 3u: { return tanh_safe(x); }
        case 4u: { return sigm(x); }
        case 5u: { return max(x, 0.0); }
        case 6u: { return select(a * x, x, x > 0.0); }
        case 7u: { return select(a * (exp(x) - 1.0), x, x > 0.0); }
        case 8u: { return 0.5 * x * (1.0 + tanh_safe(GELU_C * (x + GELU_K * x * x * x))); }
        case 9u: { return select(SELU_SCALE * SELU_ALPHA * (exp(x) - 1.0), SELU_SCALE * x, x > 0.0); }
        case 10u: { return x * sigm(x); }
        case 11u: { return select(a * (abs(x) - 0.5 * a), 0.5 * x * x, abs(x) <= a); }
        case 12u: { return max(x, 0.0) + log(1.0 + exp(-abs(x))); }
        case 13u: { return sqrt(x); }
        case 14u: { return x * x; }
        case 15u: { return abs(x); }
        case 16u: { return 1.0 / x; }
        case 17u: { return a * x; }
        case 18u: { return x + a; }
        default: { return x; }
    }
}

// d apply / dx at x, given y = apply(x).
fn derivative(op: u32, x: f32, y: f32, a: f32) -> f32 {
    switch op {
        case 0u: { return -1.0; }
        case 1u: { return y; }
        case 2u: { return 1.0 / x; }
        case 3u: { return 1.0 - y * y; }
        case 4u: { return y * (1.0 - y); }
        case 5u: { return select(0.0, 1.0, x > 0.0); }
        case 6u: { return select(a, 1.0, x > 0.0); }
        case 7u: { return select(y + a, 1.0, x > 0.0); }
        case 8u: {
            let t = tanh_safe(GELU_C * (x + GELU_K * x * x * x));
            return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_K * x * x);
        }
        case 9u: { return select(y + SELU_SCALE * SELU_ALPHA, SELU_SCALE, x > 0.0); }
        case 10u: {
            let s = sigm(x);
            return s + y * (1.0 - s);
        }
        case 11u: { return max(min(x, a), -a); }
        case 12u: { return sigm(x); }
        case 13u: { return 0.5 / y; }
        case 14u: { return 2.0 * x; }
        case 15u: { return sign(x); }
        case 16u: { return -y * y; }
        case 17u: { return a; }
        case 18u: { return 1.0; }
        default: { return 0.0; }
    }
}

// params: n, op, a (f32 bits)
@compute @workgroup_size(256)
fn unary(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat(wg, nwg, lid);
    if (i >= p(0u)) {
        return;
    }
    out[i] = apply(p(1u), in0[i], pf(2u));
}

// params: n, op, a; in0 = x, in1 = y, in2 = upstream gradient.
@compute @workgroup_size(256)
fn unary_backward(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat(wg, nwg, lid);
    if (i >= p(0u)) {
        return;
    }
    out[i] = in2[i] * derivative(p(1u), in0[i], in1[i], pf(2u));
}

// params: n, rate (f32 bits), squared (0 or 1); in0 = moving average, in1 = gradient.
// avg + (g - avg) * rate, or with g * g: the first and second moments of Adam and its kin, fused.
@compute @workgroup_size(256)
fn moment(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat(wg, nwg, lid);
    if (i >= p(0u)) {
        return;
    }
    let g = in1[i];
    let target_value = select(g, g * g, p(2u) == 1u);
    out[i] = in0[i] + pf(1u) * (target_value - in0[i]);
}

// params: n, alpha (f32 bits), epsilon (f32 bits); in0 = weights, in1 = first moment,
// in2 = second moment. w - (alpha * m) / (sqrt(v) + epsilon): Adam's update, fused.
@compute @workgroup_size(256)
fn adam_step(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat(wg, nwg, lid);
    if (i >= p(0u)) {
        return;
    }
    out[i] = in0[i] - (pf(1u) * in1[i]) / (sqrt(in2[i]) + pf(2u));
}

fn combine(op: u32, a: f32, b: f32) -> f32 {
    switch op {
        case 0u: { return a + b; }
        case 1u: { return a - b; }
        case 2u: { return a * b; }
        case 3u: { return a / b; }
        case 4u: { return max(a, b); }
        case 5u: { return min(a, b); }
        default: { return a; }
    }
}

// params: n, op, rank, then out_shape[6], strides_a[6], strides_b[6] (at 4, 10, 16). The output
// index is decomposed axis by axis from the last; each operand's offset uses its own strides.
@compute @workgroup_size(256)
fn binary(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat(wg, nwg, lid);
    if (i >= p(0u)) {
        return;
    }
    let rank = p(2u);
    var rest = i;
    var oa = 0u;
    var ob = 0u;
    for (var k = 0u; k < rank; k++) {
        let axis = rank - 1u - k;
        let len = p(4u + axis);
        let idx = rest % len;
        rest = rest / len;
        oa += idx * p(10u + axis);
        ob += idx * p(16u + axis);
    }
    out[i] = combine(p(1u), in0[oa], in1[ob]);
}
