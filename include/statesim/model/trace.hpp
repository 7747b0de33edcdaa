#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "statesim/model/metrics_sink.hpp"
#include "statesim/model/model_context.hpp"
#include "statesim/model/node_group.hpp"
#include "statesim/model/session.hpp"
#include "statesim/model/session_store.hpp"

namespace statesim {

class Clients;

// `statesim run --trace N`: follows the first N sessions that start in the window, event by
// event, so a learner can read one cart through a node kill, a scale-in or a cold start. The
// model's parts call it only for a traced session or attempt (its `traced` bit), so a run
// without --trace never reaches here; every row's wording is made here, not in the hot path.
// Rows are kept with their simulated time and sorted (stably) at the end: a few are known
// ahead of time (a send after think time, a store operation the worker will issue).
class SessionTracer {
  public:
    SessionTracer(ModelContext &ctx, std::uint32_t sessions);

    // The node group whose slots the node column names (`node-<id>` or `env-<id>`).
    void set_nodes(const NodeGroup *nodes, const char *prefix);
    // The sessions, read here rather than passed by the hooks (fewer live values in hot code).
    void set_clients(Clients *clients) { clients_ = clients; }

    // Clients: a session began (traced when measured and fewer than N are); its attempt sent (at
    // Session::attempt_start, after think time or backoff); the backend answered an attempt (the
    // response lands at `at`, a client token riding it); the response to an attempt (`late`: the
    // client no longer waits for it); a timeout; a retry after `backoff`; the state lost; the end.
    void session_started(Session &s);
    void sent(const Session &s);
    void answered(const Attempt &a, SimTime at);
    void response(const Attempt &a, bool ok, bool late, SimTime request_start);
    void timeout(const Session &s, SimTime after);
    void retry(const Session &s, SimTime backoff, int max_retries);
    void state_lost(const Session &s, LossCause cause);
    void session_ended(const Session &s, MetricsSink::Outcome how);

    // Servers: the balancer's choice (Attempt::node, the session's cookie as it saw it); the node
    // is down; its queue is full; the attempt waits; a worker takes it (after `waited` in the
    // queue); it is served; the node went away with it (crash, scale-in, deployment).
    void routed(const Attempt &a);
    void unreachable(const Attempt &a);
    void queue_full(const Attempt &a);
    void queued(const Attempt &a, std::size_t position, int busy);
    void service_start(const Attempt &a, SimTime waited);
    void service_end(const Attempt &a);
    void dropped(const Attempt &a, LossCause cause);

    // State backends: a store operation issued at `issued`; a cached copy used; state created
    // on a node; a token too large to grow.
    // A store operation issued (reaching the store) at `issued`; a failed one's attempt_failed
    // row comes with the end of the service (service_end).
    void store_op(const Attempt &a, bool write, SimTime issued, const SessionStore::Outcome &op);
    void cache_hit(const Attempt &a, SimTime at);
    void state_created(const Session &s, NodeRef node);
    void token_rejected(const Attempt &a, double max_bytes); // row at service_end

    // Serverless: the environment the request got (new, reused idle or provisioned), or a
    // throttle (429); the init before a cold environment serves; an environment reclaimed
    // (reported for the open traced sessions whose last request it served).
    void environment(const Attempt &a, bool cold, bool provisioned, SimTime idle_since);
    void throttled(const Attempt &a, bool concurrency_limit);
    void cold_start(const Attempt &a, SimTime ready);
    void env_reclaimed(NodeRef env, SimTime idle_since);

    // The rows up to `stop` (the run's end), in time order (same-time rows in the order they
    // happened); a traced session still open then gets its session_end row at `stop`.
    std::vector<TraceRow> take(SimTime stop);

  private:
    struct Info { // per traced session: the request and attempt last sent (1-based)
        std::uint32_t request = 0, attempt = 0;
        // The client schedules a send after think time or backoff: until `sent_at` the session
        // is still at `before` (its previous request and attempt).
        SimTime sent_at = 0;
        std::uint32_t request_before = 0, attempt_before = 0;
        bool open = true;
        bool lost = false;
        LossCause cause = LossCause::node_failure;
        NodeRef last; // the node or environment its latest attempt was sent to
    };
    struct Key {
        std::uint64_t session = 0;
        std::uint32_t request = 0, attempt = 0;
    };
    struct Pending {
        SimTime at;
        Key key;
        TraceEvent event;
        std::string node, detail;
    };
    void add(SimTime at, const Key &key, TraceEvent e, std::string node, std::string detail);
    void add(const Session &s, TraceEvent e, std::string node, std::string detail);
    void add(const Attempt &a, TraceEvent e, std::string detail, SimTime at = -1);
    Key key_of(const Session &s) const;
    Key current(std::uint64_t uid, const Info &info) const; // the request it is at now
    Key key_of(const Attempt &a) const;
    std::string name(NodeRef r);

    ModelContext &ctx_;
    Clients *clients_ = nullptr;
    std::uint32_t limit_, traced_ = 0;
    const NodeGroup *nodes_ = nullptr;
    const char *prefix_ = "node";
    std::unordered_map<std::uint64_t, Info> sessions_;     // by uid
    std::unordered_map<std::uint64_t, Key> attempts_;      // by attempt id
    std::unordered_map<std::uint64_t, std::uint64_t> ids_; // (slot, generation) -> node id
    // Why an attempt in service will fail (a store operation, a 413), by attempt id: written
    // when its service ends, not when the failure was decided (a crash meanwhile writes its
    // own row instead).
    std::unordered_map<std::uint64_t, std::string> failing_;
    std::vector<Pending> rows_;
};

} // namespace statesim
