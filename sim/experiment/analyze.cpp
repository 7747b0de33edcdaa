#include "statesim/experiment/analyze.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>

#include <fmt/format.h>

#include "statesim/model/load_balancer.hpp"
#include "statesim/model/node.hpp"
#include "statesim/output/metrics.hpp"
#include "statesim/stats/analytic.hpp"
#include "statesim/stats/confidence.hpp"

namespace statesim {

double random_routing_loss(const Distribution &requests, int nodes) {
    return 1.0 - analytic::every_later_request(requests, 1.0 / nodes);
}

namespace {

// A finite queue whose M/M/c/K blocking (same mean) stays below this is treated as unbounded.
constexpr double kNegligibleBlocking = 1e-6;
// P(CPU > timeout), or its share of E[CPU], above which timeouts change the served requests.
constexpr double kTimeoutTail = 1e-3;
// Relative difference below which the M/M/c/K and M/M/c mean responses are the same number.
constexpr double kSameResponse = 1e-6;

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

// Under the serverless runtime there is no fleet (cluster.nodes, the balancer and stickiness are
// ignored): the platform puts a request in the most recently created idle environment.
// Whether that is the environment that served the session's previous request has no closed form.
constexpr const char *kServerlessPlacement =
    "whether a session's next request lands in the environment that served its previous one "
    "(the platform takes the most recently created idle environment)";

SameNode same_node(const Architecture &a) {
    if (a.cluster.runtime == Runtime::serverless) return {NAN, false, kServerlessPlacement};
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
    const double es = p.mixed_mean, var = p.mixed_variance; // every request at the node
    if (exponential) {
        // M/M/c/K is exact for any queue_limit (O(c) to compute). M/M/c, with its Erlang C,
        // only where the limit changes nothing visible: negligible blocking and the same W
        // (a queue of 1001 at rho = 0.9999 blocks 9.5e-4 and halves L; M/M/1 said 9999).
        const auto f = analytic::mmck(lambda, es, c, c + a.cluster.queue_limit);
        const double infinite = analytic::mmc_response_time(lambda, es, c);
        if (f.blocking < kNegligibleBlocking &&
            std::abs(f.response_time - infinite) <= kSameResponse * infinite) {
            response = infinite;
            p_wait = analytic::erlang_c(c, lambda * es);
            return;
        }
        response = f.response_time;
        blocking = f.blocking;
        p.finite_queue = true;
        return;
    }
    if (a.cluster.queue_limit == 0) {
        // M/G/c/c: nothing waits, and Erlang B holds for any worker time of this mean
        // (insensitivity), infinite variance included.
        const auto f = analytic::mmck(lambda, es, c, c);
        response = es;
        blocking = f.blocking;
        p.finite_queue = true;
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

// Mean DynamoDB request units per read and per write of a session's item. Before a session's
// j-th request its item holds growth x W bytes, W ~ Binomial(j - 1, write_fraction); a read
// costs max(1, ceil(bytes / 4 KiB)), a write max(1, ceil((bytes + growth) / 1 KiB)). Averaged
// over requests, sum_j P(k >= j) E[units_j] / sum_j P(k >= j): exact for constant and geometric
// requests per session (ignoring sessions that end early); otherwise (or when sessions are too
// long to sum) the bound max(1, ceil(x)) <= 1 + x at the mean item size.
struct StoreUnits {
    double read = 1, write = 1;
    bool exact = true;
};

StoreUnits store_units(const Workload &w) {
    const double g = w.state_growth, wf = std::clamp(w.write_fraction, 0.0, 1.0);
    if (g <= 0 || wf <= 0) return {};
    const auto &d = w.requests;
    const bool geometric = d.kind == Distribution::Kind::geometric;
    const bool constant = d.kind == Distribution::Kind::constant;
    const double q = geometric ? 1 - 1 / std::max(d.mean, 1.0) : 0;
    double last = 0; // the longest session summed
    if (geometric)
        last = q > 0 ? 1 + std::ceil(std::log(1e-15) / std::log(q)) : 1;
    else if (constant)
        last = std::max(1.0, std::floor(d.mean));
    constexpr double kLongest = 4000;
    if ((geometric || constant) && last <= kLongest) {
        std::vector<double> pmf{1.0}; // P(W = i) before request j
        double reads = 0, writes = 0, weight = 0;
        for (int j = 1; j <= static_cast<int>(last); ++j) {
            const double survive = geometric ? std::pow(q, j - 1) : 1.0;
            double er = 0, ew = 0;
            for (std::size_t i = 0; i < pmf.size(); ++i) {
                const double bytes = g * static_cast<double>(i);
                er += pmf[i] * std::max(1.0, std::ceil(bytes / 4096));
                ew += pmf[i] * std::max(1.0, std::ceil((bytes + g) / 1024));
            }
            reads += survive * er;
            writes += survive * ew;
            weight += survive;
            pmf.push_back(0);
            for (std::size_t i = pmf.size() - 1; i > 0; --i)
                pmf[i] = pmf[i] * (1 - wf) + pmf[i - 1] * wf;
            pmf[0] *= 1 - wf;
        }
        return {reads / weight, writes / weight, true};
    }
    double k = analytic::session_requests_mean(d);
    double k2 = analytic::session_requests_second_moment(d);
    if (std::isnan(k) || std::isnan(k2)) {
        k = std::max(1.0, d.expected());
        k2 = d.variance() + k * k;
    }
    const double item = g * wf * (k2 - k) / (2 * k); // mean bytes before a request
    return {1 + item / 4096, 1 + (item + g) / 1024, false};
}

// "a zone outage", "2 node failures": one kind of failures.events.
std::string count_of(int k, const char *one, const char *many) {
    return k == 1 ? std::string(one) : fmt::format("{} {}", k, many);
}

// "a zone outage and 2 node failures": the failures.events that act on this architecture.
// Kills and deployments act on a server fleet (the serverless runtime ignores them); a store
// outage acts only where requests use the store (state.location: store).
struct EventKinds {
    std::string fleet; // kills, zone outages, deployments
    std::string store; // store outages
};

EventKinds event_kinds(const Architecture &a) {
    int node = 0, zone = 0, deploy = 0, store = 0;
    for (const auto &e : a.failures.events) {
        switch (e.kind) {
        case FaultEvent::Kind::kill_node:
            node += e.count;
            break;
        case FaultEvent::Kind::kill_zone:
            ++zone;
            break;
        case FaultEvent::Kind::deploy:
            ++deploy;
            break;
        case FaultEvent::Kind::store_outage:
            ++store;
            break;
        }
    }
    EventKinds r;
    if (a.cluster.runtime != Runtime::serverless) {
        std::vector<std::string> kinds;
        if (node > 0) kinds.push_back(count_of(node, "a node failure", "node failures"));
        if (zone > 0) kinds.push_back(count_of(zone, "a zone outage", "zone outages"));
        if (deploy > 0)
            kinds.push_back(count_of(deploy, "a rolling deployment", "rolling deployments"));
        for (std::size_t i = 0; i < kinds.size(); ++i)
            r.fleet += (i == 0 ? "" : i + 1 == kinds.size() ? " and " : ", ") + kinds[i];
    }
    if (store > 0 && a.state.location == StateLocation::store)
        r.store = count_of(store, "a store outage", "store outages");
    return r;
}

const char *to_string(StoreSpec::CapacityMode m) {
    switch (m) {
    case StoreSpec::CapacityMode::on_demand:
        return "on_demand";
    case StoreSpec::CapacityMode::provisioned:
        return "provisioned";
    default:
        return "fixed";
    }
}

// The workflows' steps are requests to the same workers (placed by the balancer, an
// in_memory workflow's later steps on its first step's node): mixes their rate steps x
// workflows/s and step_time into p.mixed_*. Returns whether the mix keeps exponential worker
// time (both exponential with one mean).
bool add_workflow_load(const Architecture &a, Prediction &p) {
    const WorkflowSpec &wf = a.workflows;
    p.workflow_rate = wf.arrival.rate * wf.steps; // the mean rate for non-Poisson arrivals
    p.workflow_step = wf.step_time.expected();
    const double lambda = p.mixed_rate, total = lambda + p.workflow_rate;
    if (!(total > 0)) return true;
    const double es = p.mixed_mean, ws = p.workflow_step, wv = wf.step_time.variance();
    p.mixed_rate = total;
    p.mixed_mean = (lambda * es + p.workflow_rate * ws) / total;
    const double second =
        (lambda * (p.mixed_variance + es * es) + p.workflow_rate * (wv + ws * ws)) / total;
    p.mixed_variance = std::max(0.0, second - p.mixed_mean * p.mixed_mean);
    p.approximate.push_back(fmt::format(
        "workflow steps ({:.4g}/s) share the workers: their arrivals, spaced by the workflows' "
        "waits, are taken as Poisson; failed steps retried are not counted",
        p.workflow_rate));
    return wf.step_time.kind == Distribution::Kind::exponential && ws == es &&
           p.mixed_variance == es * es;
}

// Round robin deals the requests to the N targets in turn: from a Poisson stream each node gets
// every N-th request, Erlang-N interarrival times, and with one exponential worker that is an
// E_N/M/1 queue (GI/M/1), exact. "" where that holds; otherwise why not (the queue is then taken
// as random routing's M/M/c or M/G/c, said). Sticky cookies never act on one-request sessions
// (a cookie is set by a success, after which the session ends). The queue limit is checked
// against sigma once it is known.
std::string round_robin_not_erlang(const Architecture &a, bool multi, bool exponential) {
    const auto &f = a.failures;
    if (a.cluster.workers != 1) return fmt::format("{} workers per node", a.cluster.workers);
    if (!exponential) return "the worker time is not exponential (CPU only)";
    if (multi)
        return "sessions of several requests (their requests, spaced by think times, are not "
               "every N-th of a Poisson stream)";
    if (a.workflows.enabled) return "workflow steps take turns in the same rotation";
    if (a.hop_latency.kind != Distribution::Kind::constant)
        return fmt::format("the {} balancer-to-node hop reorders the requests dealt in turn",
                           to_string(a.hop_latency.kind));
    if (f.nodes.enabled || f.zones.enabled || f.deployments.enabled || !f.events.empty() ||
        a.autoscaling.enabled)
        return "the fleet changes (failures or autoscaling): the rotation runs over varying "
               "targets";
    return "";
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
    const bool serverless = a.cluster.runtime == Runtime::serverless;
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
    // Serverless: environment reuse has no closed form; the loss of local state and the cache
    // hit rate say so, and so does everything that depends on them (below).
    const bool reuse_unknown = needs_routing && serverless;
    if (std::isnan(same.p) && !reuse_unknown) {
        p.no_closed_form = fmt::format(
            "sticky cookies expire after {:g} s of gap and the {} think time has no closed-form "
            "tail here",
            a.load_balancer.sticky_ttl, to_string(w.think_time.kind));
        return p;
    }
    if (needs_routing && !same.exact && !reuse_unknown)
        p.approximate.push_back(fmt::format("where a session's next request lands: {}", same.why));

    double issued = k_mean;
    if (reuse_unknown && location == StateLocation::local) {
        p.lost_why = fmt::format("local state: {} has no closed form", same.why);
        if (abandon) {
            p.no_closed_form = fmt::format(
                "local state under the serverless runtime: {} has no closed form, so neither "
                "have the sessions that lose their state nor, as they end at their first lost "
                "state (on_state_loss: abandon), the requests they issue",
                same.why);
            return p;
        }
    } else if (location == StateLocation::local && multi && same.p < 1) {
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
    // Token overflow: the chain over the writes a token carries gives the share of requests
    // rejected (413), which hold a worker for the verification only (ClientToken::serve).
    analytic::TokenWrites chain{NAN, NAN, NAN};
    if (p.token_overflow > 0 && w.state_growth > 0) {
        const double m = std::floor(a.state.client.max_bytes / w.state_growth) + 1;
        chain = analytic::token_writes(w.requests, w.write_fraction,
                                       static_cast<int>(std::min(m, 1e9)), abandon);
        p.rejected = chain.rejected;
        if (!std::isfinite(p.rejected)) {
            // abandon: one rejection per overflowing session, exactly; continue: at least one.
            p.rejected = p.token_overflow / issued;
            if (!abandon && p.token_overflow > 0.01)
                p.approximate.push_back(fmt::format(
                    "token rejections counted once per overflowing session ({:.4g} of the "
                    "requests); sessions that start over can overflow again",
                    p.rejected));
        }
        if (!(p.rejected >= 1e-9)) p.rejected = 0; // 3e-47 of the requests: no 413 lines
    }
    p.request_rate = lambda;

    // ---- worker time ----
    const double hop = a.hop_latency.expected(), hop_var = a.hop_latency.variance();
    p.cpu = w.service_time.expected();
    double var = w.service_time.variance();
    if (location == StateLocation::store) {
        const auto &st = a.state.store;
        // A cache hit needs a later request (fraction (k-1)/k) on the previous request's node.
        const double later = a.state.local_cache && issued > 1 ? (issued - 1) / issued : 0.0;
        const double hit = reuse_unknown ? 0.0 : later * same.p;
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
        if (st.capacity_mode != StoreSpec::CapacityMode::fixed) {
            const StoreUnits u = store_units(w);
            p.store_units = true;
            p.units_per_read = u.read;
            p.units_per_write = u.write;
            p.read_units_rate = lambda * p.p_store_read * u.read;
            p.write_units_rate = lambda * p.p_store_write * u.write;
            // Poisson operations each costing about its mean units.
            p.read_units_sd = u.read * std::sqrt(lambda * p.p_store_read);
            p.write_units_sd = u.write * std::sqrt(lambda * p.p_store_write);
            if (!u.exact)
                p.approximate.push_back(fmt::format(
                    "request units per store operation from the mean item size (at most {:.3g} "
                    "per read, {:.3g} per write)",
                    u.read, u.write));
        }
    }
    if (location == StateLocation::client) p.verify = a.state.client.verify_time;
    if (p.rejected > 0) var = bernoulli_times_variance(1 - p.rejected, p.cpu, var); // 413: no CPU
    p.service_mean = p.p_store_read * p.read_round_trip + (1 - p.rejected) * p.cpu + p.verify +
                     p.p_store_write * p.write_round_trip;
    p.service_variance = var;
    if (reuse_unknown && location == StateLocation::store) {
        p.hit_unknown = fmt::format("it needs the local_cache hit rate, i.e. {}", same.why);
        p.service_mean_low = p.service_mean - (issued - 1) / issued * p.read_round_trip;
    }
    bool exponential = w.service_time.kind == Distribution::Kind::exponential &&
                       p.service_mean == p.cpu && var == p.cpu * p.cpu;
    p.mixed_rate = lambda;
    p.mixed_mean = p.service_mean;
    p.mixed_variance = var;
    if (a.workflows.enabled) {
        if (serverless) {
            p.approximate.push_back(fmt::format(
                "workflow steps ({:.4g}/s) run on the same functions and are left out here",
                a.workflows.arrival.rate * a.workflows.steps));
        } else {
            if (!add_workflow_load(a, p)) exponential = false;
            if (a.workflows.arrival.kind != ArrivalProcess::Kind::poisson)
                p.no_closed_form = "workflow arrivals are not Poisson: their steps load the same "
                                   "workers at a varying rate";
        }
    }
    if (!serverless) p.utilization = p.mixed_rate * p.mixed_mean / (n * c); // no fleet otherwise
    p.hops = 4 * hop;

    // ---- token transfer (client state) ----
    if (location == StateLocation::client) {
        // The j-th request of a session carries the bytes of the writes before it and brings
        // back those plus its own growth. Averaged over requests, E[j - 1] = E[k(k-1)/2] / E[k],
        // so the mean token sent is growth x write_fraction x (E[k^2] - E[k]) / (2 E[k]).
        double g = w.state_growth * w.write_fraction;
        p.token_bytes = g * (k_second - k_mean) / (2 * k_mean);
        // Tokens that overflow end their session or start over empty, and the rejected
        // request (the largest token) has no latency: the mean token of a served request is
        // smaller than the growth of every earlier write (96 ms predicted against 52.9 ms
        // simulated for 33 % of sessions overflowing). A chain over the writes carried.
        if (p.token_overflow > 0 && w.state_growth > 0) {
            if (std::isfinite(chain.carried)) {
                p.token_bytes = w.state_growth * chain.carried;
                g = w.state_growth * chain.written;
            } else if (p.token_overflow > 0.01) {
                p.approximate.push_back(fmt::format(
                    "token size averaged as if no token overflowed ({:.2f}% of sessions do)",
                    100 * p.token_overflow));
            }
        }
        p.token_transfer = (2 * p.token_bytes + g) / a.state.client.bandwidth;
    }

    // ---- faults: the fleet's (servers only: the serverless runtime ignores them) and the
    // store's (only where requests use it) ----
    const auto &f = a.failures;
    if (!serverless && f.nodes.enabled)
        p.approximate.push_back(
            "node failures (failures.nodes): the lines above take all N nodes as serving; fewer "
            "do (nodes up, below), and requests on a crashed node fail and are retried");
    if (!serverless && f.zones.enabled)
        p.approximate.push_back(fmt::format(
            "zone failures (failures.zones, mtbf {:g} s, mttr {:g} s per zone): the lines above "
            "take all N nodes as serving; a failed zone's nodes do not serve until it is back, "
            "and requests on them fail and are retried",
            f.zones.mtbf.expected(), f.zones.mttr.expected()));
    if (!serverless && f.deployments.enabled)
        p.approximate.push_back(fmt::format(
            "rolling deployments (failures.deployments, every {:g} s, {:g}% of the nodes a "
            "batch): the lines above take all N nodes as serving at full capacity; each batch's "
            "new nodes come on top of them (never fewer serve), at warmup_capacity for "
            "warmup_period, and session state in the memory of the old nodes they replace is lost",
            f.deployments.every, 100 * f.deployments.batch));
    if (f.store.enabled && location == StateLocation::store)
        p.approximate.push_back(fmt::format(
            "store failures (failures.store, mtbf {:g} s, mttr {:g} s): the lines above take "
            "the store as always up; requests to a failed shard wait the store's timeout and "
            "fail",
            f.store.mtbf.expected(), f.store.mttr.expected()));
    if (!serverless && a.autoscaling.enabled)
        p.approximate.push_back(fmt::format(
            "autoscaling: the lines above take N = cluster.nodes = {} nodes; the fleet is "
            "resized (the count it settles at, below)",
            n));

    // ---- where no closed form applies ----
    const EventKinds events = event_kinds(a);
    if (!events.fleet.empty())
        p.no_closed_form = fmt::format(
            "{} (failures.events): routing and serving capacity are time-varying (health checks, "
            "deregistration, replacement boots)",
            events.fleet);
    else if (!events.store.empty())
        p.no_closed_form =
            fmt::format("{} (failures.events) with the state in the store: requests that use "
                        "the store wait its timeout and fail while it is down",
                        events.store);
    const auto tight = [](double offered, double sd, double cap) {
        return offered >= 0.9 * cap || offered + 2 * sd >= cap;
    };
    if (p.no_closed_form.empty() && location == StateLocation::store && p.store_units) {
        const auto &st = a.state.store;
        const bool on_demand = st.capacity_mode == StoreSpec::CapacityMode::on_demand;
        const std::string limit =
            on_demand ? "on_demand's initial limit (it grows to twice the previous peak, so the "
                        "throttling is transient)"
                      : "the provisioned limit";
        const auto check = [&](const char *what, double offered, double sd, double cap) {
            if (p.no_closed_form.empty() && tight(offered, sd, cap))
                p.no_closed_form = fmt::format(
                    "the store is offered {:.4g} {} units/s (sd {:.3g} in a one-second window) "
                    "against {:.4g}/s, {}: throttled operations back off 25 ms-1.6 s while "
                    "holding their worker (the closed form needs the offered units below 90% of "
                    "the limit and 2 sd clear of it)",
                    offered, what, sd, cap, limit);
        };
        check("read", p.read_units_rate, p.read_units_sd, st.read_units);
        check("write", p.write_units_rate, p.write_units_sd, st.write_units);
    }
    if (p.no_closed_form.empty() && location == StateLocation::store && !p.store_units) {
        const double cap = a.state.store.capacity;
        if (tight(p.store_ops_rate, p.store_ops_sd, cap))
            p.no_closed_form = fmt::format(
                "the store is offered {:.4g} ops/s (sd {:.3g} in a one-second window) against a "
                "capacity of {:.4g}/s: throttled operations back off 25 ms-1.6 s while holding "
                "their worker and fail after 10 tries (the closed form needs the offered load "
                "below 90% of capacity and 2 sd clear of it)",
                p.store_ops_rate, p.store_ops_sd, cap);
    }
    if (serverless) return p; // no queue, no nodes: serverless_text has the function's forms
    // Without a queue (queue_limit 0) nothing waits: Erlang B needs the mean only.
    if (!std::isfinite(p.mixed_variance) && p.no_closed_form.empty() && a.cluster.queue_limit > 0)
        p.no_closed_form =
            c == 1 ? "the worker time has infinite variance: the mean wait is infinite "
                     "(Pollaczek-Khinchine)"
                   : "the worker time has infinite variance: the M/G/c approximation needs a "
                     "finite one (the mean wait is infinite at high load; whether it is finite "
                     "at low load depends on the tail)";

    // ---- nodes ----
    std::vector<double> shares(static_cast<std::size_t>(n), 1.0 / n);
    if (a.load_balancer.policy == BalancingPolicy::consistent_hash && n > 1)
        shares = ring_shares(n);
    p.busiest_utilization = p.utilization * n * *std::max_element(shares.begin(), shares.end());
    if (p.busiest_utilization >= 1) {
        // A finite queue is stable at any load (it blocks the excess), but from empty it fills
        // at the net rate lambda_node - c/E[S], or by its random walk's spread, K places in
        // about K^2 / (lambda_node + c/E[S]) (at rho = 1 the drift alone would say never): a
        // queue_limit of 1e8 never fills in a run, the default 512 at 100/s in ~20 minutes.
        const double out_rate = c / p.mixed_mean, in_rate = p.busiest_utilization * out_rate;
        const double k = a.cluster.queue_limit, net = in_rate - out_rate;
        const double spread = k * k / (in_rate + out_rate);
        p.fill_time = net > 0 ? std::min(k / net, spread) : spread;
    }
    if (!p.no_closed_form.empty()) return p;
    std::map<double, std::pair<double, double>> by_share; // share -> (W, blocking)
    double p_wait = -1;
    const bool round_robin = a.load_balancer.policy == BalancingPolicy::round_robin && n > 1;
    std::string not_erlang = round_robin ? round_robin_not_erlang(a, multi, exponential) : "";
    if (round_robin && not_erlang.empty()) {
        const auto q = analytic::erlang_m1(n, p.mixed_rate / n, p.mixed_mean);
        // An arrival finds K = c + queue_limit or more w.p. sigma^K in the unbounded queue, a
        // bound on the finite one's blocking; cut there, the geometric count an arrival finds
        // loses K sigma^K / (1 - sigma^K) of its mean. Both negligible: the limit changes
        // nothing visible (as for M/M/c against M/M/c/K).
        const double k = c + static_cast<double>(a.cluster.queue_limit);
        const double tail = std::pow(q.sigma, k), shift = tail > 0 ? k * tail / (1 - tail) : 0;
        if (tail < kNegligibleBlocking && shift * p.mixed_mean <= kSameResponse * q.response_time) {
            p.erlang_phases = n;
            p_wait = q.sigma;
            by_share[shares[0]] = {q.response_time, 0.0};
        } else {
            not_erlang = q.sigma >= 1 ? "ρ >= 1"
                                      : fmt::format("queue_limit {} would block up to σ^K = {:.3g} "
                                                    "of the requests (K = 1 + queue_limit)",
                                                    a.cluster.queue_limit, tail);
        }
    }
    for (double s : shares) {
        if (by_share.count(s)) continue;
        double response = 0, blocking = 0;
        node_queue(a, p, p.mixed_rate * s, exponential, response, blocking, p_wait);
        by_share[s] = {response, blocking};
    }
    if (!p.no_closed_form.empty()) return p;
    // W is that of the admitted requests: each node weighs by the share it admits,
    // s (1 - B_s), of the carried rate lambda (1 - B).
    double admitted = 0;
    for (double s : shares) {
        const auto [response, blocking] = by_share[s];
        p.node_response += s * (1 - blocking) * response;
        p.blocking += s * blocking;
        admitted += s * (1 - blocking);
    }
    if (admitted > 0) p.node_response /= admitted;
    p.blocking = std::clamp(p.blocking, 0.0, 1.0);
    p.carried_rate = lambda * (1 - p.blocking);
    p.served_rate = p.carried_rate * (1 - p.rejected);
    // L counts every admitted request, 413s and workflow steps included; a served session
    // request waits as long as any (Wq = W - E[S] of the mix) and then takes its own time.
    p.in_system = p.mixed_rate * (1 - p.blocking) * p.node_response;
    p.node_response += p.service_mean + p.rejected * p.cpu - p.mixed_mean;
    if (shares.size() == 1 || by_share.size() == 1) p.p_wait = p_wait;
    if (p.erlang_phases > 0)
        p.model = fmt::format("E_{0}/M/1 per node (round robin over {0} single-worker nodes: "
                              "Erlang-{0} arrivals at each node), exact",
                              n);
    else if (p.finite_queue && !exponential)
        p.model = fmt::format("M/G/{}/{} per node (Erlang B, whatever the worker-time "
                              "distribution)",
                              c, c);
    else if (p.finite_queue)
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
    const auto policy = a.load_balancer.policy;
    const bool exact_routing = policy == BalancingPolicy::random || n == 1 ||
                               policy == BalancingPolicy::consistent_hash || p.erlang_phases > 0;
    if (!exact_routing) {
        // The lines above are random routing's. Round robin deals the requests in turn, and
        // least_outstanding / power_of_two look at the requests in flight: each spreads them
        // more evenly than random, so its waits are typically shorter.
        std::string caveat = fmt::format(
            "per-node arrivals are not Poisson under {0} routing: the lines above take each "
            "node as offered a Poisson λ/N, as random routing would; {0} spreads the requests "
            "more evenly, so its waits are typically shorter",
            to_string(policy));
        if (policy == BalancingPolicy::round_robin)
            caveat += fmt::format(". Exact (E_N/M/1) only with one worker per node, "
                                  "exponential worker time, one-request sessions, constant hops, "
                                  "a fixed fleet and a queue that never blocks; here: {}",
                                  not_erlang);
        else
            caveat += " (no closed form here)";
        p.approximate.push_back(caveat);
    }
    if (multi)
        p.approximate.push_back("session requests with think time are only approximately Poisson");
    if (p.blocking > 1e-3 && (w.max_retries > 0 || multi))
        p.approximate.push_back(fmt::format(
            "{:.3g} of the requests are rejected; the client retries them (up to {} times a "
            "request) and ends the session when a request runs out of retries: the nodes are "
            "not offered exactly λ",
            p.blocking, w.max_retries));
    // A request whose own CPU demand outlasts the timeout times out at any load: the mean of
    // the successful requests leaves it out, and each retry (the same demand) times out again.
    p.timeout_tail = analytic::tail_probability(w.service_time, w.timeout);
    p.timeout_share = analytic::tail_mean_share(w.service_time, w.timeout);
    if (p.timeout_tail > kTimeoutTail || p.timeout_share > kTimeoutTail)
        p.approximate.push_back(fmt::format(
            "P(CPU > timeout {:g} s) = {:.3g}% of the requests, carrying {:.3g}% of E[CPU] "
            "({} CPU): they time out at any load ({}), so the successful requests' mean "
            "latency is below the one above and their count below λ",
            w.timeout, 100 * p.timeout_tail, 100 * p.timeout_share, to_string(w.service_time.kind),
            w.max_retries > 0
                ? fmt::format("each retried {} times with the same demand, so the nodes do up to "
                              "{:.3g}% more CPU work than λE[CPU]",
                              w.max_retries, 100 * w.max_retries * p.timeout_share)
                : std::string("not retried")));
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

// replace_failed: false. Each node (a crew per node) is an independent alternating renewal
// process: up for mtbf from its repair, then down for mttr. The checks detect a crash after
// D ~ U((u - 1) I, u I] (a probe at a uniform phase); until then the dead node still counts as
// healthy. A node they marked (D < mttr, or unhealthy already when it crashed) is routed only
// after (h - 1/2) I of passing checks from its repair, unless no target is healthy: the balancer
// then fails open and routes to every target, so it serves at once. The long-run shares of a
// node's phases, and from their product over the independent nodes, E[serving] and
// P(some node serves) = 1 - P(none up) + P(none up, none healthy, one admitting).
void repair_in_place(const Architecture &a, NodesUpPrediction &r) {
    const auto &lb = a.load_balancer;
    const auto &mttr = a.failures.nodes.mttr;
    const double interval = lb.health_interval, m = mttr.expected(), up = r.mtbf;
    const double lo = (lb.unhealthy_threshold - 1) * interval, hi = lo + interval;
    const double admit = (lb.healthy_threshold - 0.5) * interval;
    double marked = 0, unseen = 0; // P(D < R), E[min(D, R)]: the dead node still "healthy"
    if (mttr.kind == Distribution::Kind::exponential && m > 0) {
        marked = m / interval * (std::exp(-lo / m) - std::exp(-hi / m)); // E[e^(-D/m)]
        unseen = m * (1 - marked);
    } else {
        marked = std::clamp((m - lo) / interval, 0.0, 1.0); // P(D < m)
        unseen = m <= lo   ? m
                 : m >= hi ? (lo + hi) / 2
                           : (m - lo) / interval * (lo + m) / 2 + (hi - m) / interval * m;
        if (mttr.kind != Distribution::Kind::constant && marked > 0 && marked < 1)
            r.approximate.push_back(fmt::format(
                "P(the health check marks a node before its repair) = {:.4f} taken at the {} "
                "mttr's mean",
                marked, to_string(mttr.kind)));
    }
    // A node crashes before its checks pass w.p. s (exponential up time); it is then unhealthy
    // when it dies, and its next repair needs the checks again. q = P(healthy at a crash)
    // solves q = 1 - s (1 - q (1 - marked)).
    const bool fails = std::isfinite(up) && up > 0;
    const double s = fails ? -std::expm1(-admit / up) : 0;
    const double denominator = 1 - s * (1 - marked);
    const double q = denominator > 0 ? (1 - s) / denominator : 0;
    const double checks = 1 - q * (1 - marked); // P(a repair waits for the checks)
    const double cycle = up + m;
    const double admitting = fails ? checks * up * s / cycle : 0; // E[min(admit, U)] = up s
    const double serving = fails ? up / cycle - admitting : 1;
    const double undetected = fails ? q * unseen / cycle : 0;
    const double detected = fails ? m / cycle - undetected : 0;
    const int n = r.nodes;
    const double unhealthy = detected + admitting; // down and known, or up and not yet admitted
    r.mean_up = n * serving + n * admitting * std::pow(unhealthy, n - 1); // failing open
    r.availability = std::clamp(
        1 - (std::pow(1 - serving, n) - std::pow(unhealthy, n) + std::pow(detected, n)), 0.0, 1.0);
    r.down = m;
    r.down_why =
        marked > 0
            ? fmt::format("repair: mttr {:g} s; the checks mark {:.4f} of the crashed nodes first "
                          "(or a node that dies before they pass), which serve ({} - 1/2) x {:g} "
                          "s after their repair, or at once when no target is healthy (the "
                          "balancer fails open): {:.4f} of a node's time waiting for them",
                          m, marked, lb.healthy_threshold, interval, admitting)
            : fmt::format("repair: mttr {:g} s (back before the health check marks it)", m);
}

} // namespace

NodesUpPrediction predict_nodes_up(const Architecture &a) {
    NodesUpPrediction r;
    const auto &f = a.failures;
    if (!f.nodes.enabled) return r;
    r.applies = true;
    r.nodes = a.cluster.nodes;
    r.mtbf = f.nodes.mtbf.expected();
    const auto &lb = a.load_balancer;
    const double interval = lb.health_interval;
    if (f.replace_failed) {
        r.model = fmt::format("n = {} independent slots, each a node up for mtbf from its boot, "
                              "then detected and replaced, with its health-check phases",
                              r.nodes);
        const double boot = a.cluster.boot_time.expected();
        const auto rn =
            analytic::replaced_nodes(r.nodes, r.mtbf, boot, interval, lb.unhealthy_threshold);
        r.down = rn.down;
        // A probe comes at a uniform phase: the unhealthy_threshold-th failing probe after a
        // crash comes (threshold - 1/2) intervals later on average; a booted replacement is
        // routed to after its first passing probe (1/2 interval), or at once while no target
        // is healthy (fail-open), so that wait is not in `down`.
        r.down_why = fmt::format(
            "replacement: detection ({} - 1/2) x {:g} s + boot {:g} s; it is then routed to "
            "after its first health check (1/2 x {:g} s), or at once when no target is healthy "
            "(the balancer fails open), while a dead node the checks have not marked still "
            "counts as healthy (it keeps the balancer from failing open)",
            lb.unhealthy_threshold, interval, boot, interval);
        r.mean_up = rn.mean_serving;
        r.availability = rn.availability;
    } else {
        r.model = fmt::format("n = {} nodes repaired in place, each an independent up/down "
                              "renewal with its health-check phases",
                              r.nodes);
        repair_in_place(a, r);
    }
    // A node warms for warmup_period from its first routed request with the workers the
    // simulator gives it (Node::capacity): floor(c x warmup_capacity), at least 1, of c. Each
    // serving period begins with a warm-up and ends with a crash at rate 1/mtbf (exponential
    // up time: its residual is exponential too), so serving periods start at rate
    // mean_up / mtbf and warm for E[min(warmup_period, L)] = mtbf (1 - e^(-warmup_period/mtbf))
    // each, a node dying while still warming included.
    const int workers = std::max(a.cluster.workers, 1);
    const double share = std::clamp(a.cluster.warmup_capacity, 0.0, 1.0);
    r.warm_workers = warming_workers(workers, share); // share <= 1: at most `workers`
    r.warm_share = r.warm_workers / static_cast<double>(workers);
    const double warm =
        std::isfinite(r.mtbf) && r.mtbf > 0 && a.cluster.warmup_period > 0
            ? r.mean_up * (1 - r.warm_share) * -std::expm1(-a.cluster.warmup_period / r.mtbf)
            : 0.0;
    r.serving_mean = std::max(0.0, r.mean_up - warm);
    if (f.nodes.mtbf.kind != Distribution::Kind::exponential)
        r.approximate.push_back(fmt::format(
            "needs exponential mtbf: the {} mtbf is taken by its mean {:g} s (long-run time "
            "averages still depend on the means only; the start, all nodes new, does not)",
            to_string(f.nodes.mtbf.kind), r.mtbf));
    if (f.zones.enabled)
        r.approximate.push_back("zone failures (failures.zones) are not in this model");
    if (f.deployments.enabled)
        r.approximate.push_back("rolling deployments (failures.deployments) are not in this model");
    if (const EventKinds events = event_kinds(a); !events.fleet.empty())
        r.approximate.push_back(
            fmt::format("failures.events ({}) are not in this model", events.fleet));
    if (a.autoscaling.enabled)
        r.approximate.push_back(
            fmt::format("n = cluster.nodes = {}; autoscaling changes the fleet", r.nodes));
    return r;
}

CrashLossPrediction predict_crash_loss(const Architecture &a) {
    CrashLossPrediction r;
    const auto &f = a.failures.nodes;
    const auto &w = a.workload;
    if (!f.enabled) {
        r.not_applicable = "no node failures (failures.nodes)";
        return r;
    }
    if (a.state.location != StateLocation::local) {
        r.fraction = 0;
        r.why = fmt::format("state.location {}: a crash holds no session state",
                            to_string(a.state.location));
        return r;
    }
    if (!a.load_balancer.sticky && a.cluster.nodes > 1) {
        r.not_applicable = "does not apply: local state without sticky sessions (routing "
                           "losses, above, mix with crash losses)";
        return r;
    }
    const double think = w.think_time.expected(), mttf = f.mtbf.expected();
    const auto &k = w.requests;
    const std::string tm = fmt::format("t = {:g} s think time, M = {:g} s mtbf", think, mttf);
    if (k.kind == Distribution::Kind::geometric) {
        r.fraction = analytic::sticky_loss_probability_geometric(k.mean, think, mttf);
        r.why = fmt::format("(m - 1) t / (m t + M), m = {:g} requests (geometric), {}",
                            std::max(1.0, k.mean), tm);
    } else if (k.kind == Distribution::Kind::constant) {
        const int n = static_cast<int>(std::max(1.0, std::floor(k.mean)));
        r.fraction = analytic::sticky_loss_probability(n, think, mttf);
        r.why = fmt::format("1 - (1 + t/M)^-(k-1), k = {} requests, {}", n, tm);
    } else if (k.kind == Distribution::Kind::empirical) {
        r.fraction = 1 - analytic::every_later_request(k, mttf / (mttf + think));
        r.why = fmt::format("1 - E[(1 + t/M)^-(k-1)] over the empirical k, {}", tm);
    } else {
        r.not_applicable = fmt::format("does not apply: requests per session from a {} "
                                       "distribution (needs geometric, constant or empirical)",
                                       to_string(k.kind));
        return r;
    }
    if (f.mtbf.kind != Distribution::Kind::exponential)
        r.approximate.push_back(fmt::format(
            "approximation: the formula needs exponential mtbf (a node's age would matter); the {} "
            "mtbf is taken by its mean",
            to_string(f.mtbf.kind)));
    if (w.think_time.kind != Distribution::Kind::exponential)
        r.approximate.push_back(fmt::format("approximation: the formula needs exponential think "
                                            "times; the {} think time is taken by its mean",
                                            to_string(w.think_time.kind)));
    if (a.cluster.nodes > 1) {
        const SameNode same = same_node(a);
        if (!(same.p >= 1))
            r.approximate.push_back(
                "sticky cookies expire between requests: routing losses (above) add to these");
    }
    return r;
}

namespace {

// ceil(x), the autoscaler's (a relative 1e-12 keeps roundoff on an exact ratio from adding a
// node).
int ceil_nodes(double x) {
    return analytic::target_tracking_nodes(x, 1, 1, 1);
}

// The count target tracking reaches from `start` (Autoscaler::target_tracking's rule) when a
// node's metric is min(load / N, cap): a node cannot serve more than c/E[S] requests/s nor be
// busier than 1. Datapoint noise and warm-up are left out.
int saturated_count(const AutoscalingSpec &s, double load, double cap, int start) {
    int n = std::clamp(start, s.min, s.max);
    for (int i = 0; i < 10000; ++i) {
        const double metric = std::min(load / n, cap), ratio = n * metric / s.target;
        int next = n;
        if (metric > s.target)
            next = std::max(n, ceil_nodes(ratio));
        else if (metric < s.in_threshold * s.target)
            next = std::min(n, ceil_nodes(ratio));
        next = std::clamp(next, s.min, s.max);
        if (next == n) break;
        n = next;
    }
    return n;
}

// Poisson load: one datapoint is the fleet's average over one evaluation period T, whose work
// (cpu) or request count (requests_per_node) is Poisson: relative sd sqrt((1 + cv²)/(λT)) or
// 1/sqrt(λT). Within 3 sd of the scale-out threshold (target) or the scale-in one
// (in_threshold x target) at the predicted count, runs of noisy datapoints move the fleet.
void check_noise(const Architecture &a, AutoscalingPrediction &r, double load, double cap) {
    const auto &s = a.autoscaling;
    if (a.workload.arrival.kind != ArrivalProcess::Kind::poisson || r.nodes <= 0) return;
    const bool cpu = s.metric == AutoscalingSpec::Metric::cpu;
    const Prediction p = predict(a);
    const double cv2 = p.mixed_mean > 0 ? p.mixed_variance / (p.mixed_mean * p.mixed_mean) : 0;
    const double count = r.request_rate * s.evaluation_period;
    if (!(count > 0)) return;
    const double metric = std::min(load / r.nodes, cap);
    const double sd = metric * std::sqrt((cpu ? 1 + cv2 : 1.0) / count);
    const double out = (s.target - metric) / sd, in = (metric - s.in_threshold * s.target) / sd;
    if (!std::isfinite(sd) || std::min(out, in) >= 3) return;
    const bool up = out < in;
    // At max (min) the count cannot go up (down): that threshold moves nothing.
    if ((up && r.nodes >= std::max(s.min, s.max)) || (!up && r.nodes <= s.min)) return;
    r.approximate.push_back(fmt::format(
        "datapoint noise: at {} nodes the metric averages {:.4g} ({:.2f}% of the target) and one "
        "datapoint ({:g} s of Poisson {}) has sd {:.3g}, {:.2g} sd from the scale-{} threshold "
        "{:.4g}: runs of datapoints beyond it move the count {} (the simulated mean lies {})",
        r.nodes, metric, 100 * metric / s.target, s.evaluation_period, cpu ? "work" : "requests",
        sd, up ? out : in, up ? "out" : "in", up ? s.target : s.in_threshold * s.target,
        up ? "up, then back" : "down, then back", up ? "above" : "below"));
}

// A target a node's metric cannot exceed (requests_per_node at or above c/E[S], cpu at 100 %)
// never triggers a scale-out: the count is where the rule stops from cluster.nodes. And a count
// at which rho >= 1 (clamped to max, or that unreachable target) is saturated: said.
void check_reachable(const Architecture &a, AutoscalingPrediction &r) {
    const auto &s = a.autoscaling;
    const int c = a.cluster.workers;
    if (!(r.service_mean > 0)) return;
    const bool cpu = s.metric == AutoscalingSpec::Metric::cpu;
    const double cap = cpu ? 1.0 : c / r.service_mean;
    const double load = cpu ? r.request_rate * r.service_mean / c : r.request_rate;
    if (s.target >= cap) {
        r.nodes = saturated_count(s, load, cap, a.cluster.nodes);
        // Never a scale-out: a varying load moves the count between its low and the start.
        const int start = std::clamp(a.cluster.nodes, s.min, std::max(s.min, s.max));
        if (r.high > start) r.high = start;
        if (r.low > r.high) r.low = r.high;
        r.unreachable =
            cpu ? fmt::format("target {:g} is the most a node can be busy: the metric never "
                              "exceeds it",
                              s.target)
                : fmt::format("target {:g}/s is at or above what a node can complete, c/E[S] = "
                              "{:.4g}/s: the metric never exceeds it",
                              s.target, cap);
    }
    if (r.unreachable.empty() && r.note.empty()) check_noise(a, r, load, cap);
    r.utilization = r.request_rate * r.service_mean / (r.nodes * c);
    if (r.utilization >= 1)
        r.approximate.push_back(fmt::format(
            "at {} nodes ρ = λE[S]/(N·c) = {:.4f} >= 1: the nodes are saturated (queues fill and "
            "reject)",
            r.nodes, r.utilization));
}

} // namespace

AutoscalingPrediction predict_autoscaling(const Architecture &a) {
    AutoscalingPrediction r;
    const auto &s = a.autoscaling;
    if (!s.enabled) return r;
    r.applies = true;
    if (s.policy != AutoscalingSpec::Policy::target_tracking) {
        r.not_applicable = "not predicted: only target tracking has a steady node count here";
        return r;
    }
    if (s.metric == AutoscalingSpec::Metric::in_flight_per_node) {
        r.not_applicable = "not predicted: target tracking on in_flight_per_node (requests in "
                           "flight depend on the queueing at each count)";
        return r;
    }
    const bool cpu = s.metric == AutoscalingSpec::Metric::cpu;
    // lambda and E[S] at session rate `rate` (Poisson), as predict() derives them.
    std::string why;
    const auto count = [&](double rate, double *lambda, double *es) {
        Architecture b = a;
        b.workload.arrival = ArrivalProcess{};
        b.workload.arrival.kind = ArrivalProcess::Kind::poisson;
        b.workload.arrival.rate = rate;
        const Prediction p = predict(b);
        if (p.requests_per_session <= 0) {
            why = p.no_closed_form;
            return -1;
        }
        // Every request a node serves counts, workflow steps (and 413s) included.
        if (lambda) *lambda = p.mixed_rate;
        if (es) *es = p.mixed_mean;
        return cpu ? analytic::target_tracking_nodes(p.mixed_rate, p.mixed_mean, a.cluster.workers,
                                                     s.target, s.min, s.max)
                   : analytic::target_tracking_nodes(p.mixed_rate, 1.0, 1, s.target, s.min, s.max);
    };
    const auto &arr = a.workload.arrival;
    double mean_rate = arr.rate, low = NAN, high = NAN;
    switch (arr.kind) {
    case ArrivalProcess::Kind::poisson:
        break;
    case ArrivalProcess::Kind::diurnal:
        low = arr.rate * std::max(0.0, 1 - arr.amplitude);
        high = arr.rate * (1 + arr.amplitude);
        r.note = "no steady state (diurnal arrivals): the count at the mean rate; the fleet "
                 "follows the load, as far as scaling keeps up, between the counts at the trough "
                 "and the peak";
        break;
    case ArrivalProcess::Kind::profile: {
        double area = 0;
        low = INFINITY;
        high = 0;
        for (std::size_t i = 0; i < arr.points.size(); ++i) {
            low = std::min(low, arr.points[i].second);
            high = std::max(high, arr.points[i].second);
            if (i > 0)
                area += (arr.points[i].first - arr.points[i - 1].first) *
                        (arr.points[i].second + arr.points[i - 1].second) / 2;
        }
        const double span =
            arr.points.size() > 1 ? arr.points.back().first - arr.points[0].first : 0;
        mean_rate = span > 0 ? area / span : (arr.points.empty() ? 0 : arr.points[0].second);
        r.note = "no steady state (profile arrivals): the count at the profile's time-average "
                 "rate; the fleet follows the load, as far as scaling keeps up, between the counts "
                 "at its lowest and highest rates";
        break;
    }
    case ArrivalProcess::Kind::trace: {
        const auto &t = arr.trace;
        const double span = t && t->size() > 1 ? t->back() - t->front() : 0;
        mean_rate = span > 0 ? static_cast<double>(t->size() - 1) / span : 0;
        r.note = "no steady state (trace arrivals): the count at the trace's mean rate";
        break;
    }
    }
    r.nodes = count(mean_rate, &r.request_rate, &r.service_mean);
    if (r.nodes < 0) {
        r.not_applicable = "not predicted: no request rate or E[S]: " + why;
        return r;
    }
    if (!std::isnan(low)) {
        r.low = count(low, nullptr, nullptr);
        r.high = count(high, nullptr, nullptr);
    }
    check_reachable(a, r);
    return r;
}

namespace {

// The simulated counterpart of a prediction (analyze --simulate): the mean +- 95% CI half-width
// (Student t over replications) of one summary.csv metric for one (point, architecture).
class Simulated {
  public:
    Simulated(const RunMetrics *m, std::size_t point, std::size_t arch)
        : m_(m), point_(point), arch_(arch) {}
    explicit operator bool() const { return m_ != nullptr; }
    // "      simulated: <mean> ± <ci> <unit> = <label>\n"; `scale` multiplies the metric
    // (e.g. 1/100 for a percentage compared with a fraction); "" without a simulation.
    std::string line(const std::string &metric, double scale, int decimals,
                     const std::string &label, const std::string &unit = "") const {
        if (!m_) return "";
        const auto &all = metrics();
        std::size_t index = all.size();
        for (std::size_t i = 0; i < all.size(); ++i)
            if (all[i].name == metric) index = i;
        if (index == all.size()) return "";
        std::vector<double> v = m_->values(point_, arch_, index);
        for (double &x : v)
            x *= scale;
        if (v.empty()) return "      simulated: no finished run\n";
        // A run with no value (no request succeeded): blank in the CSVs, n/a in the table.
        if (std::any_of(v.begin(), v.end(), [](double x) { return std::isnan(x); }))
            return fmt::format("      simulated: n/a (a run has no value) = {}\n", label);
        const Estimate e = estimate(v);
        if (e.n < 2) // one run: no CI (the unit goes with the mean: not "± n/a/s")
            return fmt::format("      simulated: {:.{}f}{} ± n/a = {}\n", e.mean, decimals, unit,
                               label);
        return fmt::format("      simulated: {:.{}f} ± {:.{}f}{} = {}\n", e.mean, decimals,
                           e.half_width, decimals, unit, label);
    }

  private:
    const RunMetrics *m_;
    std::size_t point_, arch_;
};

// The run a prediction is compared with: warm-up, then the measured duration (s).
struct Window {
    double warmup = 0, duration = 0;
};

std::string queueing_text(const Architecture &a, const Simulated &sim, const Window &window) {
    Prediction p = predict(a);
    std::string out;
    if (p.request_rate == 0 && !p.no_closed_form.empty())
        return "  no closed form: " + p.no_closed_form + "\n";
    const int n = a.cluster.nodes, c = a.cluster.workers;
    out += fmt::format("  request rate λ = {:.4g}/s ({:.4g} sessions/s x {:.4g} requests)\n",
                       p.request_rate, p.session_rate, p.requests_per_session);
    // M/M/c/K: the nodes admit λ(1 − B); throughput, utilization and L are compared with that.
    // rho >= 1 with a queue that does not fill within the run: no steady state to print.
    const double run = window.warmup + window.duration;
    const bool unstable = p.fill_time >= run;
    const bool blocks = p.blocking > kNegligibleBlocking && !unstable;
    if (blocks)
        out += fmt::format("  carried (admitted) rate λ(1 − B) = {:.4g}/s (blocking B = {:.4g})\n",
                           p.carried_rate, p.blocking);
    if (p.rejected > 0)
        out += fmt::format("  token overflow rejects r = {:.4g} of them (413, {:.4g}/s; each holds "
                           "a worker for the verification only): served {} = {:.4g}/s\n",
                           p.rejected, p.carried_rate * p.rejected,
                           blocks ? "λ(1 − B)(1 − r)" : "λ(1 − r)", p.served_rate);
    out += sim.line("throughput_rps", 1, 4, "throughput_rps (successful requests/s)", "/s");
    std::string parts;
    const auto add = [&parts](const std::string &s) { parts += (parts.empty() ? "" : " + ") + s; };
    if (p.p_store_read > 0)
        add(fmt::format("store read {:.4f} ms x {:.4f}", 1e3 * p.read_round_trip, p.p_store_read));
    add(p.rejected > 0 ? fmt::format("CPU {:.4f} ms x (1 − r)", 1e3 * p.cpu)
                       : fmt::format("CPU {:.4f} ms", 1e3 * p.cpu));
    if (p.verify > 0) add(fmt::format("verify {:.4f} ms", 1e3 * p.verify));
    if (p.p_store_write > 0)
        add(fmt::format("store write {:.4f} ms x {:.4f}", 1e3 * p.write_round_trip,
                        p.p_store_write));
    // A worker time of 0 (no service, no store) has no coefficient of variation.
    const std::string cv2 =
        p.service_mean > 0
            ? fmt::format("{:.4f}", p.service_variance / (p.service_mean * p.service_mean))
            : std::string("n/a");
    out += fmt::format("  worker time E[S] = {:.4f} ms ({}), cv² = {}\n", 1e3 * p.service_mean,
                       parts, cv2);
    // Workflow steps load the same workers: ρ, the wait and L are those of the mix.
    const bool mix = p.workflow_rate > 0;
    if (mix)
        out += fmt::format(
            "  workflow steps λ_w = {:.4g}/s ({:.4g} workflows/s x {} steps) of {:.4f} ms each on "
            "the same workers: the nodes serve λ + λ_w = {:.4g}/s of E[S] = {:.4f} ms, cv² = "
            "{:.4f}; a session request waits as long as any, then takes its own E[S]\n",
            p.workflow_rate, a.workflows.arrival.rate, a.workflows.steps, 1e3 * p.workflow_step,
            p.mixed_rate, 1e3 * p.mixed_mean,
            p.mixed_mean > 0 ? p.mixed_variance / (p.mixed_mean * p.mixed_mean) : 0.0);
    const std::string all = mix ? "(λ + λ_w)" : "λ";
    if (a.state.location == StateLocation::store) {
        const auto &st = a.state.store;
        if (p.store_units) {
            const bool on_demand = st.capacity_mode == StoreSpec::CapacityMode::on_demand;
            const std::string grows =
                on_demand ? " at first, growing to twice the previous peak" : " provisioned";
            out += fmt::format(
                "  store ({} capacity) offered {:.4g} read units/s ({:.4g} per read) against "
                "{:.4g}/s{}; {:.4g} write units/s ({:.4g} per write) against {:.4g}/s\n",
                to_string(st.capacity_mode), p.read_units_rate, p.units_per_read, st.read_units,
                grows, p.write_units_rate, p.units_per_write, st.write_units);
        } else {
            out += fmt::format("  store operations {:.4g}/s offered (capacity {:.4g}/s)\n",
                               p.store_ops_rate, st.capacity);
        }
    }
    if (blocks)
        out += fmt::format("  utilization ρ(1 − B) = {}(1 − B)E[S]/(N·c) = {:.4f} (carried; "
                           "offered ρ = {:.4f}, N={}, c={})\n",
                           all, p.utilization * (1 - p.blocking), p.utilization, n, c);
    else
        out += fmt::format("  utilization ρ = {}E[S]/(N·c) = {:.4f} (N={}, c={})\n", all,
                           p.utilization, n, c);
    out += sim.line("utilization", 1, 4, "utilization (busy / available worker time)");
    if (p.busiest_utilization > p.utilization * (1 + 1e-9))
        out += fmt::format("  busiest node ρ = {:.4f} (consistent_hash ring share {:.4f})\n",
                           p.busiest_utilization, p.busiest_utilization / p.utilization / n);
    if (p.fill_time > 0) {
        const std::string fill = fmt::format(
            "ρ >= 1, and a queue fills from empty in queue_limit / (λ_node − c/E[S]) = {:.4g} s",
            p.fill_time);
        if (unstable) {
            out += fmt::format("  unstable over this run: {}, longer than the run ({:g} s with "
                               "the warm-up): queues grow through it\n",
                               fill, run);
            // The caveats on the fleet still hold; the timeout one came from the steady state.
            for (const auto &s : p.approximate)
                if (!s.starts_with("the mean latency is")) out += "  approximate: " + s + "\n";
            return out;
        }
        if (p.fill_time > window.warmup)
            p.approximate.push_back(fmt::format("{}, longer than the warm-up ({:g} s): the "
                                                "measured window starts with queues filling",
                                                fill, window.warmup));
    }
    if (!p.no_closed_form.empty()) return out + "  no closed form: " + p.no_closed_form + "\n";
    const std::string label = p.mgc_approximation ? " (M/G/c approximation)" : "";
    std::string model = p.model;
    if (p.erlang_phases > 0)
        model += fmt::format(": GI/M/1, σ = P(wait) = {:.4f}, the root in (0, 1) of σ = (λ/(λ + "
                             "μ(1 − σ)))^{}, μ = 1/E[S]; W = E[S]/(1 − σ)",
                             p.p_wait, p.erlang_phases);
    else if (p.p_wait >= 0)
        model += fmt::format(" (Erlang C, P(wait) = {:.4f})", p.p_wait);
    if (p.finite_queue) model += fmt::format(", blocking {:.4g}", p.blocking);
    if (p.mgc_approximation) model += ": Allen-Cunneen, W_q ≈ W_q(M/M/c)·(1 + cv²)/2";
    out += fmt::format("  model: {}{}\n", model, label);
    const std::string token =
        a.state.location == StateLocation::client
            ? fmt::format(" + token {:.4f} ms for {:.0f} B", 1e3 * p.token_transfer, p.token_bytes)
            : "";
    const std::string cut = p.timeout_tail > kTimeoutTail || p.timeout_share > kTimeoutTail
                                ? " (approximate: requests that outlast the timeout, below)"
                                : "";
    out += fmt::format("  mean latency = {:.4f} ms (node {:.4f} ms + 4 hops {:.4f} ms{}){}{}\n",
                       1e3 * p.latency, 1e3 * p.node_response, 1e3 * p.hops, token, label, cut);
    out += sim.line("latency_mean_ms", 1, 4, "latency_mean_ms (successful requests)", " ms");
    // With 413s W here is every admitted request's, the rejected ones' shorter stay included.
    const std::string every = p.rejected > 0 ? " (W of every request, 413s included)" : "";
    const std::string of_mix = mix ? " (W of every request, workflow steps included)" : every;
    if (blocks)
        out += fmt::format(
            "  Little: mean requests at nodes L = {}(1 − B)W = {:.4f} (carried rate){}{}\n", all,
            p.in_system, of_mix, label);
    else
        out += fmt::format("  Little: mean requests at nodes L = {}W = {:.4f}{}{}\n", all,
                           p.in_system, of_mix, label);
    out += sim.line("requests_in_system_mean", 1, 4,
                    "requests_in_system_mean (time-average requests at nodes)");
    if (p.lost_sessions >= 0) {
        out += fmt::format("  lost sessions ({}) = {:.4f}%\n", p.lost_why, 100 * p.lost_sessions);
        out += sim.line("lost_session_pct", 1, 4, "lost_session_pct (every cause)", "%");
    }
    if (p.token_overflow >= 0)
        out += fmt::format("  sessions whose token outgrows max_bytes = {:.4f}%\n",
                           100 * p.token_overflow);
    for (const auto &s : p.approximate)
        out += "  approximate: " + s + "\n";
    return out;
}

std::string failures_text(const Architecture &a, const Simulated &sim) {
    std::string out;
    const NodesUpPrediction up = predict_nodes_up(a);
    if (up.applies) {
        out += fmt::format("  nodes up (failures.nodes: {}):\n    mtbf {:g} s; down {:g} s = {}\n",
                           up.model, up.mtbf, up.down, up.down_why);
        const int c = a.cluster.workers;
        out +=
            fmt::format("    mean nodes up = {:.4f}; serving = {:.4f} (a returning node counted "
                        "at {:.4g}, its floor({} x warmup_capacity {:g}) = {} of {} workers, for "
                        "warmup_period {:g} s from its first request (taken as when it is first "
                        "routed to), or until it dies)\n",
                        up.mean_up, up.serving_mean, up.warm_share, c, a.cluster.warmup_capacity,
                        up.warm_workers, c, a.cluster.warmup_period);
        out += sim.line("nodes_mean", 1, 4,
                        "nodes_mean (time-average serving nodes, a warming node counted at its "
                        "share of workers: compare with `serving`)");
        out += fmt::format("    availability P(at least one node up) = {:.6f}\n", up.availability);
        out += sim.line("availability", 1, 6,
                        "availability (time share with at least one serving node)");
        if (a.failures.replace_failed)
            out += "    approximate: long-run time averages (the run starts with every node up, "
                   "healthy and warm)\n";
        for (const auto &s : up.approximate)
            out += "    approximate: " + s + "\n";
    }
    const CrashLossPrediction loss = predict_crash_loss(a);
    if (a.failures.nodes.enabled) {
        if (loss.fraction >= 0) {
            out += fmt::format("  sessions lost to node crashes = {:.6f} ({:.4f}%)\n    {}\n",
                               loss.fraction, 100 * loss.fraction, loss.why);
            out += sim.line("lost_session_pct", 0.01, 6,
                            "lost_session_pct/100 (lost sessions of every cause / ended)");
            for (const auto &s : loss.approximate)
                out += "    " + s + "\n";
        } else {
            out += "  sessions lost to node crashes: " + loss.not_applicable + "\n";
        }
    }
    const AutoscalingPrediction as = predict_autoscaling(a);
    if (as.applies) {
        const auto &s = a.autoscaling;
        if (as.nodes < 0) {
            out += "  autoscaling: " + as.not_applicable + "\n";
        } else {
            const bool cpu = s.metric == AutoscalingSpec::Metric::cpu;
            const std::string formula =
                cpu ? fmt::format(
                          "ceil(λE[S]/(c·target)) = ceil({:.4g}/s x {:.4f} ms / ({} x "
                          "{:g})) = ceil({:.4f})",
                          as.request_rate, 1e3 * as.service_mean, a.cluster.workers, s.target,
                          as.request_rate * as.service_mean / (a.cluster.workers * s.target))
                    : fmt::format("ceil(λ/target) = ceil({:.4g}/s / {:g}) = ceil({:.4f})",
                                  as.request_rate, s.target, as.request_rate / s.target);
            const char *metric = cpu ? "cpu" : "requests_per_node";
            if (as.unreachable.empty())
                out += fmt::format("  autoscaling (target tracking on {}): steady at {} nodes = "
                                   "{}, clamped to [{}, {}]\n",
                                   metric, as.nodes, formula, s.min, s.max);
            else {
                const int reachable = analytic::target_tracking_nodes(
                    cpu ? as.request_rate * as.service_mean : as.request_rate, 1,
                    cpu ? a.cluster.workers : 1, s.target);
                const std::string instead =
                    reachable == as.nodes ? "" : fmt::format(" (not {} = {})", reachable, formula);
                out += fmt::format("  autoscaling (target tracking on {}): {}, so no scale-out; "
                                   "from the initial {} nodes the rule settles at {}{}, clamped to "
                                   "[{}, {}]\n",
                                   metric, as.unreachable, a.cluster.nodes, as.nodes, instead,
                                   s.min, s.max);
            }
            for (const auto &c : as.approximate)
                out += "    approximate: " + c + "\n";
            if (!as.note.empty()) {
                out += "    approximate: " + as.note;
                if (as.low >= 0) out += fmt::format(" ({} to {} nodes)", as.low, as.high);
                out += "\n";
            }
            out += sim.line("nodes_mean", 1, 4,
                            fmt::format("nodes_mean (from the initial {} nodes; a warming node "
                                        "counted at its share of workers)",
                                        a.cluster.nodes));
        }
    }
    return out;
}

// workflows: what the orchestration loses to node crashes, where a closed form applies.
std::string workflows_text(const Architecture &a, const Simulated &sim, double window_s) {
    const WorkflowSpec &w = a.workflows;
    if (!w.enabled) return "";
    std::string out =
        fmt::format("  workflows ({} steps, {}):\n", w.steps,
                    w.orchestration == WorkflowSpec::Orchestration::orchestrator ? "orchestrator"
                                                                                 : "in_memory");
    // After the window no fault fires and no cost is counted while its workflows are followed
    // to their end: those started late are exposed (and billed) for less than a whole
    // workflow, so a short window reads low, whatever the orchestration and the faults.
    const double length = (w.steps - 1) * w.wait.expected() + w.steps * w.step_time.expected();
    const auto readable = [](double s) {
        return s >= 3600 ? fmt::format("{:.3g} h", s / 3600)
               : s >= 60 ? fmt::format("{:.3g} min", s / 60)
                         : fmt::format("{:.3g} s", s);
    };
    if (length > 0.05 * window_s)
        out += fmt::format("    note: a workflow lasts {} on average, {:.0f} % of the {} window; "
                           "faults stop and costs are no longer counted at the window's end "
                           "while its workflows are followed, so the simulated losses and "
                           "transitions per workflow read low (use a window of many workflow "
                           "lengths)\n",
                           readable(length), 100 * length / window_s, readable(window_s));
    if (w.orchestration == WorkflowSpec::Orchestration::orchestrator) {
        out += fmt::format("    lost to node faults: 0 (every transition persisted, a failed "
                           "step retried elsewhere); {} transitions per workflow without "
                           "retries, {:.4g} USD each\n",
                           w.steps, a.costs.state_transition);
        return out + sim.line("workflows_lost", 1, 4, "workflows_lost");
    }
    const auto &f = a.failures;
    const bool exponential = f.nodes.enabled &&
                             f.nodes.mtbf.kind == Distribution::Kind::exponential &&
                             w.wait.kind == Distribution::Kind::exponential;
    if (a.cluster.runtime == Runtime::serverless || !exponential || f.deployments.enabled ||
        !f.events.empty() || a.autoscaling.enabled || f.zones.enabled) {
        return out + "    no closed form: the in-memory loss has one for exponential node "
                     "failures and exponential waits on servers, without deployments, zone "
                     "failures, scheduled events or autoscaling\n";
    }
    const double mtbf = f.nodes.mtbf.expected(), wait = w.wait.expected();
    const double lost = analytic::sticky_loss_probability(w.steps, wait, mtbf);
    out += fmt::format("    lost to node crashes = 1 - (1 + E[wait]/MTBF)^-(steps-1) = 1 - (1 + "
                       "{:g}/{:g})^-{} = {:.6f} of ended workflows (the progress waits on one "
                       "node; step times ignored)\n",
                       wait, mtbf, w.steps - 1, lost);
    return out + sim.line("workflows_lost_pct", 0.01, 6,
                          "workflows_lost_pct/100 (lost / ended workflows, every cause)");
}

// cluster.runtime: serverless. The closed forms of SPEC §5's function model, each with the
// condition under which it holds. There is no fleet: cluster.nodes, workers and the balancer are
// not used (predict() leaves them out).
std::string serverless_text(const Architecture &a, const Simulated &sim) {
    const Prediction p = predict(a);
    if (p.request_rate == 0)
        return "  no closed form: " +
               (p.no_closed_form.empty() ? std::string("no requests") : p.no_closed_form) + "\n";
    const ServerlessSpec &f = a.serverless;
    const double lambda = p.request_rate;
    // Time an invocation holds its environment: the worker time of the state location (its
    // store round trips). With local_cache the hit rate has no closed form: E[S] and each value
    // that depends on it run from every later request hitting (lo) to none (hi).
    const double s_hi = p.service_mean;
    const double s_lo = p.hit_unknown.empty() ? s_hi : p.service_mean_low;
    const auto range = [](double x, double y, const char *spec) {
        const std::string lo = fmt::format(fmt::runtime(spec), std::min(x, y));
        const std::string hi = fmt::format(fmt::runtime(spec), std::max(x, y));
        return lo == hi ? lo : lo + " to " + hi;
    };
    const double t = f.idle_timeout, cold = f.cold_start.expected();
    std::string out = fmt::format("  request rate λ = {:.4g}/s; time in the function E[S] = "
                                  "{} ms (without init); idle_timeout T = {:g} s\n",
                                  lambda, range(1e3 * s_lo, 1e3 * s_hi, "{:.4f}"), t);
    if (!p.hit_unknown.empty())
        out += fmt::format("  E[S] has no closed form: {}; it lies between {:.4f} ms (every "
                           "later request of a session finds its copy) and {:.4f} ms (none "
                           "does), and each value below that depends on it is given over that "
                           "range\n",
                           p.hit_unknown, 1e3 * s_lo, 1e3 * s_hi);
    if (p.lost_sessions < 0 && !p.lost_why.empty())
        out += "  lost sessions: no closed form (" + p.lost_why + ")\n";
    if (!p.no_closed_form.empty()) return out + "  no closed form: " + p.no_closed_form + "\n";
    struct At {
        double p_cold, held, blocking, admitted, per_hour;
    };
    const double gb = f.memory / (1024.0 * 1024 * 1024);
    const auto at = [&](double s) {
        At r{};
        if (f.provisioned > 0) {
            // A request finding every provisioned environment busy (Erlang B) goes on demand,
            // and starts cold unless an on-demand one is still warm from the overflow before.
            const int n = f.provisioned;
            const double spill = analytic::mmck(lambda, s, n, n).blocking;
            r.p_cold = spill * std::exp(-lambda * spill * (t + s));
        } else {
            r.p_cold = std::exp(-lambda * (t + s));
        }
        r.held = s + r.p_cold * cold;
        r.blocking =
            analytic::mmck(lambda, r.held, f.concurrency_limit, f.concurrency_limit).blocking;
        r.admitted = lambda * (1 - r.blocking);
        r.per_hour = 3600 * (r.admitted * (a.costs.lambda_request +
                                           (r.held + 0.0005) * gb * a.costs.lambda_gb_second) +
                             f.provisioned * gb * a.costs.lambda_provisioned_gb_second);
        return r;
    };
    const At lo = at(s_lo), hi = at(s_hi);
    out += fmt::format(
        "  cold starts: {} = {} of invocations ({}){}\n",
        f.provisioned > 0
            ? fmt::format("B·e^(-λB(T + E[S])), B = Erlang B(λE[S], {})", f.provisioned)
            : std::string("e^(-λ(T + E[S]))"),
        range(lo.p_cold, hi.p_cold, "{:.6f}"),
        f.provisioned > 0
            ? "provisioned environments: a request starts cold when all are busy and no "
              "on-demand environment is warm; approximate: the overflow comes in bursts, not "
              "as a Poisson stream as the second factor takes it"
            : "one environment reclaimed when no request comes "
              "within T of the last one ends",
        f.provisioned > 0 || lambda * (s_hi + cold) < 0.05
            ? ""
            : fmt::format("; approximate: holds for λ(E[S] + E[init]) ≪ 1, here "
                          "{}: requests that come during an init or a "
                          "service start cold too, and the environments they "
                          "add stay warm; either can dominate",
                          range(lambda * (s_lo + cold), lambda * (s_hi + cold), "{:.3g}")));
    out += sim.line("cold_start_pct", 0.01, 6, "cold_start_pct/100 (cold starts / invocations)");
    out += fmt::format("  throttled: Erlang B(λ(E[S] + P(cold)·E[init]) = {}, c = {}) = "
                       "{} (exact for cold_start 0 without retries, whatever the service "
                       "distribution; retried 429s add load; the scaling rate is ignored)\n",
                       range(lambda * lo.held, lambda * hi.held, "{:.4g}"), f.concurrency_limit,
                       range(lo.blocking, hi.blocking, "{:.6g}"));
    out += sim.line("throttled_pct", 0.01, 6,
                    "throttled_pct/100 (throttles / (invocations + throttles))");
    out += fmt::format("  busy environments (Little) = λ(1 − B)·(E[S] + P(cold)·E[init]) = {}\n",
                       range(lo.admitted * lo.held, hi.admitted * hi.held, "{:.4f}"));
    out += sim.line("environments_busy_mean", 1, 4, "environments_busy_mean");
    out += fmt::format("  function cost ≈ {} USD/hour = {} USD/month (requests, "
                       "GB-seconds with half a millisecond of rounding, provisioned; store "
                       "billed apart)\n",
                       range(lo.per_hour, hi.per_hour, "{:.4g}"),
                       range(lo.per_hour * 730, hi.per_hour * 730, "{:.4g}"));
    for (const auto &s : p.approximate)
        out += "  approximate: " + s + "\n";
    return out;
}

} // namespace

std::string analyze_scenario(const Scenario &sc, const RunMetrics *simulated) {
    std::string out;
    if (simulated)
        out += fmt::format(
            "simulated: {} replication(s) of {:g} s after a {:g} s warm-up (seed {}); under each "
            "prediction, the simulated mean ± 95% CI half-width (Student t; n/a from one "
            "replication) of the summary.csv metric it is compared with\n",
            sc.replications, sc.duration, sc.warmup, sc.seed);
    for (std::size_t p = 0; p < sc.points.size(); ++p)
        for (std::size_t i = 0; i < sc.points[p].architectures.size(); ++i) {
            const auto &a = sc.points[p].architectures[i];
            const Simulated sim(simulated, p, i);
            std::string where;
            for (const auto &[k, v] : sc.points[p].values)
                where += fmt::format("{}{}={}", where.empty() ? " (" : ", ", k, v);
            if (!where.empty()) where += ")";
            out += fmt::format("point {}{} / {}:\n", p, where, a.name);
            if (a.cluster.runtime == Runtime::serverless) {
                out += serverless_text(a, sim);
            } else {
                out += queueing_text(a, sim, {sc.warmup, sc.duration});
                out += failures_text(a, sim);
            }
            out += workflows_text(a, sim, sc.duration);
        }
    return out;
}

} // namespace statesim
