#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>

#include "statesim/model/session_store.hpp"

using namespace statesim;

using Try = SessionStore::Try;

namespace {

// One try of an operation on `bytes` of session `uid`'s item, reaching the store at `t`.
Try op(SessionStore &store, SimTime t, std::uint64_t uid, bool write, double bytes) {
    return store.try_op(t, uid, write, SessionStore::units(write, bytes));
}

} // namespace

TEST_CASE("the store admits capacity operations per second and throttles the rest") {
    StoreSpec spec;
    spec.capacity = 10;
    SessionStore store(spec);
    int admitted = 0;
    for (int i = 0; i < 20; ++i)
        admitted += op(store, i * kMillisecond, 1, i % 2 == 1, 300) == Try::admitted;
    CHECK(admitted == 10);
    CHECK(op(store, kSecond - 1, 1, false, 300) == Try::throttled);
    CHECK(op(store, kSecond, 1, false, 300) == Try::admitted); // the next second
}

TEST_CASE("a throttled try's backoff: full jitter up to 25 ms x 2^refused, capped at 1.6 s") {
    Rng rng(1);
    for (int refused = 0; refused < 10; ++refused) {
        const double cap = 0.025 * std::ldexp(1.0, std::min(refused, 6));
        SimTime longest = 0;
        for (int i = 0; i < 2000; ++i) {
            const SimTime wait = SessionStore::backoff(refused, rng);
            CHECK(wait > 0);
            CHECK(wait <= from_seconds(cap));
            longest = std::max(longest, wait);
        }
        CHECK(longest > from_seconds(0.99 * cap)); // 2000 uniform draws reach the top 1 %
    }
}

TEST_CASE("billing units follow DynamoDB on-demand: 1 KiB per write unit, 4 KiB per read unit") {
    CHECK(SessionStore::units(true, 0) == 1);
    CHECK(SessionStore::units(true, 1024) == 1);
    CHECK(SessionStore::units(true, 1025) == 2);
    CHECK(SessionStore::units(true, 6000) == 6);
    CHECK(SessionStore::units(false, 4096) == 1);
    CHECK(SessionStore::units(false, 4097) == 2);
    CHECK(SessionStore::units(false, 6000) == 2);
}

namespace {

StoreSpec dynamodb(StoreSpec::CapacityMode mode, double reads, double writes) {
    StoreSpec spec;
    spec.capacity_mode = mode;
    spec.read_units = reads;
    spec.write_units = writes;
    spec.read_latency = Distribution::constant_value(0.004);
    spec.write_latency = Distribution::constant_value(0.006);
    return spec;
}

// Tries `n` operations at `t`; returns how many were admitted.
int immediate(SessionStore &store, SimTime t, int n, bool write, double bytes) {
    int admitted = 0;
    for (int i = 0; i < n; ++i)
        admitted += op(store, t, static_cast<std::uint64_t>(i), write, bytes) == Try::admitted;
    return admitted;
}

} // namespace

TEST_CASE("on-demand: 12000 read and 4000 write units at first, then twice the previous peak") {
    const StoreSpec spec = dynamodb(StoreSpec::CapacityMode::on_demand, 12000, 4000);
    SessionStore store(spec);
    CHECK(store.limit(false, 0) == 12000);
    CHECK(store.limit(true, 0) == 4000);
    // Second 0: 12000 reads of one unit each are admitted, the next one is throttled.
    CHECK(immediate(store, 0, 12000, false, 300) == 12000);
    // Reads and writes have their own limits: 2 KiB writes cost 2 units, 2000 fit in 4000.
    CHECK(immediate(store, 0, 2000, true, 2048) == 2000);
    CHECK(op(store, 0, 1, true, 300) == Try::throttled);
    SessionStore fresh(spec);
    CHECK(immediate(fresh, 0, 12000, false, 300) == 12000);
    CHECK(op(fresh, kSecond / 2, 1, false, 300) == Try::throttled);

    // A peak below the initial limit leaves it; a peak P above it allows 2P the next second.
    SessionStore grow(spec);
    CHECK(immediate(grow, 0, 5000, false, 300) == 5000);
    CHECK(grow.limit(false, 1 * kSecond) == 12000);
    CHECK(immediate(grow, 1 * kSecond, 12000, false, 300) == 12000);
    CHECK(grow.limit(false, 2 * kSecond) == 24000);
    CHECK(immediate(grow, 2 * kSecond, 24000, false, 300) == 24000);
    CHECK(grow.limit(false, 2 * kSecond) == 24000); // the second's own traffic does not count
    CHECK(grow.limit(false, 3 * kSecond) == 48000);
    // 10 KiB reads cost 3 units: 16000 of them fill 48000 units, the next is throttled.
    CHECK(immediate(grow, 3 * kSecond, 16000, false, 10 * 1024) == 16000);
    CHECK(op(grow, 3 * kSecond, 1, false, 300) == Try::throttled);
    // Quiet seconds do not shrink it: the peak is over every past second.
    CHECK(grow.limit(false, 100 * kSecond) == 96000);
    CHECK(immediate(grow, 100 * kSecond, 96000, false, 300) == 96000);
    CHECK(grow.limit(false, 300 * kSecond) == 192000);
    // Second 228 reuses second 100's window (128 are kept): its peak still counts.
    CHECK(immediate(grow, 228 * kSecond, 1, false, 300) == 1);
    CHECK(grow.limit(false, 300 * kSecond) == 192000);
    // Writes grew on their own: never more than 4000 in a second so far.
    CHECK(grow.limit(true, 300 * kSecond) == 4000);
}

TEST_CASE("on-demand: a second's peak raises the limit of later seconds opened before it ends") {
    const StoreSpec spec = dynamodb(StoreSpec::CapacityMode::on_demand, 10, 10);
    SessionStore store(spec);
    CHECK(immediate(store, 5 * kSecond, 1, false, 300) == 1); // second 5 opens first
    CHECK(immediate(store, 4 * kSecond, 10, false, 300) == 10);
    CHECK(immediate(store, 5 * kSecond, 19, false, 300) == 19); // 20 in second 5
    CHECK(op(store, 5 * kSecond, 1, false, 300) == Try::throttled);
}

TEST_CASE("provisioned: fixed read and write units per second") {
    const StoreSpec spec = dynamodb(StoreSpec::CapacityMode::provisioned, 100, 50);
    SessionStore store(spec);
    for (int s = 0; s < 3; ++s) {
        const SimTime t = s * 10 * kSecond;
        CHECK(store.limit(false, t) == 100);
        CHECK(immediate(store, t, 100, false, 300) == 100);
        CHECK(op(store, t, 1, false, 300) == Try::throttled);
        CHECK(immediate(store, t, 25, true, 1500) == 25); // 2 units each
        CHECK(op(store, t, 1, true, 300) == Try::throttled);
    }
}

TEST_CASE("fixed: operations per second whatever their size, reads and writes together") {
    StoreSpec spec;
    spec.capacity = 10;
    spec.read_units = 1; // ignored when fixed
    spec.write_units = 1;
    SessionStore store(spec);
    CHECK(store.limit(false, 0) == 10);
    CHECK(immediate(store, 0, 5, true, 100000) == 5);
    CHECK(immediate(store, 0, 5, false, 100000) == 5);
    CHECK(op(store, 0, 1, false, 300) == Try::throttled);
    CHECK(store.limit(false, 5 * kSecond) == 10); // never grows
}

TEST_CASE("fixed: a fractional rate is admitted on average, carried from second to second") {
    // Before, each second admitted the rate's whole part: 30/min let nothing through, 1.9/s
    // admitted as much as 1/s.
    for (const double c : {0.5, 1.9, 2.0}) {
        StoreSpec spec;
        spec.capacity = c;
        SessionStore store(spec);
        double admitted = 0;
        for (int s = 0; s < 100; ++s) {
            const auto limit = static_cast<int>(store.limit(false, s * kSecond));
            CHECK(limit == std::floor(c * (s + 1)) - std::floor(c * s));
            CHECK(immediate(store, s * kSecond, limit, false, 300) == limit);
            admitted += limit;
        }
        CHECK(admitted == doctest::Approx(100 * c));
    }
    // Within a second the limit holds: 1.9/s admits 2 in second 1 and refuses a third.
    StoreSpec some;
    some.capacity = 1.9;
    SessionStore bounded(some);
    CHECK(immediate(bounded, kSecond, 2, false, 300) == 2);
    CHECK(op(bounded, kSecond, 3, false, 300) == Try::throttled);
    StoreSpec half;
    half.capacity = 0.5; // 30/min: second 0 admits nothing, second 1 one operation
    SessionStore first(half), second(half);
    CHECK(op(first, 0, 1, false, 300) == Try::throttled);
    CHECK(op(second, kSecond + 1, 2, false, 300) == Try::admitted);
}

TEST_CASE("a down shard fails its operations after exactly the timeout, others serve") {
    StoreSpec spec;
    spec.kind = StoreKind::redis;
    spec.shards = 4;
    spec.durable = false;
    spec.capacity = 100000;
    spec.timeout = 0.75;
    spec.read_latency = Distribution::constant_value(0.001);
    spec.write_latency = Distribution::constant_value(0.001);
    SessionStore store(spec);
    CHECK(store.shards() == 4);
    CHECK(store.loses_data_on_failure());
    std::uint64_t on0 = 0, on1 = 0;
    for (std::uint64_t uid = 1; on0 == 0 || on1 == 0; ++uid) {
        if (store.shard_of(uid) == 0 && on0 == 0) on0 = uid;
        if (store.shard_of(uid) == 1 && on1 == 0) on1 = uid;
    }
    const SimTime at = 10 * kSecond;
    store.fail(0, at);
    CHECK(store.down(0, at));
    CHECK_FALSE(store.down(0, at - 1));
    CHECK_FALSE(store.down(1, at));
    CHECK(store.down(-1, at));
    const SimTime t = at + 5 * kMillisecond;
    for (const bool write : {false, true}) {
        CHECK(op(store, t, on0, write, 300) == Try::down);
        CHECK(op(store, t, on1, write, 300) == Try::admitted);
    }
    CHECK(store.down(0, at + 3600 * kSecond)); // no replica: down until repaired
    store.repair(0, 20 * kSecond);
    CHECK_FALSE(store.down(0, 20 * kSecond));
    CHECK(store.down(0, 20 * kSecond - 1));
    CHECK(op(store, 20 * kSecond, on0, false, 300) == Try::admitted);
    // Every shard at once.
    store.fail(-1, 30 * kSecond);
    CHECK(op(store, 31 * kSecond, on0, false, 300) == Try::down);
    CHECK(op(store, 31 * kSecond, on1, false, 300) == Try::down);
    store.repair(-1, 32 * kSecond);
    CHECK(op(store, 32 * kSecond, on1, false, 300) == Try::admitted);
    // Out-of-range shards are ignored.
    store.fail(7, 40 * kSecond);
    CHECK_FALSE(store.down(-1, 40 * kSecond));
}

TEST_CASE("overlapping failures of a shard: it is back when the last one is repaired") {
    // The whole store fails at 3 min (2 min), shard 1 again at 4 min (4 min): shard 1 stays
    // down until 8 min. Before, the whole store's repair at 5 min brought shard 1 back too.
    StoreSpec spec;
    spec.kind = StoreKind::redis;
    spec.shards = 4;
    SessionStore store(spec);
    const SimTime m = 60 * kSecond;
    store.fail(-1, 3 * m);
    store.fail(1, 4 * m);
    store.repair(-1, 5 * m);
    CHECK(store.down(1, 5 * m));
    CHECK_FALSE(store.down(0, 5 * m));
    CHECK_FALSE(store.down(2, 5 * m));
    store.repair(1, 8 * m);
    CHECK_FALSE(store.down(1, 8 * m));
    CHECK_FALSE(store.down(-1, 8 * m));
    // The same failure process twice on one shard, repaired in the other order.
    store.fail(2, 10 * m);
    store.fail(2, 11 * m);
    store.repair(2, 12 * m);
    CHECK(store.down(2, 12 * m));
    store.repair(2, 13 * m);
    CHECK_FALSE(store.down(2, 13 * m));
}

TEST_CASE("redis with replicas fails over while a replica is left, and is dark with none left") {
    StoreSpec spec;
    spec.kind = StoreKind::redis;
    spec.shards = 2;
    spec.replicas = 1;
    spec.durable = false;
    spec.capacity = 100000;
    spec.failover_time = 30;
    spec.timeout = 1;
    spec.read_latency = Distribution::constant_value(0.001);
    SessionStore store(spec);
    CHECK(store.loses_data_on_failure()); // not durable: a dark shard loses its items
    std::uint64_t uid = 1;
    while (store.shard_of(uid) != 1)
        ++uid;
    // One node down: the replica is promoted, operations fail for failover_time.
    store.fail(1, 100 * kSecond);
    CHECK_FALSE(store.dark(1));
    const SimTime last = 130 * kSecond - 1;
    CHECK(op(store, 100 * kSecond, uid, false, 300) == Try::down);
    CHECK(op(store, last, uid, false, 300) == Try::down);
    CHECK(op(store, 130 * kSecond, uid, false, 300) == Try::admitted);
    CHECK_FALSE(store.down(1, 130 * kSecond));
    store.repair(1, 150 * kSecond); // back as a replica: nothing changes for the clients
    CHECK_FALSE(store.down(1, 150 * kSecond));
    // Two nodes down at once (the promoted replica fails before the first node is back): no
    // node is left, the shard is dark until one is repaired, then serves at once. (Each
    // failure was another clean failover: `replicas: 3` bought nothing over `replicas: 1`.)
    store.fail(1, 200 * kSecond);
    store.fail(1, 210 * kSecond);
    CHECK(store.dark(1));
    CHECK_FALSE(store.dark(0));
    CHECK(store.down(1, 399 * kSecond));
    store.repair(1, 400 * kSecond);
    CHECK_FALSE(store.dark(1));
    CHECK_FALSE(store.down(1, 400 * kSecond));
    store.repair(1, 500 * kSecond);
    CHECK_FALSE(store.down(1, 500 * kSecond));
}

TEST_CASE("redis with three replicas rides out three overlapping failures as failovers") {
    StoreSpec spec;
    spec.kind = StoreKind::redis;
    spec.replicas = 3;
    spec.failover_time = 30;
    SessionStore store(spec);
    store.fail(0, 100 * kSecond);
    store.fail(0, 110 * kSecond);
    store.fail(0, 120 * kSecond);
    CHECK_FALSE(store.dark(0));
    CHECK(store.down(0, 149 * kSecond)); // the last failover, 30 s from 120 s
    CHECK_FALSE(store.down(0, 150 * kSecond));
    store.fail(0, 200 * kSecond); // the fourth node: none left
    CHECK(store.dark(0));
    CHECK(store.down(0, 10000 * kSecond));
}

TEST_CASE("durable stores lose nothing on failure, DynamoDB is one shard") {
    StoreSpec dynamo = dynamodb(StoreSpec::CapacityMode::on_demand, 12000, 4000);
    dynamo.shards = 8; // ignored: DynamoDB's partitions are managed
    dynamo.replicas = 2;
    SessionStore table(dynamo);
    CHECK(table.shards() == 1);
    CHECK(table.shard_of(12345) == 0);
    CHECK_FALSE(table.loses_data_on_failure());
    table.fail(-1, 0);
    CHECK(op(table, kSecond, 1, true, 300) == Try::down);
    CHECK(table.down(0, 3600 * kSecond)); // no failover: down until the outage ends
    table.repair(-1, 120 * kSecond);
    CHECK(op(table, 120 * kSecond, 1, true, 300) == Try::admitted);

    StoreSpec aof;
    aof.kind = StoreKind::redis;
    aof.durable = true;
    CHECK_FALSE(SessionStore(aof).loses_data_on_failure());
    StoreSpec memcached;
    memcached.kind = StoreKind::memcached;
    memcached.durable = false;
    CHECK(SessionStore(memcached).loses_data_on_failure());
}

TEST_CASE("shard_of spreads sessions evenly and deterministically") {
    StoreSpec spec;
    spec.kind = StoreKind::memcached;
    spec.shards = 4;
    const SessionStore store(spec);
    const SessionStore again(spec);
    std::array<int, 4> count{};
    for (std::uint64_t uid = 1; uid <= 100000; ++uid) {
        const int shard = store.shard_of(uid);
        REQUIRE(shard >= 0);
        REQUIRE(shard < 4);
        REQUIRE(again.shard_of(uid) == shard);
        ++count[static_cast<std::size_t>(shard)];
    }
    for (const int c : count) {
        CHECK(c >= 24500);
        CHECK(c <= 25500);
    }
}
