#pragma once
#include <cmath>
#include <cstdint>
#include <string_view>

namespace statesim {

// 64-bit FNV-1a: a fixed hash for stream names (std::hash differs between libraries).
constexpr std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

constexpr std::uint64_t splitmix64(std::uint64_t &state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Mixes several values into one seed (order matters).
constexpr std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) {
    std::uint64_t s = a ^ (b * 0x9e3779b97f4a7c15ULL);
    splitmix64(s);
    return splitmix64(s);
}

// xoshiro256** (Blackman & Vigna): statesim's own generator, identical on every platform.
class Rng {
  public:
    // The state reseed(0) produces, spelled out: default construction stays cheap.
    Rng()
        : s_{0xe220a8397b1dcdafULL, 0x6e789e6aa1b965f4ULL, 0x06c45d188009454fULL,
             0xf88bb8a8724c81ecULL} {}
    explicit Rng(std::uint64_t seed) { reseed(seed); }
    // The stream for `purpose` under `seed`: independent streams per (replication, purpose).
    Rng(std::uint64_t seed, std::string_view purpose) { reseed(mix_seed(seed, fnv1a(purpose))); }

    // A generator in an exact state (reference test vectors).
    static Rng from_state(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d) {
        Rng r;
        r.s_[0] = a;
        r.s_[1] = b;
        r.s_[2] = c;
        r.s_[3] = d;
        return r;
    }
    void reseed(std::uint64_t seed) {
        for (auto &w : s_)
            w = splitmix64(seed);
    }
    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // Uniform in (0, 1]: safe for log().
    double uniform_pos() { return 1.0 - uniform(); }
    // Uniform integer in [0, n) (Lemire's multiply-shift; bias < n / 2^64).
    std::uint64_t below(std::uint64_t n) {
        __extension__ using u128 = unsigned __int128;
        return static_cast<std::uint64_t>((static_cast<u128>(next()) * n) >> 64);
    }
    double exponential(double mean) { return -mean * std::log(uniform_pos()); }
    // Ziggurat method (Doornik's ZIGNOR, 128 strips): one draw and a table look-up in ~98% of
    // calls. That path is inline (most runs draw a lognormal for every hop and service time);
    // the rest is out of line.
    double standard_normal();

  private:
    double standard_normal_edge(std::uint64_t bits);
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

// The ziggurat's strips (distribution.cpp): x[i] are the strip edges, ratio[i] = x[i+1] / x[i].
struct ZigguratTables {
    static constexpr int kStrips = 128;
    double x[kStrips + 1];
    double ratio[kStrips];
    ZigguratTables();
};
extern const ZigguratTables kZiggurat;

inline double Rng::standard_normal() {
    // Disjoint bits of one draw: the strip from the low 7, the position from the top 53.
    const std::uint64_t bits = next();
    const auto i = static_cast<int>(bits & (ZigguratTables::kStrips - 1));
    const double u = 2.0 * (static_cast<double>(bits >> 11) * 0x1.0p-53) - 1.0;
    if (std::fabs(u) < kZiggurat.ratio[i]) return u * kZiggurat.x[i];
    return standard_normal_edge(bits);
}

} // namespace statesim
