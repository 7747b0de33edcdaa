#pragma once
#include <cstdint>
#include <vector>

#include "statesim/model/arrivals.hpp"
#include "statesim/model/compute_backend.hpp"
#include "statesim/model/model_context.hpp"
#include "statesim/model/session.hpp"

namespace statesim {

// Long-running processes (workflows:, SPEC §5): `steps` steps separated by `wait`, each step a
// request served by the compute backend (a worker of a node, or an environment).
// - in_memory: the progress lives on the node (environment) that served the first step; the
//   later steps run there (the process's own timer), and the workflow is lost when that node
//   goes away before the last step: crash (node_failure), scale-in, deployment, or a reclaimed
//   environment (env_reclaimed); under serverless a later step landing in another environment
//   finds no progress (routing).
// - orchestrator (Step Functions Standard): every transition is persisted (state_transition
//   cost, retries included) and a failed step is run again, wherever the balancer sends it,
//   after a backoff of 1 s doubling up to 60 s (the Retry defaults' shape), until it succeeds.
class Workflows {
  public:
    Workflows(ModelContext &ctx, AttemptPool &attempts, ComputeBackend &backend);

    void start(SimTime arrivals_end);
    void on_arrival();
    void on_step_due(std::uint32_t index, std::uint64_t uid);
    // The response to a step's attempt (a client_response event of an attempt marked workflow).
    void on_response(std::uint32_t attempt, bool ok);
    // The node (environment) `where` lost its memory with `cause`: in_memory progress there is
    // gone, unless the workflow's last step is done and only its answer is on the way.
    void node_lost(NodeRef where, LossCause cause);
    // The current step of workflow `index` (`uid`) was served on `node`; its answer is on the way.
    void step_served(std::uint32_t index, std::uint64_t uid, NodeRef node);
    // Workflows of the measured cohort still running: the drain waits for them.
    std::uint64_t awaiting_outcome() const { return awaiting_; }

  private:
    struct Workflow {
        std::uint64_t uid = 0; // 0: free
        int steps_left = 0;    // the current step included
        int tries = 0;         // failed tries of the current step
        NodeRef home;          // in_memory: where the progress lives (after the first step)
        NodeRef served_on;     // where the current step was served (invalid: not yet)
        SimTime started = 0;
        SimTime demand = 0; // the current step's work, drawn once: a retry redoes the same step
        bool measured = false;
        Rng rng; // its own draws: the same workflow in every architecture
    };
    void send_step(std::uint32_t index);
    void retry_later(std::uint32_t index);
    void end(std::uint32_t index, bool completed, LossCause cause);

    ModelContext &ctx_;
    AttemptPool &attempts_;
    ComputeBackend &backend_;
    ArrivalSampler arrivals_;
    std::uint64_t seed_base_;
    SimTime horizon_ = 0;
    bool orchestrated_;
    std::vector<Workflow> flows_;
    std::vector<std::uint32_t> free_;
    std::uint64_t next_uid_ = 1, next_attempt_ = 1, awaiting_ = 0;
};

} // namespace statesim
