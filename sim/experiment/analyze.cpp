#include "statesim/experiment/analyze.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>

#include <fmt/format.h>

#include "statesim/model/load_balancer.hpp"
#include "statesim/stats/analytic.hpp"

namespace statesim {

double random_routing_loss(const Distribution &requests, int nodes) {
    return 1.0 - analytic::every_later_request(requests, 1.0 / nodes);
}

namespace {

// A finite queue whose M/M/c/K blocking (same mean) stays below this is treated as unbounded.
constexpr double kNegligibleBlocking = 1e-6;

// Var[I X] for I ~ Bernoulli(p) independent of X.
double bernoulli_times_variance(double p, double mean, double var) {
    return p * (var + mean * mean) - p * p * mean * mean;
}

// Ring shares of the consistent-hash balancer over the initial nodes, as the simulator routes:
// sessions are keyed by their uid 1, 2, ... (the arcs' lengths sampled over 2^18+ uids).
std::vector<double> ring_shares(int nodes) {
    std::vector<int> targets(static_cast<std::size_t>(nodes));
    for (int i = 0; i < nodes; ++i)
        targets[static_cast<std::size_t>(i)] = i;
    HashRing ring;
    ring.rebuild(targets);
    const std::uint64_t keys =
        std::clamp<std::uint64_t>(1024 * static_cast<std::uint64_t>(nodes), 1 << 18, 1 << 22);
    std::vector<double> share(static_cast<std::size_t>(nodes), 0.0);
    for (std::uint64_t uid = 1; uid <= keys; ++uid)
        share[static_cast<std::size_t>(ring.node_for(uid))] += 1.0 / static_cast<double>(keys);
    return share;
}

// P(a later request of a session reaches the node that served the one before it), and whether
// that is exact. Sticky cookies expire when the gap (think time + hop) reaches the TTL.
struct SameNode {
    double p = 1;
    bool exact = true;
    std::string why;
};

SameNode same_node(const Architecture &a) {
    const int n = a.cluster.nodes;
    const auto policy = a.load_balancer.policy;
    if (n == 1) return {1, true, "one node"};
    if (policy == BalancingPolicy::consistent_hash)
        return {1, true, "consistent_hash keeps a session on its node"};
    const double fresh = 1.0 / n; // a fresh pick lands on the previous node
    const bool random = policy == BalancingPolicy::random;
    const std::string pick =
        random ? "random routing" : std::string(to_string(policy)) + " routing taken as random";
    if (!a.load_balancer.sticky) return {fresh, random, pick + ", 1/N"};
    const auto &think = a.workload.think_time;
    const double ttl = a.load_balancer.sticky_ttl, hop = a.hop_latency.expected();
    double expire = 0;
    bool exact = random && a.hop_latency.is_zero();
    if (think.kind == Distribution::Kind::exponential) {
        expire = std::exp(-std::max(0.0, ttl - hop) / think.expected());
    } else if (think.kind == Distribution::Kind::constant) {
        expire = think.mean + hop >= ttl ? 1.0 : 0.0;
    } else {
        const double bound = (think.expected() + hop) / ttl; // Markov: P(gap >= ttl) <= E/ttl
        if (bound > 1e-4) return {NAN, false, ""};
        expire = 0;
        exact = false;
    }
    if (expire < 1e-12) exact = true; // the cookie always holds: the base policy never acts
    return {1 - expire * (1 - fresh), exact,
            fmt::format("sticky cookie, P(gap >= TTL) = {:.4g}, then {}", expire, pick)};
}

void node_queue(const Architecture &a, Prediction &p, double lambda, bool exponential,
                double &response, double &blocking, double &p_wait) {
    const int c = a.cluster.workers;
    const double es = p.service_mean, var = p.service_variance;
    const bool finite = a.cluster.queue_limit < 1000;
    if (exponential && finite) {
        const auto f = analytic::mmck(lambda, es, c, c + a.cluster.queue_limit);
        response = f.response_time;
        blocking = f.blocking;
        return;
    }
    if (exponential) {
        response = analytic::mmc_response_time(lambda, es, c);
        p_wait = analytic::erlang_c(c, lambda * es);
        return;
    }
    const double limit_blocking = analytic::mmck(lambda, es, c, c + a.cluster.queue_limit).blocking;
    if (limit_blocking > kNegligibleBlocking && p.no_closed_form.empty())
        p.no_closed_form = fmt::format(
            "queue_limit {} with non-exponential worker time (M/G/{}/{}): the exponential "
            "M/M/c/K with the same mean would block {:.3g} of the requests",
            a.cluster.queue_limit, c, c + a.cluster.queue_limit, limit_blocking);
    response = analytic::mgc_response_time(lambda, es, var, c);
}

} // namespace

Prediction predict(const Architecture &a) {
    Prediction p;
    const auto &w = a.workload;
    if (w.arrival.kind != ArrivalProcess::Kind::poisson) {
        p.no_closed_form = "only Poisson session arrivals have closed forms here";
        return p;
    }
    const int n = a.cluster.nodes, c = a.cluster.workers;
    const auto location = a.state.location;
    p.session_rate = w.arrival.rate;

    // ---- requests per session, and the sessions that end early ----
    double k_mean = analytic::session_requests_mean(w.requests);
    double k_second = analytic::session_requests_second_moment(w.requests);
    const bool k_exact = !std::isnan(k_mean);
    if (!k_exact) {
        k_mean = std::max(1.0, w.requests.expected());
        k_second = w.requests.variance() + k_mean * k_mean;
        p.approximate.push_back(fmt::format(
            "requests per session from a {} distribution: the model draws max(1, floor(X)), "
            "taken here as E[X]",
            to_string(w.requests.kind)));
    }
    const bool abandon = w.on_state_loss == OnStateLoss::abandon;
    const bool multi = !(k_exact && k_mean == 1 && k_second == 1);
    const bool needs_routing = multi && (location == StateLocation::local ||
                                         (location == StateLocation::store && a.state.local_cache));
    SameNode same = needs_routing ? same_node(a) : SameNode{};
    if (std::isnan(same.p)) {
        p.no_closed_form = fmt::format(
            "sticky cookies expire after {:g} s of gap and the {} think time has no closed-form "
            "tail here",
            a.load_balancer.sticky_ttl, to_string(w.think_time.kind));
        return p;
    }
    if (needs_routing && !same.exact)
        p.approximate.push_back(fmt::format("where a session's next request lands: {}", same.why));

    double issued = k_mean;
    if (location == StateLocation::local && multi && same.p < 1) {
        // The state lives on the node of the previous request: a request that lands elsewhere
        // loses it (then abandon ends the session once that request is answered).
        p.lost_sessions = 1 - analytic::every_later_request(w.requests, same.p);
        p.lost_why = "local state, " + same.why + ": 1 - E[x^(k-1)]";
        if (abandon) issued = analytic::requests_until_first_failure(w.requests, same.p);
    }
    if (location == StateLocation::client && w.state_growth > 0 && w.write_fraction > 0) {
        // The token outgrows max_bytes at the m-th write of the session.
        const double m = std::floor(a.state.client.max_bytes / w.state_growth) + 1;
        if (m < 1e9) {
            const int writes = static_cast<int>(m);
            p.token_overflow = analytic::at_least_writes(w.requests, w.write_fraction, writes);
            if (abandon && p.token_overflow > 0)
                issued = analytic::requests_until_writes(w.requests, w.write_fraction, writes);
        }
        if (std::isnan(p.token_overflow)) p.token_overflow = -1;
    }
    if (std::isnan(p.lost_sessions)) p.lost_sessions = -1;
    if (std::isnan(issued)) {
        p.no_closed_form = fmt::format(
            "sessions end at their first lost state (on_state_loss: abandon) and the {} "
            "requests-per-session distribution has no closed form for how many requests they "
            "issue",
            to_string(w.requests.kind));
        return p;
    }
    p.requests_per_session = issued;
    const double lambda = p.session_rate * issued;
    p.request_rate = lambda;

    // ---- worker time ----
    const double hop = a.hop_latency.expected(), hop_var = a.hop_latency.variance();
    p.cpu = w.service_time.expected();
    double var = w.service_time.variance();
    if (location == StateLocation::store) {
        const auto &st = a.state.store;
        // A cache hit needs a later request (fraction (k-1)/k) on the previous request's node.
        const double hit = a.state.local_cache && issued > 1 ? (issued - 1) / issued * same.p : 0.0;
        p.p_store_read = 1 - hit;
        p.read_round_trip = 2 * hop + st.read_latency.expected();
        p.p_store_write = w.write_fraction;
        p.write_round_trip = 2 * hop + st.write_latency.expected();
        var += bernoulli_times_variance(p.p_store_read, p.read_round_trip,
                                        2 * hop_var + st.read_latency.variance());
        var += bernoulli_times_variance(p.p_store_write, p.write_round_trip,
                                        2 * hop_var + st.write_latency.variance());
        p.store_ops_rate = lambda * (p.p_store_read + p.p_store_write);
        // Operations per request o = read + write indicators: E[o^2] = pr + pw + 2 pr pw.
        p.store_ops_sd = std::sqrt(
            lambda * (p.p_store_read + p.p_store_write + 2 * p.p_store_read * p.p_store_write));
    }
    if (location == StateLocation::client) p.verify = a.state.client.verify_time;
    p.service_mean = p.p_store_read * p.read_round_trip + p.cpu + p.verify +
                     p.p_store_write * p.write_round_trip;
    p.service_variance = var;
    const bool exponential = w.service_time.kind == Distribution::Kind::exponential &&
                             p.service_mean == p.cpu && var == p.cpu * p.cpu;
    p.utilization = lambda * p.service_mean / (n * c);
    p.hops = 4 * hop;

    // ---- token transfer (client state) ----
    if (location == StateLocation::client) {
        // The j-th request of a session carries the bytes of the writes before it and brings
        // back those plus its own growth. Averaged over requests, E[j - 1] = E[k(k-1)/2] / E[k],
        // so the mean token sent is growth x write_fraction x (E[k^2] - E[k]) / (2 E[k]).
        // Sessions whose token overflows (reset or ended) are not accounted for.
        const double g = w.state_growth * w.write_fraction;
        p.token_bytes = g * (k_second - k_mean) / (2 * k_mean);
        p.token_transfer = (2 * p.token_bytes + g) / a.state.client.bandwidth;
        if (p.token_overflow > 0.01)
            p.approximate.push_back(fmt::format(
                "token size averaged as if no token overflowed ({:.2f}% of sessions do)",
                100 * p.token_overflow));
    }

    // ---- where no closed form applies ----
    if (!a.failures.events.empty())
        p.no_closed_form = fmt::format(
            "{} node failure event(s): routing and serving capacity are time-varying (health "
            "checks, deregistration, replacement boots)",
            a.failures.events.size());
    if (p.no_closed_form.empty() && location == StateLocation::store) {
        const double cap = a.state.store.capacity;
        if (p.store_ops_rate >= 0.9 * cap || p.store_ops_rate + 2 * p.store_ops_sd >= cap)
            p.no_closed_form = fmt::format(
                "the store is offered {:.4g} ops/s (sd {:.3g} in a one-second window) against a "
                "capacity of {:.4g}/s: throttled operations back off 25 ms-1.6 s while holding "
                "their worker and fail after 10 tries (the closed form needs the offered load "
                "below 90% of capacity and 2 sd clear of it)",
                p.store_ops_rate, p.store_ops_sd, cap);
    }
    if (!std::isfinite(var) && p.no_closed_form.empty())
        p.no_closed_form = "the worker time has infinite variance: the mean wait is infinite";

    // ---- nodes ----
    std::vector<double> shares(static_cast<std::size_t>(n), 1.0 / n);
    if (a.load_balancer.policy == BalancingPolicy::consistent_hash && n > 1)
        shares = ring_shares(n);
    p.busiest_utilization = p.utilization * n * *std::max_element(shares.begin(), shares.end());
    if (p.busiest_utilization >= 1) {
        p.unstable = true;
        return p;
    }
    if (!p.no_closed_form.empty()) return p;
    std::map<double, std::pair<double, double>> by_share; // share -> (W, blocking)
    double p_wait = -1;
    for (double s : shares) {
        if (by_share.count(s)) continue;
        double response = 0, blocking = 0;
        node_queue(a, p, lambda * s, exponential, response, blocking, p_wait);
        by_share[s] = {response, blocking};
    }
    if (!p.no_closed_form.empty()) return p;
    for (double s : shares) {
        p.node_response += s * by_share[s].first;
        p.blocking += s * by_share[s].second;
    }
    p.blocking = std::clamp(p.blocking, 0.0, 1.0);
    if (shares.size() == 1 || by_share.size() == 1) p.p_wait = p_wait;
    const bool finite = a.cluster.queue_limit < 1000;
    if (exponential && finite)
        p.model = fmt::format("M/M/{}/{} per node", c, c + a.cluster.queue_limit);
    else if (exponential)
        p.model = fmt::format("M/M/{} per node", c);
    else if (c == 1)
        p.model = "M/G/1 per node (Pollaczek-Khinchine)";
    else {
        p.model = fmt::format("M/G/{} per node", c);
        p.mgc_approximation = true;
    }
    p.latency = p.hops + p.token_transfer + p.node_response;

    // ---- caveats ----
    const bool exact_routing = a.load_balancer.policy == BalancingPolicy::random || n == 1 ||
                               a.load_balancer.policy == BalancingPolicy::consistent_hash;
    if (!exact_routing)
        p.approximate.push_back(fmt::format("per-node arrivals are not Poisson under {} routing",
                                            to_string(a.load_balancer.policy)));
    if (multi)
        p.approximate.push_back("session requests with think time are only approximately Poisson");
    if (p.latency > 0.1 * w.timeout)
        p.approximate.push_back(fmt::format(
            "the mean latency is {:.0f}% of the client timeout ({:g} s): attempts that time out "
            "retry and add load",
            100 * p.latency / w.timeout, w.timeout));
    if (location == StateLocation::local && w.state_growth > 0) {
        // Sessions resident per node (Little) x their final state size, against the limit.
        const double duration = issued * p.latency + (issued - 1) * w.think_time.expected();
        const double bytes =
            p.session_rate / n * duration * w.state_growth * w.write_fraction * issued;
        if (bytes >= 0.5 * a.cluster.session_memory_limit)
            p.no_closed_form = fmt::format(
                "about {:.3g} MB of session state per node against session_memory_limit {:.3g} "
                "MB: evictions",
                bytes / 1e6, a.cluster.session_memory_limit / 1e6);
    }
    return p;
}

namespace {

std::string analyze_architecture(const Architecture &a) {
    const Prediction p = predict(a);
    std::string out;
    if (p.request_rate == 0 && !p.no_closed_form.empty())
        return "  no closed form: " + p.no_closed_form + "\n";
    const int n = a.cluster.nodes, c = a.cluster.workers;
    out += fmt::format("  request rate λ = {:.4g}/s ({:.4g} sessions/s x {:.4g} requests)\n",
                       p.request_rate, p.session_rate, p.requests_per_session);
    std::string parts;
    const auto add = [&parts](const std::string &s) { parts += (parts.empty() ? "" : " + ") + s; };
    if (p.p_store_read > 0)
        add(fmt::format("store read {:.4f} ms x {:.4f}", 1e3 * p.read_round_trip, p.p_store_read));
    add(fmt::format("CPU {:.4f} ms", 1e3 * p.cpu));
    if (p.verify > 0) add(fmt::format("verify {:.4f} ms", 1e3 * p.verify));
    if (p.p_store_write > 0)
        add(fmt::format("store write {:.4f} ms x {:.4f}", 1e3 * p.write_round_trip,
                        p.p_store_write));
    out += fmt::format("  worker time E[S] = {:.4f} ms ({}), cv² = {:.4f}\n", 1e3 * p.service_mean,
                       parts, p.service_variance / (p.service_mean * p.service_mean));
    if (a.state.location == StateLocation::store)
        out += fmt::format("  store operations {:.4g}/s offered (capacity {:.4g}/s)\n",
                           p.store_ops_rate, a.state.store.capacity);
    out +=
        fmt::format("  utilization ρ = λE[S]/(N·c) = {:.4f} (N={}, c={})\n", p.utilization, n, c);
    if (p.busiest_utilization > p.utilization * (1 + 1e-9))
        out += fmt::format("  busiest node ρ = {:.4f} (consistent_hash ring share {:.4f})\n",
                           p.busiest_utilization, p.busiest_utilization / p.utilization / n);
    if (p.unstable) {
        out += "  unstable: ρ >= 1, queues grow until queue_limit rejects requests\n";
        return out;
    }
    if (!p.no_closed_form.empty()) return out + "  no closed form: " + p.no_closed_form + "\n";
    const std::string label = p.mgc_approximation ? " (M/G/c approximation)" : "";
    std::string model = p.model;
    if (p.p_wait >= 0) model += fmt::format(" (Erlang C, P(wait) = {:.4f})", p.p_wait);
    if (a.cluster.queue_limit < 1000 && p.model.starts_with("M/M/"))
        model += fmt::format(", blocking {:.4g}", p.blocking);
    if (p.mgc_approximation) model += ": Allen-Cunneen, W_q ≈ W_q(M/M/c)·(1 + cv²)/2";
    out += fmt::format("  model: {}{}\n", model, label);
    const std::string token =
        a.state.location == StateLocation::client
            ? fmt::format(" + token {:.4f} ms for {:.0f} B", 1e3 * p.token_transfer, p.token_bytes)
            : "";
    out += fmt::format("  mean latency = {:.4f} ms (node {:.4f} ms + 4 hops {:.4f} ms{}){}\n",
                       1e3 * p.latency, 1e3 * p.node_response, 1e3 * p.hops, token, label);
    out += fmt::format("  Little: mean requests at nodes L = λW = {:.4f}{}\n",
                       p.request_rate * p.node_response, label);
    if (p.lost_sessions >= 0)
        out += fmt::format("  lost sessions ({}) = {:.4f}%\n", p.lost_why, 100 * p.lost_sessions);
    if (p.token_overflow >= 0)
        out += fmt::format("  sessions whose token outgrows max_bytes = {:.4f}%\n",
                           100 * p.token_overflow);
    for (const auto &s : p.approximate)
        out += "  approximate: " + s + "\n";
    return out;
}

} // namespace

std::string analyze_scenario(const Scenario &sc) {
    std::string out;
    for (std::size_t p = 0; p < sc.points.size(); ++p)
        for (const auto &a : sc.points[p].architectures) {
            out += fmt::format("point {} / {}:\n", p, a.name);
            out += analyze_architecture(a);
        }
    return out;
}

} // namespace statesim
