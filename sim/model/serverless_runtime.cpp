#include "statesim/model/serverless_runtime.hpp"

#include <algorithm>
#include <cmath>

#include "statesim/model/trace.hpp"

namespace statesim {

ServerlessRuntime::ServerlessRuntime(ModelContext &ctx, Clients &clients, AttemptPool &attempts)
    : ctx_(ctx), clients_(clients), attempts_(attempts), envs_(1),
      state_(make_state_backend(ctx, envs_, clients)), net_rng_(ctx.seed, "fleet_network"),
      cold_rng_(ctx.seed, "cold_start"),
      scaling_window_(std::max<SimTime>(1, from_seconds(ctx.arch.serverless.scaling_window))),
      idle_timeout_(from_seconds(ctx.arch.serverless.idle_timeout)) {
    credit_ = static_cast<Credit>(scaling_window_) *
              static_cast<Credit>(ctx.arch.serverless.scaling_burst); // a full bucket
    clients_.set_state_backend(state_.get());
}

// Provisioned environments are initialised before the run and wait, idle, for requests.
void ServerlessRuntime::start() {
    for (int i = 0; i < ctx_.arch.serverless.provisioned; ++i) {
        const int env = create(true);
        envs_[env].state = NodeState::running;
        idle_provisioned_.push_back(env);
    }
    report();
}

int ServerlessRuntime::create(bool provisioned) {
    const int env = envs_.launch(0);
    if (info_.size() <= static_cast<std::size_t>(env))
        info_.resize(static_cast<std::size_t>(env) + 1);
    info_[static_cast<std::size_t>(env)] = {++created_, ctx_.now(), false, provisioned, false};
    ++alive_;
    return env;
}

bool ServerlessRuntime::take_scaling_token() {
    // An environment costs `scaling_window_` units; each nanosecond refills `scaling_burst`.
    const auto burst = static_cast<Credit>(ctx_.arch.serverless.scaling_burst);
    const auto cost = static_cast<Credit>(scaling_window_);
    credit_ =
        std::min(cost * burst, credit_ + static_cast<Credit>(ctx_.now() - tokens_at_) * burst);
    tokens_at_ = ctx_.now();
    if (credit_ < cost) return false;
    credit_ -= cost;
    return true;
}

int ServerlessRuntime::acquire(bool &cold) {
    cold = false;
    if (busy_ >= ctx_.arch.serverless.concurrency_limit) return -1;
    int env = -1;
    if (!idle_provisioned_.empty()) {
        env = idle_provisioned_.back();
        idle_provisioned_.pop_back();
    } else if (!idle_.empty()) {
        env = idle_.back().second; // the most recently created idle environment
        idle_.pop_back();
    } else {
        if (!take_scaling_token()) return -1;
        env = create(false);
        cold = true;
    }
    info_[static_cast<std::size_t>(env)].busy = true;
    ++busy_;
    return env;
}

void ServerlessRuntime::on_request(std::uint32_t attempt) {
    Attempt &a = attempts_[attempt];
    bool cold = false;
    const int env = acquire(cold);
    if (env < 0) {
        a.node = {};
        if (a.traced) [[unlikely]]
            ctx_.trace->throttled(a, busy_ >= ctx_.arch.serverless.concurrency_limit);
        ctx_.sink.throttled(ctx_.now());
        // 429 from the front door, one hop back: the client retries after its backoff.
        clients_.answer(attempt, false, ctx_.hop(net_rng_));
        return;
    }
    info_[static_cast<std::size_t>(env)].cold = cold;
    if (cold) report();
    a.node = envs_.ref(env);
    if (a.traced) [[unlikely]] {
        const Environment &info = info_[static_cast<std::size_t>(env)];
        ctx_.trace->environment(a, cold, info.provisioned, info.idle_since);
    }
    const SimTime at = ctx_.now() + ctx_.hop(net_rng_);
    clients_.guard(attempt, at);
    ctx_.sim.schedule(at, env_arrival, static_cast<std::uint32_t>(env), attempt);
}

// A workflow step is an invocation like any other: the platform places it (an in_memory
// workflow's progress is found only if it lands in the same environment).
void ServerlessRuntime::run_step(std::uint32_t attempt, NodeRef) {
    on_request(attempt);
}

void ServerlessRuntime::handle(const Event &e) {
    const int env = static_cast<int>(e.target);
    const auto attempt = static_cast<std::uint32_t>(e.data);
    switch (e.kind) {
    case env_arrival:
        on_arrival(env, attempt, envs_[env].state == NodeState::booting);
        break;
    case env_ready:
        envs_[env].state = NodeState::running;
        serve(env, attempt);
        break;
    case env_store_step:
        store_step(env, attempt);
        break;
    case env_done:
        on_done(env, attempt);
        break;
    case env_reclaim:
        on_reclaim(env, static_cast<std::uint32_t>(e.data));
        break;
    default:
        break;
    }
}

// A new environment first runs its init (cold_start), then the request.
void ServerlessRuntime::on_arrival(int env, std::uint32_t attempt, bool cold) {
    Attempt &a = attempts_[attempt];
    a.arrived = ctx_.now();
    // In the system (and its environment busy, for the metrics) from its arrival, as billed and
    // as at a node: the environment was reserved a hop earlier.
    ctx_.sink.work_changed(ctx_.now(), 1, 1);
    if (!cold) {
        serve(env, attempt);
        return;
    }
    const SimTime ready = ctx_.now() + ctx_.arch.serverless.cold_start.sample_time(cold_rng_);
    if (a.traced) [[unlikely]]
        ctx_.trace->cold_start(a, ready);
    clients_.guard(attempt, ready);
    ctx_.sim.schedule(ready, env_ready, static_cast<std::uint32_t>(env), attempt);
}

void ServerlessRuntime::serve(int env, std::uint32_t attempt) {
    Attempt &a = attempts_[attempt];
    a.in_service = true;
    if (a.traced) [[unlikely]]
        ctx_.trace->service_start(a, 0); // an environment serves one request: no queue
    Session *s = clients_.waits_for(a) ? clients_.owner(a) : nullptr;
    const SimTime done =
        a.workflow ? ctx_.now() + a.demand : state_->serve(attempt, a, s, env, ctx_.now());
    clients_.guard(attempt, done);
    ctx_.sim.schedule(done, a.store_due ? env_store_step : env_done,
                      static_cast<std::uint32_t>(env), attempt);
}

// A store step of the invocation is due (as ServerFleet::on_store_step; a busy environment is
// never reclaimed).
void ServerlessRuntime::store_step(int env, std::uint32_t attempt) {
    Attempt &a = attempts_[attempt];
    Session *s = clients_.waits_for(a) ? clients_.owner(a) : nullptr;
    const SimTime done = state_->store_step(attempt, a, s, env, ctx_.now());
    clients_.guard(attempt, done);
    ctx_.sim.schedule(done, a.store_due ? env_store_step : env_done,
                      static_cast<std::uint32_t>(env), attempt);
}

void ServerlessRuntime::on_done(int env, std::uint32_t attempt) {
    Attempt &a = attempts_[attempt];
    a.in_service = false;
    // Lambda bills duration, init included, rounded up to the next millisecond.
    const SimTime ms = kSecond / 1000;
    const SimTime billed = (ctx_.now() - a.arrived + ms - 1) / ms * ms;
    ctx_.sink.invocation(ctx_.now(), billed, info_[static_cast<std::size_t>(env)].cold);
    ctx_.sink.work_changed(ctx_.now(), -1, -1);
    ctx_.sink.served(ctx_.now(), ctx_.now() - a.arrived);
    if (a.traced) [[unlikely]]
        ctx_.trace->service_end(a);
    respond(attempt, a.ok);
    become_idle(env);
}

void ServerlessRuntime::become_idle(int env) {
    Environment &info = info_[static_cast<std::size_t>(env)];
    info.busy = false;
    info.idle_since = ctx_.now();
    --busy_;
    if (info.provisioned) {
        idle_provisioned_.push_back(env);
        return;
    }
    // Usually the newest environment: inserted near the back.
    const auto entry = std::make_pair(info.created, env);
    idle_.insert(std::upper_bound(idle_.begin(), idle_.end(), entry), entry);
    if (!info.reclaim_pending) arm_reclaim(env, ctx_.now() + idle_timeout_);
}

// One pending reclaim event per environment, re-armed when it fires early (the environment was
// used meanwhile): no event is scheduled or cancelled per request.
void ServerlessRuntime::arm_reclaim(int env, SimTime at) {
    info_[static_cast<std::size_t>(env)].reclaim_pending = true;
    ctx_.sim.schedule(at, env_reclaim, static_cast<std::uint32_t>(env), envs_[env].generation);
}

void ServerlessRuntime::on_reclaim(int env, std::uint32_t generation) {
    if (envs_[env].generation != generation || envs_[env].state == NodeState::free) return;
    Environment &info = info_[static_cast<std::size_t>(env)];
    info.reclaim_pending = false;
    if (info.busy) return; // armed again when it goes idle
    const SimTime due = info.idle_since + idle_timeout_;
    if (ctx_.now() < due) {
        arm_reclaim(env, due);
        return;
    }
    idle_.erase(std::find(idle_.begin(), idle_.end(), std::make_pair(info.created, env)));
    if (ctx_.trace) [[unlikely]]
        ctx_.trace->env_reclaimed(envs_.ref(env), info.idle_since);
    state_->node_lost(env, LossCause::env_reclaimed);
    memory_lost(envs_.ref(env), LossCause::env_reclaimed);
    envs_.terminate(env);
    --alive_;
    report();
}

void ServerlessRuntime::respond(std::uint32_t attempt, bool ok) {
    answered(attempts_[attempt], ok);
    const SimTime out = ctx_.hop(net_rng_);
    clients_.answer(attempt, ok, out + ctx_.hop(net_rng_));
}

void ServerlessRuntime::report() {
    ctx_.sink.environments_changed(ctx_.now(), alive_);
}

} // namespace statesim
