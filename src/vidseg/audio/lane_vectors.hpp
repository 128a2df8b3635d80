// The vector vocabulary of the audio block kernels (audio/spectral_kernels_body.inl), one set of
// types per SIMD level. A block holds 8 STFT frames, one per lane, so an "8-lane" value is what one
// bin of a block is; the kernels are written once against these overloads and compiled once per level
// with that level's types:
//   - AVX2 / AVX-512 (x86-64-v3 / v4): Float8 is one 256-bit GCC vector, a native register;
//   - SSE4 (x86-64-v2), the portable baseline and NEON: Pair<Float4>, two 128-bit halves.
// GCC turns a select (`m ? a : b`, hence min / max) on a vector wider than the target's registers into
// scalar code element by element (a 16-lane select in an AVX2 function, an 8-lane one in an SSE
// function): every kernel type here is therefore native at its level, and selects go through the
// overloads below. Everything is always inlined, so it takes the instruction set of the kernel
// function (marked with its level's target attribute) that calls it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "vidseg/audio/vector_shuffle.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

namespace vidseg::audio::lanes {

#define VIDSEG_LANES_INLINE [[gnu::always_inline]] inline

// Natural alignment: values only ever travel to and from plain float arrays through memcpy (load /
// store below), which makes unaligned loads; on the CPUs concerned they cost the same as aligned ones.
typedef float Float4 __attribute__((vector_size(16)));
typedef std::int32_t Int4 __attribute__((vector_size(16)));
typedef float Float8 __attribute__((vector_size(32)));
typedef std::int32_t Int8 __attribute__((vector_size(32)));
typedef float Float16 __attribute__((vector_size(64)));
typedef std::int32_t Int16 __attribute__((vector_size(64)));
typedef double Double2 __attribute__((vector_size(16)));
typedef double Double4 __attribute__((vector_size(32)));
typedef double Double8 __attribute__((vector_size(64)));

// The element type of a GCC vector (what indexing it gives), or of a Pair.
template <class V>
struct ElementOf {
    using type = std::remove_cvref_t<decltype(V{}[0])>;
};

// Two native half vectors acting as one (Pair<Float4> = 8 floats on SSE / NEON).
template <class H>
struct Pair {
    H lo, hi;
    using Element = typename ElementOf<H>::type;
    static constexpr std::size_t kHalf = sizeof(H) / sizeof(Element);
    VIDSEG_LANES_INLINE Element operator[](std::size_t i) const { return i < kHalf ? lo[i] : hi[i - kHalf]; }
};
template <class H>
struct ElementOf<Pair<H>> {
    using type = typename ElementOf<H>::type;
};

// --- element-wise operators of Pair (GCC vectors have them built in) ---
#define VIDSEG_PAIR_OP(op)                                                            \
    template <class H>                                                                \
    VIDSEG_LANES_INLINE Pair<H> operator op(Pair<H> a, Pair<H> b) {                   \
        return {a.lo op b.lo, a.hi op b.hi};                                          \
    }                                                                                 \
    template <class H>                                                                \
    VIDSEG_LANES_INLINE Pair<H> operator op(Pair<H> a, typename Pair<H>::Element b) { \
        return {a.lo op b, a.hi op b};                                                \
    }                                                                                 \
    template <class H>                                                                \
    VIDSEG_LANES_INLINE Pair<H> operator op(typename Pair<H>::Element a, Pair<H> b) { \
        return {a op b.lo, a op b.hi};                                                \
    }                                                                                 \
    template <class H>                                                                \
    VIDSEG_LANES_INLINE Pair<H>& operator op##=(Pair<H>& a, Pair<H> b) {              \
        a.lo op## = b.lo;                                                             \
        a.hi op## = b.hi;                                                             \
        return a;                                                                     \
    }
VIDSEG_PAIR_OP(+)
VIDSEG_PAIR_OP(-)
VIDSEG_PAIR_OP(*)
VIDSEG_PAIR_OP(/)
VIDSEG_PAIR_OP(&)
VIDSEG_PAIR_OP(|)
VIDSEG_PAIR_OP(^)
#undef VIDSEG_PAIR_OP
template <class H>
VIDSEG_LANES_INLINE Pair<H> operator-(Pair<H> a) {
    return {-a.lo, -a.hi};
}
template <class H>
VIDSEG_LANES_INLINE Pair<H> operator>>(Pair<H> a, int s) {
    return {a.lo >> s, a.hi >> s};
}

// Comparisons give masks (-1 where true) of the matching integer type.
template <class V>
struct MaskOf {
    using type = decltype(V{} < V{});
};
template <class H>
struct MaskOf<Pair<H>> {
    using type = Pair<typename MaskOf<H>::type>;
};
template <class V>
using Mask = typename MaskOf<V>::type;

#define VIDSEG_PAIR_CMP(op)                                                                 \
    template <class H>                                                                      \
    VIDSEG_LANES_INLINE Mask<Pair<H>> operator op(Pair<H> a, Pair<H> b) {                   \
        return {a.lo op b.lo, a.hi op b.hi};                                                \
    }                                                                                       \
    template <class H>                                                                      \
    VIDSEG_LANES_INLINE Mask<Pair<H>> operator op(Pair<H> a, typename Pair<H>::Element b) { \
        return {a.lo op b, a.hi op b};                                                      \
    }
VIDSEG_PAIR_CMP(<)
VIDSEG_PAIR_CMP(>)
VIDSEG_PAIR_CMP(>=)
#undef VIDSEG_PAIR_CMP

// --- construction, memory ---
template <class V>
VIDSEG_LANES_INLINE V splat(typename ElementOf<V>::type x) {
    if constexpr (requires { V{}.lo; }) {
        return {splat<decltype(V{}.lo)>(x), splat<decltype(V{}.lo)>(x)};
    } else {
        return V{} + x;
    }
}
// A Pair half by half: one memcpy of the whole struct goes through the stack.
template <class V>
VIDSEG_LANES_INLINE V load(const typename ElementOf<V>::type* p) {
    if constexpr (requires { V{}.lo; }) {
        using H = decltype(V{}.lo);
        return {load<H>(p), load<H>(p + V::kHalf)};
    } else {
        V v;
        std::memcpy(&v, p, sizeof v);
        return v;
    }
}
template <class V>
VIDSEG_LANES_INLINE void store(typename ElementOf<V>::type* p, V v) {
    if constexpr (requires { V{}.lo; }) {
        store(p, v.lo);
        store(p + V::kHalf, v.hi);
    } else {
        std::memcpy(p, &v, sizeof v);
    }
}
template <class V>
constexpr std::size_t lanes_of = sizeof(V) / sizeof(typename ElementOf<V>::type);

// --- selects: native at every level (see the top of the file) ---
template <class V, class M>
VIDSEG_LANES_INLINE V select(M m, V a, V b) {
    if constexpr (requires { V{}.lo; }) {
        return {select(m.lo, a.lo, b.lo), select(m.hi, a.hi, b.hi)};
    } else {
        return m ? a : b;
    }
}
template <class V>
VIDSEG_LANES_INLINE V min(V a, V b) {
    return select(a < b, a, b);
}
template <class V>
VIDSEG_LANES_INLINE V max(V a, V b) {
    return select(a > b, a, b);
}
// True when any lane of the mask is set.
template <class M>
VIDSEG_LANES_INLINE bool any(M m) {
    if constexpr (requires { M{}.lo; }) {
        return any(m.lo | m.hi);
    } else {
        std::uint64_t w[sizeof(M) / 8];
        std::memcpy(w, &m, sizeof w);
        std::uint64_t acc = 0;
        for (std::uint64_t x : w) acc |= x;
        return acc != 0;
    }
}

// --- bit casts and conversions between a float vector and its integer twin ---
template <class V>
VIDSEG_LANES_INLINE Mask<V> bits_of(V v) {
    if constexpr (requires { V{}.lo; }) {
        return {bits_of(v.lo), bits_of(v.hi)};
    } else {
        Mask<V> r;
        std::memcpy(&r, &v, sizeof r);
        return r;
    }
}
template <class V, class I>
VIDSEG_LANES_INLINE V floats_of(I i) {
    if constexpr (requires { V{}.lo; }) {
        return {floats_of<decltype(V{}.lo)>(i.lo), floats_of<decltype(V{}.lo)>(i.hi)};
    } else {
        V r;
        std::memcpy(&r, &i, sizeof r);
        return r;
    }
}
template <class V, class I>
VIDSEG_LANES_INLINE V to_float(I i) {
    if constexpr (requires { I{}.lo; }) {
        return {to_float<decltype(V{}.lo)>(i.lo), to_float<decltype(V{}.lo)>(i.hi)};
    } else {
        return __builtin_convertvector(i, V);
    }
}

template <class V>
VIDSEG_LANES_INLINE V sqrt(V x) {
    // Vectorised by the compiler (the audio sources build with -fno-math-errno).
    if constexpr (requires { V{}.lo; }) {
        return {sqrt(x.lo), sqrt(x.hi)};
    } else {
        V r;
        for (std::size_t i = 0; i < lanes_of<V>; ++i) r[i] = __builtin_sqrtf(x[i]);
        return r;
    }
}

template <class V>
VIDSEG_LANES_INLINE float sum(V v) {
    float s = 0;
    for (std::size_t i = 0; i < lanes_of<V>; ++i) s += v[i];
    return s;
}

// Natural logarithm of positive normal floats (Cephes' logf: x = m 2^e with m in [sqrt(1/2), sqrt(2)),
// log(m) by a degree-9 polynomial; error <= 2 ulp). Not for 0, denormals, inf or NaN: callers clamp to
// amin = 1e-10 first, as librosa does.
template <class V>
VIDSEG_LANES_INLINE V log(V x) {
    using I = Mask<V>;
    const I bits = bits_of(x);
    I e = ((bits >> 23) & 0xff) - 126;  // x = m 2^e, m in [0.5, 1)
    V m = floats_of<V>((bits & 0x007fffff) | 0x3f000000);
    const I small = m < 0.70710678118654752f;  // -1 where true
    e += small;
    m = select(small, m + m - 1.0f, m - 1.0f);
    const V ef = to_float<V>(e);
    const V z = m * m;
    V y = 7.0376836292e-2f * m - 1.1514610310e-1f;
    y = y * m + 1.1676998740e-1f;
    y = y * m - 1.2420140846e-1f;
    y = y * m + 1.4249322787e-1f;
    y = y * m - 1.6668057665e-1f;
    y = y * m + 2.0000714765e-1f;
    y = y * m - 2.4999993993e-1f;
    y = y * m + 3.3333331174e-1f;
    y = y * m * z;
    y += -2.12194440e-4f * ef;
    y += -0.5f * z;
    return (m + y) + 0.693359375f * ef;
}

// --- 8-lane specifics (one bin of a block) ---

// Lane j of the result = lane j - 1 of `cur`, lane 0 = lane 7 of `before` (each frame's predecessor).
VIDSEG_LANES_INLINE Float8 previous_lanes(Float8 before, Float8 cur) {
    return __builtin_shuffle(before, cur, Int8{7, 8, 9, 10, 11, 12, 13, 14});
}
VIDSEG_LANES_INLINE Pair<Float4> previous_lanes(Pair<Float4> before, Pair<Float4> cur) {
    return {__builtin_shuffle(before.hi, cur.lo, Int4{3, 4, 5, 6}),
            __builtin_shuffle(cur.lo, cur.hi, Int4{3, 4, 5, 6})};
}

VIDSEG_LANES_INLINE void store_doubles(double* p, Float8 v) {
    const Double8 d = __builtin_convertvector(v, Double8);
    std::memcpy(p, &d, sizeof d);
}
VIDSEG_LANES_INLINE void store_doubles(double* p, Pair<Float4> v) {
    const Double4 lo = __builtin_convertvector(v.lo, Double4), hi = __builtin_convertvector(v.hi, Double4);
    std::memcpy(p, &lo, sizeof lo);
    std::memcpy(p + 4, &hi, sizeof hi);
}

// out[b][j] = rows[j][b] for b in [0, 8): an 8 x 8 tile of 8 rows `stride` floats apart.
VIDSEG_LANES_INLINE void transpose8(const float* r, std::size_t st, float* out, Float8*) {
    const Float8 r0 = load<Float8>(r), r1 = load<Float8>(r + st), r2 = load<Float8>(r + 2 * st);
    const Float8 r3 = load<Float8>(r + 3 * st), r4 = load<Float8>(r + 4 * st), r5 = load<Float8>(r + 5 * st);
    const Float8 r6 = load<Float8>(r + 6 * st), r7 = load<Float8>(r + 7 * st);
    const Int8 unpack_lo{0, 8, 1, 9, 4, 12, 5, 13}, unpack_hi{2, 10, 3, 11, 6, 14, 7, 15};
    const Float8 t0 = __builtin_shuffle(r0, r1, unpack_lo), t1 = __builtin_shuffle(r0, r1, unpack_hi);
    const Float8 t2 = __builtin_shuffle(r2, r3, unpack_lo), t3 = __builtin_shuffle(r2, r3, unpack_hi);
    const Float8 t4 = __builtin_shuffle(r4, r5, unpack_lo), t5 = __builtin_shuffle(r4, r5, unpack_hi);
    const Float8 t6 = __builtin_shuffle(r6, r7, unpack_lo), t7 = __builtin_shuffle(r6, r7, unpack_hi);
    const Int8 pair_lo{0, 1, 8, 9, 4, 5, 12, 13}, pair_hi{2, 3, 10, 11, 6, 7, 14, 15};
    const Float8 u0 = __builtin_shuffle(t0, t2, pair_lo), u1 = __builtin_shuffle(t0, t2, pair_hi);
    const Float8 u2 = __builtin_shuffle(t1, t3, pair_lo), u3 = __builtin_shuffle(t1, t3, pair_hi);
    const Float8 u4 = __builtin_shuffle(t4, t6, pair_lo), u5 = __builtin_shuffle(t4, t6, pair_hi);
    const Float8 u6 = __builtin_shuffle(t5, t7, pair_lo), u7 = __builtin_shuffle(t5, t7, pair_hi);
    const Int8 half_lo{0, 1, 2, 3, 8, 9, 10, 11}, half_hi{4, 5, 6, 7, 12, 13, 14, 15};
    store(out, __builtin_shuffle(u0, u4, half_lo));
    store(out + 8, __builtin_shuffle(u1, u5, half_lo));
    store(out + 16, __builtin_shuffle(u2, u6, half_lo));
    store(out + 24, __builtin_shuffle(u3, u7, half_lo));
    store(out + 32, __builtin_shuffle(u0, u4, half_hi));
    store(out + 40, __builtin_shuffle(u1, u5, half_hi));
    store(out + 48, __builtin_shuffle(u2, u6, half_hi));
    store(out + 56, __builtin_shuffle(u3, u7, half_hi));
}
// The same with 4 x 4 tiles of 128-bit vectors: rows j0..j0+3, bins b0..b0+3 go to out[b][j0 .. j0 + 3].
VIDSEG_LANES_INLINE void transpose8(const float* r, std::size_t st, float* out, Pair<Float4>*) {
    for (std::size_t j0 = 0; j0 < 8; j0 += 4)
        for (std::size_t b0 = 0; b0 < 8; b0 += 4) {
            const float* src = r + j0 * st + b0;
            const Float4 a = load<Float4>(src), b = load<Float4>(src + st);
            const Float4 c = load<Float4>(src + 2 * st), d = load<Float4>(src + 3 * st);
            const Float4 ab_lo = __builtin_shuffle(a, b, Int4{0, 4, 1, 5}),
                         ab_hi = __builtin_shuffle(a, b, Int4{2, 6, 3, 7});
            const Float4 cd_lo = __builtin_shuffle(c, d, Int4{0, 4, 1, 5}),
                         cd_hi = __builtin_shuffle(c, d, Int4{2, 6, 3, 7});
            float* dst = out + b0 * 8 + j0;
            store(dst, __builtin_shuffle(ab_lo, cd_lo, Int4{0, 1, 4, 5}));
            store(dst + 8, __builtin_shuffle(ab_lo, cd_lo, Int4{2, 3, 6, 7}));
            store(dst + 16, __builtin_shuffle(ab_hi, cd_hi, Int4{0, 1, 4, 5}));
            store(dst + 24, __builtin_shuffle(ab_hi, cd_hi, Int4{2, 3, 6, 7}));
        }
}

// --- "wide" values: W adjacent bins of a block at once (W = 2 with AVX-512: a Float16 holds two
// bins; W = 1 elsewhere). Reductions over bins keep W partial results and fold them at the end. ---
VIDSEG_LANES_INLINE Float8 fold_bins(Float8 v) {
    return v;
}
VIDSEG_LANES_INLINE Pair<Float4> fold_bins(Pair<Float4> v) {
    return v;
}
VIDSEG_LANES_INLINE Int8 fold_bins(Int8 v) {
    return v;
}
VIDSEG_LANES_INLINE Pair<Int4> fold_bins(Pair<Int4> v) {
    return v;
}
VIDSEG_LANES_INLINE Float8 fold_bins(Float16 v) {
    return __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
           __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
}
VIDSEG_LANES_INLINE Int8 fold_bins(Int16 v) {
    return __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
           __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
}
// Bin i (< W) of a wide value.
template <class F8>
VIDSEG_LANES_INLINE F8 bin_of(F8 v, std::size_t) {
    return v;
}
VIDSEG_LANES_INLINE Float8 bin_of(Float16 v, std::size_t i) {
    return i == 0 ? __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7)
                  : __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
}
// One bin's value repeated for every bin of a wide value.
template <class W, class F8>
VIDSEG_LANES_INLINE W repeat_bins(F8 v) {
    if constexpr (sizeof(W) == sizeof(F8)) {
        return v;
    } else {
        return __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);
    }
}

// The types of one level's kernels (see spectral_kernels_body.inl): F8 / I8 one bin of a block and
// its mask, FW / IW the bins handled per step, D8 eight doubles.
struct HalvesVectors {  // SSE levels and NEON: 128-bit registers
    using F8 = Pair<Float4>;
    using I8 = Pair<Int4>;
    using FW = F8;
    using IW = I8;
    using D8 = Pair<Pair<Double2>>;
};
struct Avx2Vectors {  // x86-64-v3
    using F8 = Float8;
    using I8 = Int8;
    using FW = F8;
    using IW = I8;
    using D8 = Pair<Double4>;
};
struct Avx512Vectors {  // x86-64-v4: two bins per 512-bit register in the per-bin sums
    using F8 = Float8;
    using I8 = Int8;
    using FW = Float16;
    using IW = Int16;
    using D8 = Double8;
};

#undef VIDSEG_LANES_INLINE

}  // namespace vidseg::audio::lanes

#pragma GCC diagnostic pop
