#pragma once
#include <cstdint>
#include <vector>

#include "statesim/model/arrivals.hpp"
#include "statesim/model/model_context.hpp"
#include "statesim/model/session.hpp"

namespace statesim {

// The users: sessions arrive, send a request, think, send the next; an attempt that fails or
// outlives the client timeout is retried after a backoff while the retry budget lasts, then the
// user gives up (abandoned). A user who learns that the session's state is gone leaves
// (on_state_loss: abandon) or starts over (continue); the session counts as lost either way.
class StateBackend;

class Clients {
  public:
    Clients(ModelContext &ctx, AttemptPool &attempts);

    void set_state_backend(StateBackend *state) { state_ = state; } // frees state on end
    // Schedules the first arrival; none comes after `arrivals_end`, nothing runs after
    // `run_end` (a timeout due later is never armed: it could not fire).
    void start(SimTime arrivals_end, SimTime run_end);
    void on_session_arrival();
    void on_response(std::uint32_t attempt, bool ok);
    void on_timeout(std::uint32_t slot, std::uint64_t attempt_id);
    // The attempt's next step happens at `at`: if that is past the client's deadline, the
    // client gives up at the deadline (the timer is armed only when it can fire).
    void guard(std::uint32_t attempt, SimTime at);
    // An attempt reaches the balancer: its record in the attempt pool, or -1 when the client
    // already gave up on it.
    std::int64_t at_front_door(std::uint32_t slot, std::uint64_t attempt_id);

    void mark_lost(Session &s, LossCause cause);
    Session &session(std::uint32_t slot) { return sessions_[slot]; }
    // Calls f(session) for every open session (a rare event's scan: O(sessions alive)).
    template <class F> void for_each_open(F &&f) {
        for (std::uint32_t i = 0; i < sessions_.size(); ++i)
            if (sessions_[i].uid != 0) f(sessions_[i]);
    }
    // The session `a` belongs to, or nullptr when it has ended (its slot may be reused).
    Session *owner(const Attempt &a) {
        if (a.workflow) return nullptr;
        Session &s = sessions_[a.slot];
        return s.uid == a.uid ? &s : nullptr;
    }
    bool waits_for(const Attempt &a) const {
        return !a.workflow && sessions_[a.slot].attempt == a.id;
    }
    // Starts loading the session of `a` into cache ahead of its response (with ~10^6
    // concurrent sessions every session access after a pause is a memory miss).
    void prefetch(const Attempt &a) const { prefetch_slot(a.slot); }
    void prefetch_slot(std::uint32_t slot) const {
        if (slot < sessions_.size()) __builtin_prefetch(&sessions_[slot]);
    }
    SimTime token_transfer(double token_bytes) const; // 0 unless state.location: client
    // The backend answers `attempt` (ok or failed): the response reaches the client after the
    // backend's `hops` and, with a client token, the token's transfer.
    void answer(std::uint32_t attempt, bool ok, SimTime hops);
    std::uint64_t open_measured() const; // counted, independently of the outcome counters
    std::uint64_t open() const { return open_; }
    std::uint64_t slots() const { return sessions_.size(); } // the peak of open sessions
    // Measured sessions still open and not lost: the drain waits for these.
    std::uint64_t awaiting_outcome() const { return awaiting_; }
    std::uint64_t lost_total() const { return lost_total_; }
    RunResult::Draws draws; // what the workload drew (common random numbers check)

  private:
    void begin_request(Session &s);
    void next_request(std::uint32_t slot);
    void send(std::uint32_t slot, SimTime delay);
    void attempt_failed(std::uint32_t slot);
    void end_session(std::uint32_t slot, MetricsSink::Outcome how);
    void cancel_timeout(Session &s);
    void guard(std::uint32_t slot, std::uint64_t attempt_id, SimTime at);

    ModelContext &ctx_;
    AttemptPool &attempts_;
    StateBackend *state_ = nullptr;
    ArrivalSampler arrivals_;
    Rng session_seeds_, client_rng_, net_rng_;
    std::uint64_t session_seed_base_ = 0;
    SimTime timeout_ = 0;
    SimTime horizon_ = 0; // no arrival after this
    SimTime run_end_ = kForever;
    std::uint64_t next_uid_ = 1, next_attempt_ = 1;
    SessionTable sessions_;
    std::uint32_t free_head_ = kNoSlot; // free slots, last freed first (linked by link_b)
    std::uint64_t open_ = 0, lost_total_ = 0, awaiting_ = 0;
};

} // namespace statesim
