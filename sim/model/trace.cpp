#include "statesim/model/trace.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "statesim/model/clients.hpp"

namespace statesim {
namespace {

// A duration as a learner reads it: "52.3 ms", "3.2 s".
std::string span(SimTime t) {
    if (t < kSecond) return fmt::format("{:.4g} ms", static_cast<double>(t) * 1e-6);
    return fmt::format("{:.4g} s", to_seconds(t));
}

const char *cause_name(LossCause c) {
    return kLossCauseNames[static_cast<std::size_t>(c)];
}

// Why a session's state went, in words (trace.csv's state_lost detail follows the cause name).
const char *cause_story(LossCause c) {
    switch (c) {
    case LossCause::node_failure:
        return "the node holding it crashed";
    case LossCause::routing:
        return "the request reached a node that does not hold it";
    case LossCause::eviction:
        return "the node's session memory was full: the oldest sessions were evicted";
    case LossCause::token_overflow:
        return "the token would have grown past max_bytes";
    case LossCause::scale_in:
        return "its node was removed by a scale-in";
    case LossCause::deployment:
        return "its node was replaced by a deployment";
    case LossCause::store_failure:
        return "the store lost its data";
    case LossCause::env_reclaimed:
        return "its environment was reclaimed";
    case LossCause::count:
        break;
    }
    return "";
}

std::uint64_t ref_key(NodeRef r) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(r.index)) << 32) | r.generation;
}

} // namespace

SessionTracer::SessionTracer(ModelContext &ctx, std::uint32_t sessions)
    : ctx_(ctx), limit_(sessions) {}

void SessionTracer::set_nodes(const NodeGroup *nodes, const char *prefix) {
    nodes_ = nodes;
    prefix_ = prefix;
}

namespace {
// "1 worker", "3 workers".
std::string plural(long long n, const char *thing) {
    return fmt::format("{} {}{}", n, thing, n == 1 ? "" : "s");
}
} // namespace

// A node keeps its name after it dies (kept the first time it is named), and a slot launched
// again is another node.
std::string SessionTracer::name(NodeRef r) {
    if (!r.valid()) return "";
    // The slot's node since its launch: a crash bumps the generation (references to the
    // crashed incarnation still name it), a new launch in the slot is another node.
    if (nodes_ && static_cast<std::size_t>(r.index) < nodes_->slots()) {
        const Node &n = (*nodes_)[r.index];
        if (n.state != NodeState::free && r.generation >= n.launch_generation &&
            r.generation <= n.generation)
            ids_[ref_key(r)] = n.id;
    }
    const auto it = ids_.find(ref_key(r));
    return it == ids_.end() ? std::string() : fmt::format("{}-{}", prefix_, it->second);
}

SessionTracer::Key SessionTracer::key_of(const Session &s) const {
    const auto it = sessions_.find(s.uid);
    if (it == sessions_.end()) return {s.uid, 0, 0};
    return current(s.uid, it->second);
}

SessionTracer::Key SessionTracer::current(std::uint64_t uid, const Info &info) const {
    if (ctx_.now() < info.sent_at) return {uid, info.request_before, info.attempt_before};
    return {uid, info.request, info.attempt};
}

SessionTracer::Key SessionTracer::key_of(const Attempt &a) const {
    const auto it = attempts_.find(a.id);
    return it == attempts_.end() ? Key{a.uid, 0, 0} : it->second;
}

void SessionTracer::add(SimTime at, const Key &key, TraceEvent e, std::string node,
                        std::string detail) {
    rows_.push_back({at, key, e, std::move(node), std::move(detail)});
}

void SessionTracer::add(const Session &s, TraceEvent e, std::string node, std::string detail) {
    add(ctx_.now(), key_of(s), e, std::move(node), std::move(detail));
}

void SessionTracer::add(const Attempt &a, TraceEvent e, std::string detail, SimTime at) {
    add(at < 0 ? ctx_.now() : at, key_of(a), e, name(a.node), std::move(detail));
}

// --- clients ---

void SessionTracer::session_started(Session &s) {
    if (!s.measured || traced_ >= limit_) return;
    s.traced = true;
    ++traced_;
    sessions_[s.uid] = Info{};
    add(s, TraceEvent::session_start, "", fmt::format("{} requests", s.requests_left));
}

void SessionTracer::sent(const Session &s) {
    const SimTime at = s.attempt_start, delay = at - ctx_.now();
    const SimTime transfer = clients_->token_transfer(s.state_bytes);
    Info &info = sessions_[s.uid];
    info.request_before = info.request;
    info.attempt_before = info.attempt;
    info.sent_at = at;
    if (s.retries_used == 0) ++info.request; // a request's first attempt
    info.attempt = s.retries_used + 1u;
    const Key key{s.uid, info.request, info.attempt};
    attempts_[s.attempt] = key;
    std::string detail;
    if (info.attempt > 1)
        detail = fmt::format("retry after a backoff of {}", span(delay));
    else if (info.request > 1)
        detail = fmt::format("after a think time of {}", span(delay));
    add(at, key, TraceEvent::request_sent, "", std::move(detail));
    if (transfer > 0)
        add(at, key, TraceEvent::token_transfer, "",
            fmt::format("token of {:.0f} B to the server, {} on the wire", s.state_bytes,
                        span(transfer)));
}

void SessionTracer::answered(const Attempt &a, SimTime at) {
    const Session *s = clients_->owner(a);
    if (!a.ok || !s || !clients_->waits_for(a)) return;
    const SimTime transfer = clients_->token_transfer(a.state_bytes);
    if (transfer <= 0) return;
    add(at, key_of(a), TraceEvent::token_transfer, "",
        fmt::format("token of {:.0f} B back to the client, {} on the wire", a.state_bytes,
                    span(transfer)));
}

void SessionTracer::response(const Attempt &a, bool ok, bool late, SimTime request_start) {
    const Key key = key_of(a);
    std::string detail;
    if (late)
        detail = fmt::format("{}, ignored: the client no longer waits for this attempt",
                             ok ? "ok" : "error");
    else if (ok)
        detail = fmt::format("ok: the request took {} (retries included)",
                             span(ctx_.now() - request_start));
    else
        detail = a.rejected ? "error, refused for good: not retried" : "error";
    add(ctx_.now(), key, TraceEvent::response, "", std::move(detail));
}

void SessionTracer::timeout(const Session &s, SimTime after) {
    add(s, TraceEvent::timeout, "", fmt::format("no response within {}", span(after)));
}

void SessionTracer::retry(const Session &s, SimTime backoff, int max_retries) {
    add(s, TraceEvent::retry_scheduled, "",
        fmt::format("retry {} of {} in {}", s.retries_used, max_retries, span(backoff)));
}

void SessionTracer::state_lost(const Session &s, LossCause cause) {
    Info &info = sessions_[s.uid];
    info.lost = true;
    info.cause = cause;
    std::string where;
    if (ctx_.arch.state.location == StateLocation::local && s.has_state)
        where = name(s.home);
    else if (ctx_.arch.state.location == StateLocation::store)
        where = "store";
    add(s, TraceEvent::state_lost, std::move(where),
        fmt::format("{}: {}", cause_name(cause), cause_story(cause)));
}

void SessionTracer::session_ended(const Session &s, MetricsSink::Outcome how) {
    Info &info = sessions_[s.uid];
    info.open = false;
    std::string detail;
    if (s.lost)
        detail = fmt::format("lost ({})", cause_name(info.cause));
    else if (how == MetricsSink::Outcome::completed)
        detail = "completed";
    else
        detail = "abandoned: the user gave up (retries exhausted)";
    add(s, TraceEvent::session_end, "", std::move(detail));
}

// --- servers ---

void SessionTracer::routed(const Attempt &a) {
    const Session *s = clients_->owner(a);
    const NodeRef target = a.node;
    if (!target.valid()) {
        add(a, TraceEvent::attempt_failed, "no routable target: the balancer answers 503");
        return;
    }
    if (const auto it = sessions_.find(key_of(a).session); it != sessions_.end())
        it->second.last = target;
    const auto &lb = ctx_.arch.load_balancer;
    const std::string policy = fmt::format("{} picked it", to_string(lb.policy));
    std::string detail = policy;
    if (lb.sticky && s) {
        if (!s->sticky.valid())
            detail = "no sticky cookie yet: " + policy;
        else if (ctx_.now() >= s->sticky_expiry)
            detail = "sticky cookie expired: " + policy;
        else if (s->sticky == target)
            detail = "sticky cookie";
        else
            detail = fmt::format("sticky cookie names {}, which is not routable: {}",
                                 name(s->sticky), policy);
    }
    add(a, TraceEvent::routed, std::move(detail));
}

void SessionTracer::unreachable(const Attempt &a) {
    add(a, TraceEvent::attempt_failed,
        ctx_.arch.failures.mode == FailureMode::process
            ? std::string("the node is down: connection refused")
            : fmt::format("the node is down: no answer within connect_timeout ({}), the "
                          "balancer gives up",
                          span(from_seconds(ctx_.arch.load_balancer.connect_timeout))));
}

void SessionTracer::queue_full(const Attempt &a) {
    add(a, TraceEvent::attempt_failed,
        fmt::format("queue full ({} waiting): 503", ctx_.arch.cluster.queue_limit));
}

void SessionTracer::queued(const Attempt &a, std::size_t position, int busy) {
    add(a, TraceEvent::queued,
        fmt::format("position {} in the queue, {} busy", position, plural(busy, "worker")));
}

void SessionTracer::service_start(const Attempt &a, SimTime waited) {
    add(a, TraceEvent::service_start,
        waited > 0 ? fmt::format("a worker takes it after {} in the queue", span(waited))
                   : std::string("a worker takes it"));
}

void SessionTracer::service_end(const Attempt &a) {
    if (!a.ok) { // the part that failed it said why
        if (const auto it = failing_.find(a.id); it != failing_.end()) {
            add(a, TraceEvent::attempt_failed, std::move(it->second));
            failing_.erase(it);
        }
        return;
    }
    add(a, TraceEvent::service_end,
        fmt::format("done, {} after arriving", span(ctx_.now() - a.arrived)));
}

void SessionTracer::dropped(const Attempt &a, LossCause cause) {
    failing_.erase(a.id); // its own failure never came: this one did
    const char *doing = a.in_service ? "while serving it" : "with it in the queue";
    add(a, TraceEvent::attempt_failed,
        cause == LossCause::node_failure
            ? fmt::format("the node crashed {}", doing)
            : fmt::format("the node was terminated ({}) {}", cause_name(cause), doing));
}

// --- state backends ---

void SessionTracer::store_op(const Attempt &a, bool write, SimTime issued,
                             const SessionStore::Outcome &op) {
    const Key key = key_of(a);
    if (op.throttles > 0)
        add(issued, key, TraceEvent::store_throttled, "store",
            fmt::format("refused {} time(s) for capacity{}", op.throttles,
                        op.ok || op.timed_out ? "; the node retried with backoff"
                                              : ", the last time for good"));
    const TraceEvent e = write ? TraceEvent::store_write : TraceEvent::store_read;
    if (op.ok) {
        add(issued, key, e, "store",
            fmt::format("ok in {}, {} request unit(s)", span(op.done - issued), op.units));
        return;
    }
    const bool throttled = op.throttles >= static_cast<std::uint32_t>(SessionStore::kMaxTries);
    add(issued, key, e, "store",
        throttled ? "failed: throttled on every try" : "failed: the store is unavailable");
    // The node knows when its service ends: the row comes then (service_end).
    failing_[a.id] = fmt::format("the store {} failed", write ? "write" : "read");
}

void SessionTracer::cache_hit(const Attempt &a, SimTime at) {
    add(a, TraceEvent::cache_hit, "the node keeps a copy of the session: no store read", at);
}

void SessionTracer::state_created(const Session &s, NodeRef node) {
    const std::string where = name(node);
    add(s, TraceEvent::state_created, where,
        fmt::format("the session's state now lives in {}'s memory", where));
}

void SessionTracer::token_rejected(const Attempt &a, double max_bytes) {
    // Written with the end of the service (service_end), after the verification.
    failing_[a.id] =
        fmt::format("413: the token would grow past max_bytes ({:.0f} B); not retried", max_bytes);
}

// --- serverless ---

void SessionTracer::environment(const Attempt &a, bool cold, bool provisioned, SimTime idle_since) {
    if (const auto it = sessions_.find(key_of(a).session); it != sessions_.end())
        it->second.last = a.node;
    if (cold)
        add(a, TraceEvent::env_created, "no idle environment: a new one starts (cold start)");
    else if (provisioned)
        add(a, TraceEvent::env_reused, "a provisioned environment (initialised in advance)");
    else
        add(a, TraceEvent::env_reused,
            fmt::format("a warm environment, idle for {}", span(ctx_.now() - idle_since)));
}

void SessionTracer::throttled(const Attempt &a, bool concurrency_limit) {
    const auto &spec = ctx_.arch.serverless;
    add(a, TraceEvent::attempt_failed,
        concurrency_limit ? fmt::format("429 throttled: {} busy (concurrency_limit)",
                                        plural(spec.concurrency_limit, "environment"))
                          : fmt::format("429 throttled: the scaling rate is used up ({} per {})",
                                        plural(spec.scaling_burst, "new environment"),
                                        span(from_seconds(spec.scaling_window))));
}

void SessionTracer::cold_start(const Attempt &a, SimTime ready) {
    add(a, TraceEvent::cold_start,
        fmt::format("the new environment initialises for {} before serving",
                    span(ready - ctx_.now())));
}

void SessionTracer::env_reclaimed(NodeRef env, SimTime idle_since) {
    std::vector<std::uint64_t> uids; // sorted: the same rows whatever the map's order
    for (const auto &[uid, info] : sessions_)
        if (info.open && info.last == env) uids.push_back(uid);
    std::sort(uids.begin(), uids.end());
    const std::string who = name(env);
    for (std::uint64_t uid : uids) {
        add(ctx_.now(), current(uid, sessions_[uid]), TraceEvent::env_reclaimed, who,
            fmt::format("idle for {}: the environment that served its last request is "
                        "reclaimed",
                        span(ctx_.now() - idle_since)));
    }
}

std::vector<TraceRow> SessionTracer::take(SimTime stop) {
    // Rows placed ahead of their time (a send after a think time, a response on its way) that
    // fall after the stop never happened.
    std::erase_if(rows_, [stop](const Pending &p) { return p.at > stop; });
    // The run stops once every session of the window has an outcome: one lost but going on
    // (on_state_loss: continue), or still open at the drain limit, ends here (by uid: the map's
    // order is not).
    std::vector<std::uint64_t> open;
    for (const auto &[uid, info] : sessions_)
        if (info.open) open.push_back(uid);
    std::sort(open.begin(), open.end());
    for (const std::uint64_t uid : open) {
        const Info &info = sessions_.at(uid);
        add(stop, current(uid, info), TraceEvent::session_end, "",
            info.lost ? fmt::format("lost ({}), still running when the run stopped",
                                    cause_name(info.cause))
                      : std::string("still open when the run stopped (sessions_active)"));
    }
    std::stable_sort(rows_.begin(), rows_.end(),
                     [](const Pending &x, const Pending &y) { return x.at < y.at; });
    std::vector<TraceRow> out;
    out.reserve(rows_.size());
    for (Pending &p : rows_)
        out.push_back({to_seconds(p.at), p.key.session, p.key.request, p.key.attempt, p.event,
                       std::move(p.node), std::move(p.detail)});
    rows_.clear();
    return out;
}

} // namespace statesim
