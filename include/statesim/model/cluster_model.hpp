#pragma once
#include <atomic>
#include <cstdint>

#include "statesim/config/scenario.hpp"
#include "statesim/engine/simulation.hpp"
#include "statesim/model/clients.hpp"
#include "statesim/model/failures.hpp"
#include "statesim/model/metrics_sink.hpp"
#include "statesim/model/model_context.hpp"
#include "statesim/model/server_fleet.hpp"
#include "statesim/model/serverless_runtime.hpp"
#include "statesim/model/trace.hpp"
#include "statesim/model/workflows.hpp"

namespace statesim {

struct RunSpec {
    std::uint64_t seed = 42; // the replication's seed: same for every architecture (CRN)
    SimTime warmup = 0;
    SimTime duration = 0; // measured after warmup
    SimTime timeseries_interval = 10 * kSecond;
    const std::atomic<bool> *stop = nullptr; // set on SIGINT: the run ends early, flagged
    std::uint32_t trace_sessions = 0;        // --trace: follow the first N measured sessions

    SimTime end() const { return warmup + duration; }
    // How long the window's sessions are followed after it, arrivals stopped, before those
    // still open are reported as active: the window's length, at least an hour.
    SimTime drain_limit() const { return std::max(duration, 3600 * kSecond); }

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

// One architecture under one replication's traffic and faults: it only wires the parts —
// clients, the compute backend (a server fleet behind a load balancer, or a serverless
// runtime), fault injection — to one event loop and a metrics sink. A value: tests run many
// side by side.
class ClusterModel {
  public:
    ClusterModel(const Architecture &arch, const RunSpec &spec, MetricsSink &sink);

    struct Outcome {
        std::uint64_t events = 0;
        bool interrupted = false;
        SimTime stopped_at = 0;              // end of the window, or earlier when interrupted
        std::uint64_t still_open = 0;        // measured sessions without an outcome after the drain
        std::uint64_t workflows_running = 0; // measured workflows still running after it
        RunResult::Draws draws;
        std::uint64_t sessions_peak = 0;
        std::vector<TraceRow> trace; // trace_sessions > 0: their events in time order
    };
    Outcome run();

    const Clients &clients() const { return clients_; }
    // The server fleet (runtime: servers) or the function runtime (serverless); the other is
    // null.
    const ServerFleet *fleet() const { return fleet_.get(); }
    const ServerlessRuntime *functions() const { return functions_.get(); }

  private:
    void dispatch(const Event &e);

    RunSpec spec_;
    Simulation sim_;
    ModelContext ctx_;
    std::unique_ptr<SessionTracer> tracer_; // trace_sessions > 0 (before the parts it names)
    AttemptPool attempts_;
    Clients clients_;
    std::unique_ptr<ServerFleet> fleet_;
    std::unique_ptr<ServerlessRuntime> functions_;
    ComputeBackend *backend_;
    FaultInjector faults_;
    std::unique_ptr<Workflows> workflows_; // workflows.enabled
};

} // namespace statesim
