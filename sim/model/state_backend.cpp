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
    SimTime serve(std::uint32_t, Attempt &a, Session *, int, SimTime start) override {
        return start + a.demand;
    }
};

// state.location: local. The state lives in the memory of the node that served the session's
// first request. A request that lands elsewhere finds nothing: the session is lost (routing),
// unless the client was never told where its state was (its first attempt went unanswered).
class LocalMemory final : public StateBackend {
  public:
    LocalMemory(ModelContext &ctx, NodeGroup &nodes, Clients &clients)
        : ctx_(ctx), nodes_(nodes), clients_(clients) {}

    SimTime serve(std::uint32_t, Attempt &a, Session *s, int node, SimTime start) override {
        if (s) settle(*s, a.slot, node, growth(ctx_, a));
        return start + a.demand;
    }

    void node_lost(int node, LossCause cause) override {
        Node &n = nodes_[node];
        for (std::uint32_t slot = n.oldest_resident; slot != kNoSlot;) {
            Session &s = clients_.session(slot);
            slot = s.link_b;
            const bool confirmed = s.confirmed;
            const NodeRef home = s.home;
            if (confirmed) clients_.mark_lost(s, cause);
            forget(s);
            // Unconfirmed state is lost only if the client still gets a successful response
            // of the attempt that made it (one already on its way when the node went): the
            // session keeps the node and the cause (no state: its links are free) for
            // Clients::on_response, which marks the loss then.
            if (!confirmed) {
                s.home = home;
                s.link_a = static_cast<std::uint32_t>(cause);
            }
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

    std::uint64_t store_down(int shard) override {
        store_.fail(shard, ctx_.now());
        if (!store_.loses_data_on_failure()) return 0;
        bool dark = false; // a replica left everywhere: nothing lost, no need to look
        for (int i = 0; i < store_.shards(); ++i)
            dark = dark || ((shard < 0 || i == shard) && store_.dark(i));
        if (!dark) return 0;
        const std::uint64_t lost_before = clients_.lost_total();
        // A shard with no node left has lost its data: sessions that had state there are lost.
        clients_.for_each_open([&](Session &s) {
            if (s.state_bytes <= 0 || s.lost) return;
            const int at = store_.shard_of(s.uid);
            if ((shard >= 0 && at != shard) || !store_.dark(at)) return;
            clients_.mark_lost(s, LossCause::store_failure);
            s.state_bytes = 0;
            s.link_a = s.link_b = kNoSlot; // no node copy either
        });
        return clients_.lost_total() - lost_before;
    }
    void store_up(int shard) override { store_.repair(shard, ctx_.now()); }

    SimTime serve(std::uint32_t index, Attempt &a, Session *s, int node, SimTime start) override {
        const bool cached = ctx_.arch.state.local_cache && s && copy_at(*s) == nodes_.ref(node);
        if (!cached) {
            const double bytes = s ? s->state_bytes : a.state_bytes; // stale: as it was sent
            return issue(index, a, false, bytes, start);
        }
        if (a.traced) [[unlikely]]
            ctx_.trace->cache_hit(a, start);
        return after_read(index, a, s, node, start);
    }

    SimTime store_step(std::uint32_t index, Attempt &a, Session *s, int node,
                       SimTime now) override {
        Operation &op = ops_[index];
        if (op.phase == Phase::write_due) {
            const double bytes = s ? s->state_bytes : a.state_bytes;
            return issue(index, a, true, bytes + growth(ctx_, a), now);
        }
        switch (store_.try_op(now, a.uid, op.write, op.units)) {
        case SessionStore::Try::admitted:
            return finish(index, a, s, node, true, now + op.latency + op.back, false);
        case SessionStore::Try::down: // no reply: the node's timeout runs from its send
            return finish(index, a, s, node, false,
                          std::max(now, now - op.out + from_seconds(ctx_.arch.state.store.timeout)),
                          true);
        case SessionStore::Try::throttled:
            // Counted when refused (the timeseries row and the window of that moment), so
            // refusals of an operation its node's crash cuts short count too.
            ctx_.sink.store_op(now, op.write, false, 0, 1);
            if (++op.throttles == static_cast<std::uint32_t>(SessionStore::kMaxTries))
                // the SDK gives up: the last refusal is back at the node
                return finish(index, a, s, node, false, now + op.back, false);
            // The refusal goes back to the node, whose SDK waits its backoff and sends the
            // next try: it reaches the store a round trip (the operation's hops) later.
            return now + op.back + SessionStore::backoff(static_cast<int>(op.throttles) - 1, rng_) +
                   op.out;
        }
        return now;
    }

  private:
    // An operation's progress, per attempt in the pool (one operation at a time per attempt).
    enum class Phase : std::uint8_t { at_store, write_due };
    struct Operation {
        SimTime sent = 0;                       // left the node
        SimTime out = 0, latency = 0, back = 0; // hops and the store's service, drawn at send
        std::uint32_t units = 0, throttles = 0;
        bool write = false;
        Phase phase = Phase::at_store;
    };

    Operation &operation(std::uint32_t index) {
        if (index >= ops_.size()) ops_.resize(index + 1);
        return ops_[index];
    }

    // The read is done (or not needed): the service runs, then the write is issued.
    SimTime after_read(std::uint32_t index, Attempt &a, Session *s, int node, SimTime t) {
        t += a.demand;
        if (a.write) {
            operation(index).phase = Phase::write_due;
            a.store_due = true;
            return t;
        }
        a.store_due = false;
        if (s) keep_copy(*s, node);
        return t;
    }

    // The node sends an operation on `a`'s session item at `now`: its first try reaches the
    // store one hop later. The hops and the store's latency are drawn now, in the order they
    // always were (a try's outcome draws only a throttled try's backoff).
    SimTime issue(std::uint32_t index, Attempt &a, bool write, double bytes, SimTime now) {
        Operation &op = operation(index);
        op = Operation{};
        op.sent = now;
        op.write = write;
        op.units = SessionStore::units(write, bytes);
        op.out = ctx_.hop(rng_);
        const auto &latency =
            write ? ctx_.arch.state.store.write_latency : ctx_.arch.state.store.read_latency;
        op.latency = latency.sample_time(rng_);
        op.back = ctx_.hop(rng_);
        a.store_due = true;
        return now + op.out;
    }

    // The operation ended now, at its last try (admitted, refused, or the store down); the reply
    // (or the node's timeout) is back at `at_node`. An admitted operation counts and is billed
    // now, when the store serves it, as DynamoDB bills a request: a read the store admits after
    // the window (a throttled store still working off the window's backlog) is not the window's.
    SimTime finish(std::uint32_t index, Attempt &a, Session *s, int node, bool ok, SimTime at_node,
                   bool timed_out) {
        const Operation &op = ops_[index];
        const std::uint32_t units = ok ? op.units : 0;
        ctx_.sink.store_op(ctx_.now(), op.write, ok, units, 0); // its refusals counted already
        a.ok = ok;
        if (a.traced) [[unlikely]] {
            const SimTime issued = op.sent + op.out;
            const SimTime done = ok ? at_node - op.back : at_node; // failures: the node gives up
            ctx_.trace->store_op(a, op.write, issued,
                                 SessionStore::Outcome{done, ok, op.throttles, units, timed_out});
        }
        if (!op.write) {
            if (!ok) { // the store refused: the request fails
                a.store_due = false;
                return at_node;
            }
            return after_read(index, a, s, node, at_node);
        }
        a.store_due = false;
        if (ok && s) {
            s->state_bytes += static_cast<float>(growth(ctx_, a));
            keep_copy(*s, node);
        }
        return at_node;
    }

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

    ModelContext &ctx_;
    NodeGroup &nodes_;
    Clients &clients_;
    SessionStore store_;
    Rng rng_;
    std::vector<Operation> ops_; // by attempt index
};

// state.location: client. The state travels in a signed token with every request: the node
// verifies it; a write that would grow it past max_bytes is rejected and the session is lost.
class ClientToken final : public StateBackend {
  public:
    ClientToken(ModelContext &ctx, Clients &clients) : ctx_(ctx), clients_(clients) {}

    // The attempt carried the client's token (a.state_bytes); from here on a.state_bytes is the
    // token of the response, which the client keeps only if it sees it (Clients::on_response):
    // a response that came after the client's timeout leaves its token as it was.
    SimTime serve(std::uint32_t, Attempt &a, Session *s, int, SimTime start) override {
        const auto &token = ctx_.arch.state.client;
        const SimTime verified = start + from_seconds(token.verify_time);
        const double grown = a.state_bytes + growth(ctx_, a);
        if (grown > token.max_bytes) {
            a.ok = false; // 413: the token would not fit; retrying cannot help
            a.rejected = true;
            a.state_bytes = 0; // a user who continues starts over with an empty token
            if (s) {
                if (a.traced) [[unlikely]]
                    ctx_.trace->token_rejected(a, token.max_bytes);
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
