#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "statesim/config/scenario.hpp"
#include "statesim/engine/random.hpp"
#include "statesim/engine/sim_time.hpp"

namespace statesim {

// A DynamoDB/Redis/Memcached-like session store: per-operation latency, a capacity enforced
// per one-second window of simulated time, and shards that can fail.
//
// Capacity (StoreSpec::capacity_mode):
// - fixed (a plain `capacity: N/s`, any kind): N operations (reads + writes) per second.
// - provisioned (DynamoDB): read_units read request units and write_units write request units
//   per second, each class on its own limit; an operation costs its units (see units()).
// - on_demand (DynamoDB): like provisioned, but each class's limit for second S is
//       max(initial, 2 x the highest units admitted in any one second before S)
//   (initial = read_units / write_units: 12000 / 4000 for a new table). AWS documents that a
//   new on-demand table sustains up to 4,000 writes and 12,000 reads per second and that
//   on-demand "instantly accommodates up to double the previous peak traffic on a table"
//   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html,
//   "Initial throughput and scaling properties"). The peak is of admitted units, counted as
//   the run goes (the seconds before S, as far as they have been filled when the operation is
//   admitted); the limit never shrinks. Not modelled: the 30-minute spacing of successive
//   doublings, the account's per-table quota, partition limits, provisioned burst capacity.
// A throttled operation is retried with exponential backoff and full jitter (as the AWS SDKs
// do) and fails after kMaxTries; only admitted operations are billed. Each try is decided when
// it reaches the store (try_op at that instant, called by the model's event for it), never
// ahead of simulated time: a retry due later takes no capacity from an operation that comes
// before it.
//
// Shards and availability: a session's item lives on shard_of(uid) (DynamoDB: one shard, its
// partitions are managed). fail() / repair() take a shard down and back (-1: every shard).
// While a shard is down an operation on it fails after `timeout` (nothing admitted or billed).
// Each failure takes down one node of the shard (its primary) until its repair; a shard has
// 1 + replicas nodes (Redis; DynamoDB and memcached: one). While a replica is left, a failure is
// a failover: the shard refuses operations for `failover_time` after it, then a promoted
// replica serves. A failure that leaves no node up takes the shard down until a node is
// repaired (failures may overlap), and a non-durable shard has then lost its data
// (dark() && loses_data_on_failure(): the model marks its sessions lost, `store_failure`).
class SessionStore {
  public:
    static constexpr int kMaxTries = 10;
    // How an operation ended (for the trace).
    struct Outcome {
        SimTime done; // when the reply left the store (or the caller's timeout ran out)
        bool ok;
        std::uint32_t throttles;
        std::uint32_t units;    // billed request units (0 when it failed)
        bool timed_out = false; // the store was down: no reply, the caller's timeout ran out
    };
    enum class Try { admitted, throttled, down };
    explicit SessionStore(const StoreSpec &spec);
    // One try of an operation of `units` on session `uid`'s item, reaching the store at `t`
    // (the current time: tries must come in time order). Admitted takes the capacity.
    Try try_op(SimTime t, std::uint64_t uid, bool write, std::uint32_t units);
    // The wait before the retry of a try refused `refused` times before (0: the first):
    // full jitter over 25 ms x 2^refused, capped at 1.6 s.
    static SimTime backoff(int refused, Rng &rng);
    // DynamoDB request units: 1 write unit per started KiB, 1 read unit per started 4 KiB
    // (strongly consistent); at least one.
    static std::uint32_t units(bool write, double item_bytes);

    int shards() const { return static_cast<int>(outages_.size()); }
    // The shard holding session `uid`: a fixed mixing hash of the uid modulo shards().
    int shard_of(std::uint64_t uid) const;
    // A node of the shard (-1: of every shard) fails / is repaired at `now`. An out-of-range
    // shard is ignored.
    void fail(int shard, SimTime now);
    void repair(int shard, SimTime now);
    // Whether every node of the shard is down (its data gone unless durable).
    bool dark(int shard) const;
    // Whether an operation on `shard` issued at `t` fails (-1: whether any shard does).
    bool down(int shard, SimTime t) const;
    // Whether a shard that goes dark loses its items: not durable.
    bool loses_data_on_failure() const;
    // The limit of the second holding `t` for reads or writes, in the mode's units
    // (operations when fixed, for both), as it stands now.
    double limit(bool write, SimTime t) const;

  private:
    struct Window {
        std::int64_t second = -1;
        double used = 0;
        double peak_before = 0; // on_demand: highest `used` of the seconds before this one
    };
    // One-second windows of one limit (all operations when fixed; reads or writes otherwise).
    struct Meter {
        std::array<Window, 128> windows{};
        double evicted_peak = 0;  // highest `used` of windows overwritten (older seconds)
        std::int64_t newest = -1; // the latest second with a window
        double initial = 0;       // the limit (fixed, provisioned) or its floor (on_demand)
        bool grows = false;       // on_demand
        bool admit(SimTime t, double amount);
        double limit_of(const Window &w) const;
        double fixed_limit(std::int64_t second) const;
        Window &open(std::int64_t second);
    };
    struct Outage {
        SimTime from = kForever, until = kForever; // down over [from, until)
        int failures = 0; // nodes down (failures not yet repaired; they may overlap)
    };
    bool admit(SimTime t, bool write, double amount);
    template <class F> void each_shard(int shard, F &&f);

    const StoreSpec &spec_;
    bool fixed_;
    int replicas_;
    Meter ops_, reads_, writes_;
    std::vector<Outage> outages_; // per shard
};

} // namespace statesim
