#pragma once
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "statesim/config/scenario.hpp"
#include "statesim/engine/event_queue.hpp"
#include "statesim/engine/random.hpp"
#include "statesim/model/load_balancer.hpp"
#include "statesim/model/run_result.hpp"
#include "statesim/model/store.hpp"

namespace statesim {

struct RunSpec {
    std::uint64_t seed = 42; // the replication's seed: same for every architecture (CRN)
    SimTime warmup = 0;
    SimTime duration = 0; // measured after warmup
    SimTime timeseries_interval = 10 * kSecond;
    const std::atomic<bool> *stop = nullptr; // set on SIGINT: the run ends early, flagged

    // The time bounds of `sc` with the given seed.
    static RunSpec of(const Scenario &sc, std::uint64_t seed) {
        RunSpec r;
        r.seed = seed;
        r.warmup = from_seconds(sc.warmup);
        r.duration = from_seconds(sc.duration);
        r.timeseries_interval = from_seconds(sc.timeseries_interval);
        return r;
    }
};

// One architecture under one replication's traffic and faults: clients with sessions, a load
// balancer, nodes with workers and a FIFO queue, and the session state wherever it lives.
// A value: tests run many side by side.
class ClusterModel {
  public:
    ClusterModel(const Architecture &arch, const RunSpec &spec);
    RunResult run();

  private:
    enum EventKind : std::uint32_t {
        session_arrival,
        lb_arrival,
        node_arrival,
        service_done,
        client_response,
        client_timeout,
        health_check,
        fault,
        node_booted,
        sample,
        warmup_end,
    };

    struct Session {
        std::uint64_t uid = 0;
        Rng rng;                   // workload draws: identical across architectures
        std::uint64_t attempt = 0; // id of the attempt in flight (0: none)
        std::uint64_t timeout_for = 0;
        int requests_left = 0;
        int retries_used = 0;
        SimTime request_start = 0; // first send of the current request (retries included)
        SimTime attempt_start = 0; // send of the attempt in flight: its timeout runs from here
        SimTime service_demand = 0;
        bool is_write = false;
        bool measured = false;
        bool lost = false;
        bool has_state = false;
        double state_bytes = 0;
        int home_node = -1;
        std::uint32_t home_epoch = 0;
        int sticky_node = -1;
        SimTime sticky_expiry = 0;
        int cache_node = -1;
        std::uint32_t cache_epoch = 0;
        int target_node = -1; // node serving the current attempt
    };
    struct Waiting {
        std::uint32_t slot;
        std::uint64_t attempt;
        SimTime arrived;
    };
    struct InService {
        std::uint32_t slot = 0;
        std::uint64_t attempt = 0;
        SimTime arrived = 0;
        bool ok = true;
        bool active = false; // a request occupies this worker
    };
    struct Resident {
        std::uint32_t slot;
        std::uint64_t uid;
    };
    struct Node {
        int zone = 0;
        bool alive = false;
        bool booting = false;
        bool registered = false; // in the LB's target group
        bool healthy = false;    // as the LB sees it
        int checks_ok = 0, checks_failed = 0;
        bool replaced = false;
        std::uint32_t epoch = 0; // incarnation: stale completions carry an old one
        SimTime booted_at = 0;
        int busy = 0;
        std::vector<InService> slots;
        std::vector<int> free_slots;
        std::deque<Waiting> queue;
        double memory_bytes = 0;
        std::deque<Resident> residents; // oldest first: eviction and crash order
    };

    // Time-weighted integral of a level over the measured window.
    struct Level {
        double value = 0;
        SimTime since = 0;
        double area = 0; // value x ns
        void set(double v, SimTime now) {
            area += value * static_cast<double>(now - since);
            value = v;
            since = now;
        }
        void restart(SimTime now) {
            area = 0;
            since = now;
        }
    };

    void schedule(SimTime t, EventKind k, std::uint32_t target, std::uint64_t data) {
        queue_.push(t, k, target, data);
    }
    void dispatch(const Event &e);
    void deliver(SimTime t, EventKind k, std::uint32_t target, std::uint64_t data);
    bool in_window(SimTime t) const { return t >= warmup_end_; }
    SimTime hop() { return hops_zero_ ? 0 : arch_.hop_latency.sample_time(net_rng_); }
    SimTime token_transfer(const Session &s) const;

    void on_session_arrival();
    SimTime next_arrival_after(SimTime t);
    void begin_request(std::uint32_t slot);
    void send_after(std::uint32_t slot, SimTime delay);
    void on_lb_arrival(std::uint32_t slot, std::uint64_t attempt);
    int route(Session &s);
    void on_node_arrival(int node, std::uint32_t slot, std::uint64_t attempt);
    void start_service(int node, const Waiting &w);
    SimTime store_round_trip(SimTime t, bool write, bool &ok);
    void on_service_done(int node, std::uint32_t worker, std::uint32_t epoch);
    void respond(int node, std::uint32_t slot, std::uint64_t attempt, bool ok, SimTime at);
    void on_client_response(std::uint32_t slot, std::uint64_t attempt, bool ok);
    void on_client_timeout(std::uint32_t slot, std::uint64_t attempt);
    void arm_timeout(std::uint32_t slot, std::uint64_t attempt, SimTime deadline);
    void attempt_failed(std::uint32_t slot);
    void on_health_check();
    void on_fault(std::uint32_t index);
    void kill_node(int node);
    void launch_node(int zone);
    void idle_workers(Node &n) const;
    void on_node_booted(int node);
    void on_sample();
    void on_warmup_end();

    bool holds_state(int node, const Session &s) const;
    void settle_state(int node, Session &s);
    void add_resident(int node, std::uint32_t slot, Session &s);
    void release_state(Session &s);
    void evict_beyond_limit(int node);
    void mark_lost(Session &s, LossCause cause);
    void end_session(std::uint32_t slot, bool completed);
    int capacity_of(const Node &n) const;
    void refresh_targets();
    void update_levels();

    const Architecture &arch_;
    RunSpec spec_;
    bool hops_zero_ = false; // network delays off: skip sampling
    SimTime timeout_ = 0;    // client timeout per attempt
    SimTime now_ = 0;
    SimTime warmup_end_ = 0;
    SimTime end_ = 0;
    EventQueue queue_;
    Rng arrival_rng_, session_seed_rng_, net_rng_, lb_rng_, fault_rng_, store_rng_, boot_rng_;
    std::uint64_t session_seed_base_ = 0;
    std::uint64_t next_uid_ = 1, next_attempt_ = 1;
    std::size_t trace_index_ = 0;

    std::vector<Session> sessions_;
    std::vector<std::uint32_t> free_sessions_;
    std::uint64_t sessions_open_ = 0;
    std::vector<Node> nodes_;
    std::vector<int> targets_, outstanding_;
    std::uint64_t membership_version_ = 0;
    std::unique_ptr<BalancingStrategy> strategy_;
    SessionStore store_;

    RunResult result_;
    Level nodes_in_service_, nodes_billed_, busy_workers_, worker_capacity_, in_system_;
    double node_time_sum_ns_ = 0; // time served requests spent at nodes
    std::uint64_t node_time_count_ = 0;
    TimeseriesRow interval_;
    Histogram interval_latency_;
    double interval_busy_area_ = 0, interval_capacity_area_ = 0;
    std::uint64_t lost_total_ = 0;
};

} // namespace statesim
