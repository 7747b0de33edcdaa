#include "statesim/model/clients.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "statesim/model/state_backend.hpp"
#include "statesim/model/trace.hpp"

namespace statesim {
namespace {
// Event payloads address sessions by a 32-bit slot; beyond this many at once the run stops
// with a message instead of exhausting memory.
constexpr std::size_t kMaxSessions = std::size_t{1} << 24;
} // namespace

Clients::Clients(ModelContext &ctx, AttemptPool &attempts)
    : ctx_(ctx), attempts_(attempts),
      arrivals_(ctx.arch.workload.arrival, Rng(ctx.seed, "arrivals")),
      session_seeds_(ctx.seed, "sessions"), client_rng_(ctx.seed, "clients"),
      net_rng_(ctx.seed, "network"), timeout_(from_seconds(ctx.arch.workload.timeout)) {
    session_seed_base_ = session_seeds_.next();
}

void Clients::start(SimTime arrivals_end, SimTime run_end) {
    horizon_ = arrivals_end;
    run_end_ = run_end;
    const SimTime first = arrivals_.next_after(0, horizon_);
    if (first != kForever) ctx_.sim.schedule(first, session_arrival, 0, 0);
}

void Clients::on_session_arrival() {
    const SimTime next = arrivals_.next_after(ctx_.now(), horizon_);
    if (next != kForever) ctx_.sim.schedule(next, session_arrival, 0, 0);

    std::uint32_t slot;
    if (free_head_ != kNoSlot) {
        slot = free_head_; // the most recently freed slot, warm in cache
        free_head_ = sessions_[slot].link_b;
    } else {
        if (sessions_.size() >= kMaxSessions)
            throw std::runtime_error("more than 16M concurrent sessions: reduce the arrival "
                                     "rate or the session length");
        slot = sessions_.add();
    }
    Session &s = sessions_[slot];
    s = Session{};
    s.uid = next_uid_++;
    // Each session draws its workload from its own stream: every architecture sees the same
    // request counts, think times, service demands and writes for session #uid.
    s.rng.reseed(mix_seed(session_seed_base_, s.uid));
    // A geometric length of large mean can pass INT_MAX (converting it would be undefined): such
    // a session never ends within a run anyway.
    const double length = ctx_.arch.workload.requests.sample(s.rng);
    s.requests_left = length >= static_cast<double>(std::numeric_limits<int>::max())
                          ? std::numeric_limits<int>::max()
                          : std::max(1, static_cast<int>(length));
    draws.requests += static_cast<std::uint64_t>(s.requests_left);
    s.measured = ctx_.sink.session_started(ctx_.now());
    if (ctx_.trace) [[unlikely]]
        ctx_.trace->session_started(s);
    ++open_;
    awaiting_ += s.measured;
    begin_request(s);
    send(slot, 0);
}

// Draws the next request's demand and resets its retry budget.
void Clients::begin_request(Session &s) {
    s.service_demand = ctx_.arch.workload.service_time.sample_time(s.rng);
    draws.demand_s += to_seconds(s.service_demand);
    s.is_write = s.rng.uniform() < ctx_.arch.workload.write_fraction;
    s.retries_used = 0;
    s.request_start = -1;
}

SimTime Clients::token_transfer(double token_bytes) const {
    if (ctx_.arch.state.location != StateLocation::client) return 0;
    return from_seconds(token_bytes / ctx_.arch.state.client.bandwidth);
}

void Clients::answer(std::uint32_t attempt, bool ok, SimTime hops) {
    Attempt &a = attempts_[attempt];
    a.ok = ok;
    SimTime transfer = 0;
    if (ctx_.arch.state.location == StateLocation::client) {
        // A success carries the new token; an error (or a 413) none.
        const Session *s = owner(a);
        if (ok && s && waits_for(a)) transfer = token_transfer(a.state_bytes);
    } else {
        prefetch(a); // the client reads its session when the response lands
    }
    const SimTime at = ctx_.now() + hops + transfer;
    guard(attempt, at);
    ctx_.sim.schedule(at, client_response, attempt, ok ? 1 : 0);
    if (a.traced) [[unlikely]]
        ctx_.trace->answered(a, at);
}

// The client sends the session's next attempt after `delay` (0, think time or backoff); it
// reaches the balancer one hop (and the token's transfer) later.
void Clients::send(std::uint32_t slot, SimTime delay) {
    Session &s = sessions_[slot];
    const SimTime at = ctx_.now() + delay;
    if (s.request_start < 0) s.request_start = at;
    s.attempt_start = at;
    s.attempt = next_attempt_++;
    const SimTime reaches = at + ctx_.hop(net_rng_) + token_transfer(s.state_bytes);
    guard(slot, s.attempt, reaches);
    ctx_.sim.schedule(reaches, lb_arrival, slot, s.attempt);
    if (s.traced) [[unlikely]]
        ctx_.trace->sent(s);
}

// The attempt's record is made when it reaches the front door, not when it is sent: the pool
// entry is then one just freed (warm in cache), not one written a think time ago.
std::int64_t Clients::at_front_door(std::uint32_t slot, std::uint64_t attempt_id) {
    const Session &s = sessions_[slot];
    // Given up while still on its way (a hop longer than the timeout): the request is dropped.
    if (s.attempt != attempt_id) return -1;
    // A request arrives (timeseries `arrivals`) when its first attempt reaches the balancer, not
    // when the previous answer came (a think time earlier).
    if (s.retries_used == 0) ctx_.sink.request_begun(ctx_.now());
    Attempt a;
    a.id = attempt_id;
    a.uid = s.uid;
    a.slot = slot;
    a.write = s.is_write;
    a.demand = s.service_demand;
    a.state_bytes = s.state_bytes;
    a.deadline = s.attempt_start + timeout_;
    a.traced = s.traced;
    return attempts_.add(a);
}

void Clients::guard(std::uint32_t attempt, SimTime at) {
    const Attempt &a = attempts_[attempt];
    // Most steps end before the deadline: decided without touching the session (a cache miss).
    if (at <= a.deadline || a.deadline > run_end_) return;
    if (sessions_[a.slot].uid == a.uid) guard(a.slot, a.id, at);
}

void Clients::guard(std::uint32_t slot, std::uint64_t attempt_id, SimTime at) {
    if (at <= timeout_ || timeout_ > run_end_) return; // no deadline can be passed (or fire)
    Session &s = sessions_[slot];
    if (s.attempt != attempt_id || s.timer_armed) return;
    const SimTime deadline = s.attempt_start + timeout_;
    if (at <= deadline || deadline > run_end_) return;
    s.timer_armed = true;
    s.timeout_event =
        ctx_.sim.schedule(std::max(deadline, ctx_.now()), client_timeout, slot, attempt_id);
}

void Clients::cancel_timeout(Session &s) {
    if (!s.timer_armed) return;
    ctx_.sim.cancel(s.timeout_event);
    s.timer_armed = false;
}

void Clients::on_response(std::uint32_t attempt, bool ok) {
    const Attempt a = attempts_[attempt];
    attempts_.release(attempt);
    Session &s = sessions_[a.slot];
    if (s.uid != a.uid || s.attempt != a.id) { // the client gave up on this attempt
        if (a.traced) [[unlikely]]
            ctx_.trace->response(a, ok, true, 0);
        return;
    }
    if (a.traced) [[unlikely]]
        ctx_.trace->response(a, ok, false, s.request_start);
    s.attempt = 0;
    cancel_timeout(s);
    // The client keeps the token of the response it saw (an empty one after a 413); a response
    // it never saw changed nothing.
    if ((ok || a.rejected) && ctx_.arch.state.location == StateLocation::client)
        s.state_bytes = a.state_bytes;
    if (!ok && a.rejected) { // the request is refused for good: no retry
        ctx_.sink.attempt_failed(ctx_.now(), false);
        if (s.lost && ctx_.arch.workload.on_state_loss == OnStateLoss::abandon)
            end_session(a.slot, MetricsSink::Outcome::closed_lost);
        else
            next_request(a.slot);
        return;
    }
    if (!ok) {
        attempt_failed(a.slot);
        return;
    }
    ctx_.sink.request_done(ctx_.now(), ctx_.now() - s.request_start);
    // The client now knows where its state lives, and the balancer (re)sets its cookie. State
    // this response stands for that died with its node while the response was on its way
    // (LocalMemory::node_lost left the node and the cause): the client believes in state that
    // is gone. Lost now; the user learns of it from the next response, as after a crash.
    const bool unseen_loss = !s.has_state && a.node.valid() && s.home == a.node;
    if (s.has_state && s.home == a.node) s.confirmed = true;
    if (ctx_.arch.load_balancer.sticky && a.node.valid()) {
        s.sticky = a.node;
        s.sticky_expiry = ctx_.now() + from_seconds(ctx_.arch.load_balancer.sticky_ttl);
    }
    if (s.lost && ctx_.arch.workload.on_state_loss == OnStateLoss::abandon) {
        end_session(a.slot, MetricsSink::Outcome::closed_lost); // the user saw the loss, left
        return;
    }
    if (unseen_loss) {
        mark_lost(s, static_cast<LossCause>(s.link_a));
        s.home = {};
        s.link_a = kNoSlot;
    }
    next_request(a.slot);
}

// The user thinks, then sends the session's next request; after the last one it is complete.
void Clients::next_request(std::uint32_t slot) {
    Session &s = sessions_[slot];
    if (--s.requests_left <= 0) {
        end_session(slot, MetricsSink::Outcome::completed);
        return;
    }
    begin_request(s);
    const SimTime think = ctx_.arch.workload.think_time.sample_time(s.rng);
    draws.think_s += to_seconds(think);
    send(slot, think);
}

// Only the timer of the attempt the client waits for is ever pending: answered attempts
// cancel theirs.
void Clients::on_timeout(std::uint32_t slot, std::uint64_t attempt_id) {
    Session &s = sessions_[slot];
    if (s.attempt != attempt_id || !s.timer_armed) return;
    s.timer_armed = false;
    s.attempt = 0; // a late response is ignored
    if (s.traced) [[unlikely]]
        ctx_.trace->timeout(s, timeout_);
    attempt_failed(slot);
}

// An error or a timeout: retry after backoff while the budget lasts, then give up.
void Clients::attempt_failed(std::uint32_t slot) {
    Session &s = sessions_[slot];
    const bool retry = s.retries_used < ctx_.arch.workload.max_retries;
    ctx_.sink.attempt_failed(ctx_.now(), retry);
    if (retry) {
        ++s.retries_used;
        const SimTime backoff = ctx_.arch.workload.backoff.sample_time(client_rng_);
        if (s.traced) [[unlikely]]
            ctx_.trace->retry(s, backoff, ctx_.arch.workload.max_retries);
        send(slot, backoff);
        return;
    }
    end_session(slot, MetricsSink::Outcome::abandoned);
}

void Clients::mark_lost(Session &s, LossCause cause) {
    if (s.lost) return;
    s.lost = true;
    ++lost_total_;
    if (s.traced) [[unlikely]]
        ctx_.trace->state_lost(s, cause);
    awaiting_ -= s.measured;
    ctx_.sink.session_lost(ctx_.now(), s.measured, cause);
}

// Ends a session: completed, abandoned (gave up) or, when already lost, just closed.
void Clients::end_session(std::uint32_t slot, MetricsSink::Outcome how) {
    Session &s = sessions_[slot];
    if (s.traced) [[unlikely]]
        ctx_.trace->session_ended(s, how);
    ctx_.sink.session_ended(ctx_.now(), s.measured,
                            s.lost ? MetricsSink::Outcome::closed_lost : how);
    if (!s.lost) awaiting_ -= s.measured;
    if (state_) state_->release(s);
    cancel_timeout(s);
    s.uid = 0;
    s.attempt = 0;
    s.link_b = free_head_; // free slots are chained through the slots themselves
    free_head_ = slot;
    --open_;
}

std::uint64_t Clients::open_measured() const {
    std::uint64_t n = 0;
    for (std::uint32_t i = 0; i < sessions_.size(); ++i) {
        const Session &s = sessions_[i];
        n += s.uid != 0 && s.measured && !s.lost;
    }
    return n;
}

} // namespace statesim
