#include "statesim/model/session_store.hpp"

#include <algorithm>
#include <cmath>

namespace statesim {
namespace {

// splitmix64's finalizer: a fixed bijective mix, so consecutive uids spread evenly.
std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

} // namespace

SessionStore::SessionStore(const StoreSpec &spec)
    : spec_(spec), fixed_(spec.capacity_mode == StoreSpec::CapacityMode::fixed),
      // DynamoDB ignores shards and replicas (its partitions and replication are managed);
      // memcached has no replicas (the loader refuses them).
      replicas_(spec.kind == StoreKind::redis ? spec.replicas : 0),
      outages_(static_cast<std::size_t>(
          spec.kind == StoreKind::dynamodb ? 1 : std::max(1, spec.shards))) {
    ops_.initial = spec.capacity;
    reads_.initial = spec.read_units;
    writes_.initial = spec.write_units;
    reads_.grows = writes_.grows = spec.capacity_mode == StoreSpec::CapacityMode::on_demand;
}

SessionStore::Window &SessionStore::Meter::open(std::int64_t second) {
    Window &w = windows[static_cast<std::size_t>(second) % windows.size()];
    if (w.second == second) return w;
    if (!grows) {
        w = Window{second, 0, 0};
        return w;
    }
    // The slot's older second leaves the ring: its peak still counts.
    if (w.second >= 0 && w.second < second) evicted_peak = std::max(evicted_peak, w.used);
    double peak = evicted_peak;
    for (const Window &o : windows)
        if (o.second >= 0 && o.second < second) peak = std::max(peak, o.used);
    w = Window{second, 0, peak};
    newest = std::max(newest, second);
    return w;
}

double SessionStore::Meter::limit_of(const Window &w) const {
    return grows ? std::max(initial, 2 * w.peak_before) : fixed_limit(w.second);
}

// A fixed limit of c per second admits ⌊c(k+1)⌋ − ⌊ck⌋ in second k: c itself when c is whole,
// and a fractional rate on average (30/min: one every other second; 1.9/s: 1, 2, 2, ...)
// instead of its whole part (nothing at all below 1/s).
double SessionStore::Meter::fixed_limit(std::int64_t second) const {
    if (initial == std::floor(initial)) return initial;
    const auto k = static_cast<double>(second);
    return std::floor(initial * (k + 1)) - std::floor(initial * k);
}

bool SessionStore::Meter::admit(SimTime t, double amount) {
    const std::int64_t second = t / kSecond;
    Window &w = open(second);
    if (w.used + amount > limit_of(w)) return false;
    w.used += amount;
    if (grows) {
        // Later seconds already opened (by retries) see this second's new peak.
        const std::int64_t last =
            std::min(newest, second + static_cast<std::int64_t>(windows.size()) - 1);
        for (std::int64_t s = second + 1; s <= last; ++s) {
            Window &later = windows[static_cast<std::size_t>(s) % windows.size()];
            if (later.second == s) later.peak_before = std::max(later.peak_before, w.used);
        }
    }
    return true;
}

bool SessionStore::admit(SimTime t, bool write, double amount) {
    if (fixed_) return ops_.admit(t, 1);
    return (write ? writes_ : reads_).admit(t, amount);
}

double SessionStore::limit(bool write, SimTime t) const {
    const Meter &m = fixed_ ? ops_ : write ? writes_ : reads_;
    const std::int64_t second = t / kSecond;
    const Window &w = m.windows[static_cast<std::size_t>(second) % m.windows.size()];
    if (w.second == second) return m.limit_of(w);
    if (!m.grows) return m.fixed_limit(second);
    double peak = m.evicted_peak;
    for (const Window &o : m.windows)
        if (o.second >= 0 && o.second < second) peak = std::max(peak, o.used);
    return std::max(m.initial, 2 * peak);
}

// DynamoDB on-demand: 1 write request unit per started 1 KiB, 1 read request unit per started
// 4 KiB (strongly consistent); an empty item still costs one unit.
std::uint32_t SessionStore::units(bool write, double item_bytes) {
    const double per_unit = write ? 1024.0 : 4096.0;
    return static_cast<std::uint32_t>(std::max(1.0, std::ceil(item_bytes / per_unit)));
}

int SessionStore::shard_of(std::uint64_t uid) const {
    return static_cast<int>(mix(uid) % outages_.size());
}

template <class F> void SessionStore::each_shard(int shard, F &&f) {
    if (shard < 0) {
        for (Outage &o : outages_)
            f(o);
    } else if (static_cast<std::size_t>(shard) < outages_.size()) {
        f(outages_[static_cast<std::size_t>(shard)]);
    }
}

void SessionStore::fail(int shard, SimTime now) {
    each_shard(shard, [&](Outage &o) {
        const bool out = o.from <= now && now < o.until;
        if (++o.failures > replicas_) { // no node left: down until one is repaired
            o.from = out ? o.from : now;
            o.until = kForever;
            return;
        }
        // Failover: a replica is promoted; refused for failover_time from this failure.
        const SimTime end = now + from_seconds(spec_.failover_time);
        if (out) {
            o.until = std::max(o.until, end);
        } else {
            o.from = now;
            o.until = end;
        }
    });
}

void SessionStore::repair(int shard, SimTime now) {
    each_shard(shard, [&](Outage &o) {
        if (o.failures == 0) return;
        const bool was_dark = o.failures-- > replicas_;
        // The first node back serves at once (nothing to fail over to or from).
        if (was_dark && o.failures <= replicas_ && o.from <= now && now < o.until)
            o.until = std::max(o.from, now);
    });
}

bool SessionStore::dark(int shard) const {
    return static_cast<std::size_t>(shard) < outages_.size() &&
           outages_[static_cast<std::size_t>(shard)].failures > replicas_;
}

bool SessionStore::down(int shard, SimTime t) const {
    const auto out = [t](const Outage &o) { return o.from <= t && t < o.until; };
    if (shard < 0) return std::any_of(outages_.begin(), outages_.end(), out);
    return static_cast<std::size_t>(shard) < outages_.size() &&
           out(outages_[static_cast<std::size_t>(shard)]);
}

bool SessionStore::loses_data_on_failure() const {
    return !spec_.durable;
}

SessionStore::Try SessionStore::try_op(SimTime t, std::uint64_t uid, bool write,
                                       std::uint32_t units) {
    if (down(shard_of(uid), t)) return Try::down;
    return admit(t, write, units) ? Try::admitted : Try::throttled;
}

SimTime SessionStore::backoff(int refused, Rng &rng) {
    const double cap = 0.025 * std::ldexp(1.0, std::min(refused, 6)); // 25ms .. 1.6s
    return from_seconds(cap * rng.uniform_pos());
}

} // namespace statesim
