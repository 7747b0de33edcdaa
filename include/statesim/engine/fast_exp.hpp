#pragma once
#include <bit>
#include <cmath>
#include <cstdint>

namespace statesim {

// 2^(i/128) for i = 0..127: the nearest double and the relative rounding error left
// (exact = scale * (1 + tail)). exp_table.cpp.
struct ExpTableEntry {
    double scale, tail;
};
extern const ExpTableEntry kExpTable[128];

// e^x, inline: every lognormal draw (each hop, think time and service demand of most runs) is
// one, and libm's costs a call through the PLT and an errno wrapper (about 50 instructions,
// twice this). The algorithm of glibc's and musl's exp (Szabolcs Nagy, Arm optimized-routines:
// x = k ln2/128 + r, e^x = 2^(k/128) e^r with a degree-5 polynomial on |r| <= ln2/256), within
// 0.51 ulp. Built without FMA contraction (CMakeLists.txt: -ffp-contract=off) it gives the same
// bits on every platform, where libm's exp differs between C libraries and, in glibc, between
// CPUs with and without FMA (their results differ in the last bit for 0.07 % of arguments). At
// |x| >= 512 (results beyond 1e222 or below 1e-222, NaN, infinities: never a sample) it defers
// to std::exp.
inline double fast_exp(double x) {
    if (!(std::fabs(x) < 512.0)) [[unlikely]]
        return std::exp(x);
    constexpr double kInvLn2N = 0x1.71547652b82fep0 * 128; // 128 / ln 2
    constexpr double kShift = 0x1.8p52;                    // rounds to an integer in the low bits
    constexpr double kNegLn2HiN = -0x1.62e42fefa0000p-8;   // -ln 2 / 128, exact times any k
    constexpr double kNegLn2LoN = -0x1.cf79abc9e3b3ap-47;
    constexpr double kC2 = 0x1.ffffffffffdbdp-2, kC3 = 0x1.555555555543cp-3;
    constexpr double kC4 = 0x1.55555cf172b91p-5, kC5 = 0x1.1111167a4d017p-7;
    double kd = x * kInvLn2N + kShift;
    const auto ki = std::bit_cast<std::uint64_t>(kd); // k = round(x * 128 / ln 2), in its low bits
    kd -= kShift;
    const double r = x + kd * kNegLn2HiN + kd * kNegLn2LoN;
    const ExpTableEntry &t = kExpTable[ki % 128];
    // 2^(k/128) = 2^(k >> 7) * table: the whole power of two goes into the exponent bits.
    const double scale =
        std::bit_cast<double>(std::bit_cast<std::uint64_t>(t.scale) + ((ki >> 7) << 52));
    const double r2 = r * r;
    const double tmp = t.tail + r + r2 * (kC2 + r * kC3) + r2 * r2 * (kC4 + r * kC5);
    return scale + scale * tmp;
}

} // namespace statesim
