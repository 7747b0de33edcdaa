#pragma once
#include <memory>

#include "statesim/model/clients.hpp"
#include "statesim/model/model_context.hpp"
#include "statesim/model/node_group.hpp"
#include "statesim/model/session_store.hpp"

namespace statesim {

// Where a session's state lives (state.location), as a strategy: what serving a request costs
// a worker (store round trips, token verification, CPU) and how state is created, grown, found
// missing (routing), evicted or lost with its node.
class StateBackend {
  public:
    virtual ~StateBackend() = default;
    // Serves attempt `a` (the pool's entry `index`) on `node` from `start`: returns when the
    // worker is free again and sets a.ok. `s` is the session when the client still waits for
    // this attempt, else null: work for an abandoned attempt is done (the server cannot know)
    // but changes no state. When it sets a.store_due instead, the returned time is when the
    // attempt's next store step is due (a try reaching the store, the write issued after the
    // service): the compute backend calls store_step then, so every try meets the store as it
    // is at that moment (its capacity used so far, an outage that began meanwhile).
    virtual SimTime serve(std::uint32_t index, Attempt &a, Session *s, int node, SimTime start) = 0;
    // The store step of an attempt served with a.store_due, due `now`: returns when the worker
    // is free again (a.store_due cleared, a.ok set) or the next step is due (a.store_due kept).
    // `s` as for serve, as it is now. (Only the store sets store_due.)
    virtual SimTime store_step(std::uint32_t index, Attempt &a, Session *s, int node, SimTime now) {
        (void)index, (void)s, (void)node;
        a.store_due = false;
        return now;
    }
    // The node's memory is gone: sessions whose state it held are lost with `cause`.
    virtual void node_lost(int node, LossCause cause) { (void)node, (void)cause; }
    // The session ended: its state is freed.
    virtual void release(Session &s) { (void)s; }
    // The session store's shard (-1: all) fails / comes back; a volatile store without
    // replicas loses the sessions it held (store_failure): returns how many (events.csv's
    // detail). No effect where no store is used.
    virtual std::uint64_t store_down(int shard) {
        (void)shard;
        return 0;
    }
    virtual void store_up(int shard) { (void)shard; }
};

std::unique_ptr<StateBackend> make_state_backend(ModelContext &ctx, NodeGroup &nodes,
                                                 Clients &clients);

} // namespace statesim
