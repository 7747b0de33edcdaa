#include "statesim/model/workflows.hpp"

#include <algorithm>

namespace statesim {

Workflows::Workflows(ModelContext &ctx, AttemptPool &attempts, ComputeBackend &backend)
    : ctx_(ctx), attempts_(attempts), backend_(backend),
      arrivals_(ctx.arch.workflows.arrival, Rng(ctx.seed, "workflow_arrivals")),
      seed_base_(Rng(ctx.seed, "workflows").next()),
      orchestrated_(ctx.arch.workflows.orchestration == WorkflowSpec::Orchestration::orchestrator) {
}

void Workflows::start(SimTime arrivals_end) {
    horizon_ = arrivals_end;
    const SimTime first = arrivals_.next_after(0, horizon_);
    if (first != kForever) ctx_.sim.schedule(first, workflow_arrival, 0, 0);
}

void Workflows::on_arrival() {
    const SimTime next = arrivals_.next_after(ctx_.now(), horizon_);
    if (next != kForever) ctx_.sim.schedule(next, workflow_arrival, 0, 0);
    std::uint32_t index;
    if (!free_.empty()) {
        index = free_.back();
        free_.pop_back();
    } else {
        index = static_cast<std::uint32_t>(flows_.size());
        flows_.emplace_back();
    }
    Workflow &w = flows_[index];
    w = Workflow{};
    w.uid = next_uid_++;
    w.rng.reseed(mix_seed(seed_base_, w.uid));
    w.steps_left = ctx_.arch.workflows.steps;
    w.started = ctx_.now();
    w.demand = ctx_.arch.workflows.step_time.sample_time(w.rng);
    w.measured = ctx_.sink.workflow_started(ctx_.now());
    awaiting_ += w.measured;
    send_step(index);
}

// `uid`: the workflow the event was scheduled for (its slot may have been reused since).
void Workflows::on_step_due(std::uint32_t index, std::uint64_t uid) {
    if (flows_[index].uid == uid) send_step(index);
}

// One try of the current step: an attempt without a client deadline. in_memory steps after
// the first go to the node holding the progress; the others are placed by the backend.
void Workflows::send_step(std::uint32_t index) {
    Workflow &w = flows_[index];
    if (orchestrated_) ctx_.sink.state_transition(ctx_.now());
    Attempt a;
    a.id = next_attempt_++;
    a.uid = w.uid;
    a.slot = index;
    a.demand = w.demand;
    a.deadline = kForever;
    a.workflow = true;
    const std::uint32_t attempt = attempts_.add(a);
    backend_.run_step(attempt, orchestrated_ ? NodeRef{} : w.home);
}

void Workflows::on_response(std::uint32_t attempt, bool ok) {
    const Attempt a = attempts_[attempt];
    attempts_.release(attempt);
    Workflow &w = flows_[a.slot];
    if (w.uid != a.uid) return; // lost meanwhile
    w.served_on = {};           // the answer has landed
    if (!ok) {
        retry_later(a.slot);
        return;
    }
    if (!orchestrated_) {
        if (!w.home.valid()) {
            // The progress now lives there; if the node died (the environment was reclaimed)
            // while the response travelled, it went with it (node_lost ended the workflow with
            // the node's cause; this is the backstop). A workflow of one step holds nothing.
            if (w.steps_left > 1 && !backend_.holds(a.node)) {
                end(a.slot, false, backend_.gone_cause());
                return;
            }
            w.home = a.node;
        } else if (a.node != w.home) {
            end(a.slot, false, LossCause::routing); // a serverless step elsewhere finds nothing
            return;
        }
    }
    w.tries = 0;
    if (--w.steps_left == 0) {
        end(a.slot, true, LossCause::count);
        return;
    }
    const SimTime at = ctx_.now() + ctx_.arch.workflows.wait.sample_time(w.rng);
    w.demand = ctx_.arch.workflows.step_time.sample_time(w.rng);
    ctx_.sim.schedule(at, workflow_step, a.slot, w.uid);
}

// A failed try (crash, 503, throttle, store down) is tried again after 1 s, doubling up to
// 60 s; under the orchestrator each retry is a transition of its own.
void Workflows::retry_later(std::uint32_t index) {
    Workflow &w = flows_[index];
    const int doublings = std::min(w.tries, 6);
    ++w.tries;
    const SimTime delay = std::min<SimTime>(kSecond << doublings, 60 * kSecond);
    ctx_.sim.schedule(ctx_.now() + delay, workflow_step, index, w.uid);
}

void Workflows::step_served(std::uint32_t index, std::uint64_t uid, NodeRef node) {
    if (flows_[index].uid == uid) flows_[index].served_on = node;
}

// A workflow holding its progress there is lost with the node's cause: one waiting between
// steps, or one whose first step was served there and whose answer is still on the way. One
// whose last step was served is done: it completes when the answer lands.
void Workflows::node_lost(NodeRef where, LossCause cause) {
    if (orchestrated_) return; // the orchestrator holds the progress
    for (std::uint32_t i = 0; i < flows_.size(); ++i) {
        const Workflow &w = flows_[i];
        if (w.uid == 0) continue;
        const bool served_here = w.served_on.valid() && w.served_on == where;
        if (served_here && w.steps_left == 1) continue;
        if (w.home == where || (!w.home.valid() && served_here)) end(i, false, cause);
    }
}

void Workflows::end(std::uint32_t index, bool completed, LossCause cause) {
    Workflow &w = flows_[index];
    ctx_.sink.workflow_ended(ctx_.now(), w.measured, completed, cause, ctx_.now() - w.started);
    awaiting_ -= w.measured;
    w.uid = 0;
    free_.push_back(index);
}

// The backends' hook (compute_backend.hpp): a node's or environment's memory is gone.
void ComputeBackend::memory_lost(NodeRef where, LossCause cause) {
    if (workflows_) workflows_->node_lost(where, cause);
}

void ComputeBackend::step_answered(const Attempt &a) {
    workflows_->step_served(a.slot, a.uid, a.node);
}

} // namespace statesim
