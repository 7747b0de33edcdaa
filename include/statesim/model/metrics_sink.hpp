#pragma once
#include <cstdint>
#include <string>

#include "statesim/engine/sim_time.hpp"
#include "statesim/model/run_result.hpp"

namespace statesim {

// What the model emits while it runs; it never aggregates. A recorder (output/recorder) applies
// the one warm-up rule, keeps the histograms, the time-weighted levels and the timeseries.
class MetricsSink {
  public:
    virtual ~MetricsSink() = default;

    // A session began; returns whether it belongs to the measured cohort (it started inside
    // the window). The model follows that cohort to its outcome.
    virtual bool session_started(SimTime now) = 0;
    enum class Outcome { completed, abandoned, closed_lost };
    virtual void session_ended(SimTime now, bool measured, Outcome how) = 0;
    virtual void session_lost(SimTime now, bool measured, LossCause cause) = 0;

    // A request's first attempt reached the balancer (timeseries `arrivals`).
    virtual void request_begun(SimTime now) = 0;
    virtual void request_done(SimTime now, SimTime latency) = 0;
    // An attempt failed (error or timeout); `retried` tells whether the client tries again.
    virtual void attempt_failed(SimTime now, bool retried) = 0;

    // Requests at nodes (waiting or in service) and busy workers changed by the deltas.
    virtual void work_changed(SimTime now, int in_system_delta, int busy_delta) = 0;
    // A request left its node after `at_node` (queue + service).
    virtual void served(SimTime now, SimTime at_node) = 0;
    // Fleet levels: serving capacity in workers (a warming node counts its reduced share),
    // serving nodes (fractional the same way), nodes billed (launched, not yet terminated),
    // nodes running and nodes booting; the group's desired count (what the autoscaler or the
    // configuration asks for) and nodes draining (deregistered, not yet terminated).
    // serving_nodes: capacity the balancer routes to, in nodes (a warming node at its share);
    // serving_workers: the workers that may be busy, those nodes' and draining nodes'
    // (utilization's denominator).
    struct Fleet {
        double serving_workers = 0, serving_nodes = 0;
        int billed = 0, running = 0, booting = 0;
        int desired = 0, draining = 0;
    };
    virtual void fleet_changed(SimTime now, const Fleet &fleet) = 0;

    // One admitted store operation of `units` billing units, after `throttles` refusals; a
    // failed one (out of retries) has ok = false and is not billed.
    virtual void store_op(SimTime now, bool write, bool ok, std::uint32_t units,
                          std::uint32_t throttles) = 0;

    // Serverless: execution environments alive (initialising, busy or idle) changed; busy ones
    // (initialising or serving) are the busy workers of work_changed. The platform itself is
    // always available.
    virtual void environments_changed(SimTime now, int environments) = 0;
    // A request was refused (429 throttle).
    virtual void throttled(SimTime now) = 0;
    // A function invocation ended: its billed duration (init included, rounded up to 1 ms) and
    // whether it started its environment (a cold start). Counting both when it ends keeps
    // cold starts a share of the invocations counted in the window.
    virtual void invocation(SimTime now, SimTime billed, bool cold) = 0;

    // Workflows: one began (returns whether it is in the measured cohort: started in the
    // window); one ended, completed or lost with `cause`, after `took`; an orchestrator
    // persisted a transition (billed).
    virtual bool workflow_started(SimTime now) = 0;
    virtual void workflow_ended(SimTime now, bool measured, bool completed, LossCause cause,
                                SimTime took) = 0;
    virtual void state_transition(SimTime now) = 0;

    // A discrete event for events.csv (SPEC §3): `target` is a node id, `zone K`, `store` or
    // `store shard K`; `detail` free text such as `desired 4->6` or `sessions lost 312`.
    virtual void mark(SimTime now, MarkedEvent what, std::string target, std::string detail) = 0;
};

} // namespace statesim
