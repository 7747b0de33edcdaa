#pragma once
#include <memory>
#include <utility>
#include <vector>

#include "statesim/model/clients.hpp"
#include "statesim/model/compute_backend.hpp"
#include "statesim/model/node_group.hpp"
#include "statesim/model/state_backend.hpp"

namespace statesim {

// A Lambda-like function runtime (cluster.runtime: serverless, SPEC §5): each request runs in an
// execution environment of its own. A provisioned environment is used first, then the idle
// on-demand environment created most recently (older ones are left to expire); otherwise a new
// environment starts with a cold start (init), unless busy environments already equal
// concurrency_limit or the scaling rate is used up: then the request is throttled (429) and the
// client retries with its backoff. An on-demand environment idle for idle_timeout is reclaimed,
// and local state in it is lost (env_reclaimed).
//
// Environments are slots of a NodeGroup (one worker each, booting while they initialise), so the
// state backends treat them as they treat nodes: local state lives in one environment and a
// request landing in another loses it (routing); local_cache is execution-context reuse.
class ServerlessRuntime final : public ComputeBackend {
  public:
    ServerlessRuntime(ModelContext &ctx, Clients &clients, AttemptPool &attempts);

    void start() override;
    void on_request(std::uint32_t attempt) override;
    void handle(const Event &e) override;
    void run_step(std::uint32_t attempt, NodeRef pinned) override;
    bool holds(NodeRef where) const override { return envs_.holds(where); }
    LossCause gone_cause() const override { return LossCause::env_reclaimed; }
    StateBackend &state() { return *state_; }

    int environments() const { return alive_; }
    const NodeGroup &environment_group() const { return envs_; } // slots by environment
    int busy() const { return busy_; }

  private:
    struct Environment {
        std::uint64_t created = 0; // creation order: the most recent idle one is reused
        SimTime idle_since = 0;
        bool busy = false;
        bool provisioned = false;
        bool reclaim_pending = false; // an env_reclaim event is scheduled for it
        bool cold = false;            // its current invocation started it (a cold start)
    };

    // The environment for a new request (taken busy), or -1 when it is throttled; `cold` tells
    // whether it is a new one that must initialise first.
    int acquire(bool &cold);
    int create(bool provisioned);
    bool take_scaling_token();
    void on_arrival(int env, std::uint32_t attempt, bool cold);
    void serve(int env, std::uint32_t attempt);
    void store_step(int env, std::uint32_t attempt);
    void on_done(int env, std::uint32_t attempt);
    void on_reclaim(int env, std::uint32_t generation);
    void become_idle(int env);
    void arm_reclaim(int env, SimTime at);
    void respond(std::uint32_t attempt, bool ok);
    void report();

    ModelContext &ctx_;
    Clients &clients_;
    AttemptPool &attempts_;
    NodeGroup envs_;
    std::vector<Environment> info_; // by slot
    std::unique_ptr<StateBackend> state_;
    // Idle on-demand environments by creation order (most recent last), and idle provisioned
    // ones (used first: on-demand environments only take the spill-over).
    std::vector<std::pair<std::uint64_t, int>> idle_;
    std::vector<int> idle_provisioned_;
    Rng net_rng_, cold_rng_;
    std::uint64_t created_ = 0;
    int alive_ = 0, busy_ = 0;
    // Scaling rate as a token bucket: `scaling_burst` new environments, refilled continuously
    // at burst per window (Lambda: 1 000 every 10 s, "refilled continuously"). Kept in whole
    // units of 1/(burst x window ns) of an environment, so the bucket at an instant does not
    // depend on how often it was read (ten reads 100 ms apart added up to 0.9999999999999999
    // of an environment in doubles, and the 11th try at 1 s was refused).
    __extension__ using Credit = unsigned __int128;
    Credit credit_ = 0;
    SimTime tokens_at_ = 0;
    SimTime scaling_window_ = 1; // ns, at least 1
    SimTime idle_timeout_ = 0;
};

} // namespace statesim
