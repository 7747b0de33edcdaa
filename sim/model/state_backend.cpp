#include "statesim/model/state_backend.hpp"

#include "statesim/model/trace.hpp"

namespace statesim {
namespace {

double growth(const ModelContext &ctx, const Attempt &a) {
    return a.write ? ctx.arch.workload.state_growth : 0.0;
}

// state.location: none. Nothing to keep; only the CPU.
class NoState final : public StateBackend {
  public:
    SimTime serve(Attempt &a, Session *, int, SimTime start) override { return start + a.demand; }
};

// state.location: local. The state lives in the memory of the node that served the session's
// first request. A request that lands elsewhere finds nothing: the session is lost (routing),
// unless the client was never told where its state was (its first attempt went unanswered).
class LocalMemory final : public StateBackend {
  public:
    LocalMemory(ModelContext &ctx, NodeGroup &nodes, Clients &clients)
        : ctx_(ctx), nodes_(nodes), clients_(clients) {}

    SimTime serve(Attempt &a, Session *s, int node, SimTime start) override {
        if (s) settle(*s, a.slot, node, growth(ctx_, a));
        return start + a.demand;
    }

    void node_lost(int node, LossCause cause) override {
        Node &n = nodes_[node];
        for (std::uint32_t slot = n.oldest_resident; slot != kNoSlot;) {
            Session &s = clients_.session(slot);
            slot = s.link_b;
            if (s.confirmed) clients_.mark_lost(s, cause);
            forget(s);
        }
        n.oldest_resident = n.newest_resident = kNoSlot;
        n.memory_bytes = 0;
        n.sessions_held = 0;
    }

    void release(Session &s) override {
        if (s.has_state && nodes_.holds(s.home)) {
            Node &home = nodes_[s.home.index];
            home.memory_bytes -= s.state_bytes;
            --home.sessions_held;
            unlink(home, s);
            // drain: sessions waits for the node's last session; the fleet looks again (an
            // event, not a call: the fleet may terminate the node).
            if (home.sessions_held == 0 && home.state == NodeState::draining)
                ctx_.sim.schedule(ctx_.now(), drain_check, static_cast<std::uint32_t>(s.home.index),
                                  s.home.generation);
        }
        forget(s);
    }

  private:
    static void forget(Session &s) {
        s.has_state = false;
        s.confirmed = false;
        s.home = {};
        s.state_bytes = 0;
        s.link_a = s.link_b = kNoSlot;
    }

    void settle(Session &s, std::uint32_t slot, int node, double grow) {
        const NodeRef here = nodes_.ref(node);
        if (s.has_state && s.home != here) {
            // Re-routed away from a draining node: lost to the scale-in or deployment that
            // drains it, not to routing (SPEC §5).
            const bool draining =
                nodes_.holds(s.home) && nodes_[s.home.index].state == NodeState::draining;
            if (s.confirmed)
                clients_.mark_lost(s, draining ? nodes_[s.home.index].retire_cause
                                               : LossCause::routing);
            release(s);
        }
        Node &n = nodes_[node];
        if (!s.has_state) {
            s.has_state = true;
            s.home = here;
            s.state_bytes = 0;
            ++n.sessions_held;
            if (s.traced) [[unlikely]]
                ctx_.trace->state_created(s, here);
            append(n, s, slot);
        }
        s.state_bytes += static_cast<float>(grow);
        n.memory_bytes += grow;
        evict_beyond_limit(node);
    }

    // The node's residents, oldest first, linked through the sessions: link_a the older
    // neighbour, link_b the newer one.
    void append(Node &n, Session &s, std::uint32_t slot) {
        s.link_a = n.newest_resident;
        s.link_b = kNoSlot;
        if (n.newest_resident != kNoSlot)
            clients_.session(n.newest_resident).link_b = slot;
        else
            n.oldest_resident = slot;
        n.newest_resident = slot;
    }
    void unlink(Node &n, Session &s) {
        if (s.link_a != kNoSlot)
            clients_.session(s.link_a).link_b = s.link_b;
        else
            n.oldest_resident = s.link_b;
        if (s.link_b != kNoSlot)
            clients_.session(s.link_b).link_a = s.link_a;
        else
            n.newest_resident = s.link_a;
    }

    // Session memory beyond the limit: the oldest sessions' state goes first (lost).
    void evict_beyond_limit(int node) {
        Node &n = nodes_[node];
        while (n.memory_bytes > ctx_.arch.cluster.session_memory_limit &&
               n.oldest_resident != kNoSlot) {
            Session &o = clients_.session(n.oldest_resident);
            clients_.mark_lost(o, LossCause::eviction);
            release(o);
        }
    }

    ModelContext &ctx_;
    NodeGroup &nodes_;
    Clients &clients_;
};

// state.location: store. Every request reads the session's item (unless this node kept a copy:
// local_cache) and every write writes it back, holding the worker for both round trips.
class ExternalStore final : public StateBackend {
  public:
    ExternalStore(ModelContext &ctx, NodeGroup &nodes, Clients &clients)
        : ctx_(ctx), nodes_(nodes), clients_(clients), store_(ctx.arch.state.store),
          rng_(ctx.seed, "store") {}

    void store_down(int shard) override {
        store_.fail(shard, ctx_.now());
        if (!store_.loses_data_on_failure()) return;
        bool dark = false; // a replica left everywhere: nothing lost, no need to look
        for (int i = 0; i < store_.shards(); ++i)
            dark = dark || ((shard < 0 || i == shard) && store_.dark(i));
        if (!dark) return;
        // A shard with no node left has lost its data: sessions that had state there are lost.
        clients_.for_each_open([&](Session &s) {
            if (s.state_bytes <= 0 || s.lost) return;
            const int at = store_.shard_of(s.uid);
            if ((shard >= 0 && at != shard) || !store_.dark(at)) return;
            clients_.mark_lost(s, LossCause::store_failure);
            s.state_bytes = 0;
            s.link_a = s.link_b = kNoSlot; // no node copy either
        });
    }
    void store_up(int shard) override { store_.repair(shard, ctx_.now()); }

    SimTime serve(Attempt &a, Session *s, int node, SimTime start) override {
        const double bytes = s ? s->state_bytes : a.state_bytes; // stale: as it was sent
        SimTime t = start;
        const bool cached = ctx_.arch.state.local_cache && s && copy_at(*s) == nodes_.ref(node);
        if (!cached) {
            t = round_trip(t, a, false, bytes, a.ok);
            if (!a.ok) return t; // the store refused: the request fails
        } else if (a.traced) [[unlikely]] {
            ctx_.trace->cache_hit(a, t);
        }
        t += a.demand;
        if (a.write) {
            a.write_due = true; // issued at t: write_back
            return t;
        }
        if (s) keep_copy(*s, node);
        return t;
    }

    SimTime write_back(Attempt &a, Session *s, int node, SimTime now) override {
        a.write_due = false;
        const double bytes = s ? s->state_bytes : a.state_bytes;
        const SimTime t = round_trip(now, a, true, bytes + growth(ctx_, a), a.ok);
        if (!a.ok || !s) return t;
        s->state_bytes += static_cast<float>(growth(ctx_, a));
        keep_copy(*s, node);
        return t;
    }

  private:
    // The node that served the session last keeps a copy of its state (local_cache).
    void keep_copy(Session &s, int node) {
        const NodeRef here = nodes_.ref(node);
        s.link_a = static_cast<std::uint32_t>(here.index);
        s.link_b = here.generation;
    }
    static NodeRef copy_at(const Session &s) {
        if (s.link_a == kNoSlot) return {};
        return {static_cast<int>(s.link_a), s.link_b};
    }

    // One operation on the item of `a`'s session (its shard) issued at `t`, both hops included.
    SimTime round_trip(SimTime t, const Attempt &a, bool write, double bytes, bool &ok) {
        const SimTime out = ctx_.hop(rng_);
        const SimTime issued = t + out;
        const auto op = store_.operate(issued, a.uid, write, bytes, rng_);
        ctx_.sink.store_op(ctx_.now(), write, op.ok, op.units, op.throttles);
        ok = op.ok;
        const SimTime back = ctx_.hop(rng_); // drawn either way: later draws stay aligned
        // A down store sends nothing back: the node's timeout runs from its send, a hop before
        // the try reached the store.
        const SimTime at_node = op.timed_out ? op.done - out : op.done + back;
        if (a.traced) [[unlikely]]
            ctx_.trace->store_op(a, write, issued, op, at_node);
        return at_node;
    }

    ModelContext &ctx_;
    NodeGroup &nodes_;
    Clients &clients_;
    SessionStore store_;
    Rng rng_;
};

// state.location: client. The state travels in a signed token with every request: the node
// verifies it; a write that would grow it past max_bytes is rejected and the session is lost.
class ClientToken final : public StateBackend {
  public:
    ClientToken(ModelContext &ctx, Clients &clients) : ctx_(ctx), clients_(clients) {}

    // The attempt carried the client's token (a.state_bytes); from here on a.state_bytes is the
    // token of the response, which the client keeps only if it sees it (Clients::on_response):
    // a response that came after the client's timeout leaves its token as it was.
    SimTime serve(Attempt &a, Session *s, int, SimTime start) override {
        const auto &token = ctx_.arch.state.client;
        const SimTime verified = start + from_seconds(token.verify_time);
        const double grown = a.state_bytes + growth(ctx_, a);
        if (grown > token.max_bytes) {
            a.ok = false; // 413: the token would not fit; retrying cannot help
            a.rejected = true;
            a.state_bytes = 0; // a user who continues starts over with an empty token
            if (s) {
                if (a.traced) [[unlikely]]
                    ctx_.trace->token_rejected(a, verified, token.max_bytes);
                clients_.mark_lost(*s, LossCause::token_overflow);
            }
            return verified;
        }
        a.state_bytes = static_cast<float>(grown);
        return verified + a.demand;
    }

  private:
    ModelContext &ctx_;
    Clients &clients_;
};

} // namespace

std::unique_ptr<StateBackend> make_state_backend(ModelContext &ctx, NodeGroup &nodes,
                                                 Clients &clients) {
    switch (ctx.arch.state.location) {
    case StateLocation::none:
        return std::make_unique<NoState>();
    case StateLocation::local:
        return std::make_unique<LocalMemory>(ctx, nodes, clients);
    case StateLocation::store:
        return std::make_unique<ExternalStore>(ctx, nodes, clients);
    case StateLocation::client:
        return std::make_unique<ClientToken>(ctx, clients);
    }
    return std::make_unique<NoState>();
}

} // namespace statesim
