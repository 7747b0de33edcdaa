#include "statesim/experiment/analyze.hpp"

#include <cmath>

#include <fmt/format.h>

#include "statesim/stats/analytic.hpp"

namespace statesim {

double random_routing_loss(const Distribution &requests, int nodes) {
    const double x = 1.0 / nodes;
    if (requests.kind == Distribution::Kind::geometric && requests.mean > 1) {
        const double p = 1.0 / requests.mean; // E[x^(k-1)] = p / (1 - (1-p) x)
        return 1.0 - p / (1.0 - (1.0 - p) * x);
    }
    return 1.0 - std::pow(x, std::max(1.0, requests.mean) - 1.0);
}

namespace {

std::string analyze_architecture(const Architecture &a) {
    std::string out;
    const auto &w = a.workload;
    if (w.arrival.kind != ArrivalProcess::Kind::poisson)
        return "  not analysable: only Poisson session arrivals have closed forms here\n";
    const double sessions = w.arrival.rate;
    const double per_session = w.requests.expected();
    const double lambda = sessions * per_session;
    const int n = a.cluster.nodes, c = a.cluster.workers;
    const double es = w.service_time.expected(), var = w.service_time.variance();
    const double rho = lambda * es / (n * c);
    out += fmt::format("  request rate λ = {:.4g}/s ({:.4g} sessions/s x {:.4g} requests)\n",
                       lambda, sessions, per_session);
    out += fmt::format("  utilization ρ = λE[S]/(N·c) = {:.4f} (N={}, c={})\n", rho, n, c);
    if (rho >= 1) {
        out += "  unstable: ρ >= 1, queues grow until queue_limit rejects requests\n";
        return out;
    }
    const double hops = 4 * a.hop_latency.expected();
    const double node_lambda = lambda / n;
    const bool exponential = w.service_time.kind == Distribution::Kind::exponential;
    std::string model, note;
    double response = 0;
    if (exponential && a.cluster.queue_limit < 1000) {
        const auto f = analytic::mmck(node_lambda, es, c, c + a.cluster.queue_limit);
        response = f.response_time;
        model = fmt::format("M/M/{}/{} per node", c, c + a.cluster.queue_limit);
        note = fmt::format(", blocking {:.4g}", f.blocking);
    } else if (exponential) {
        response = analytic::mmc_response_time(node_lambda, es, c);
        model = fmt::format("M/M/{} per node (Erlang C, P(wait) = {:.4f})", c,
                            analytic::erlang_c(c, node_lambda * es));
    } else if (c == 1) {
        response = analytic::mg1_response_time(node_lambda, es, var);
        model = "M/G/1 per node (Pollaczek-Khinchine)";
    } else {
        // Allen-Cunneen: M/M/c waiting scaled by (1 + cv^2) / 2; an approximation.
        const double wq = analytic::mmc_response_time(node_lambda, es, c) - es;
        response = es + wq * (1 + var / (es * es)) / 2;
        model = fmt::format("M/G/{} per node (Allen-Cunneen approximation)", c);
    }
    const bool exact_routing = a.load_balancer.policy == BalancingPolicy::random || n == 1;
    const bool exact_arrivals = per_session == 1 && w.requests.kind == Distribution::Kind::constant;
    out += fmt::format("  model: {}{}\n", model, note);
    out += fmt::format("  mean latency = {:.4f} ms (node {:.4f} ms + 4 hops {:.4f} ms)\n",
                       (response + hops) * 1e3, response * 1e3, hops * 1e3);
    out += fmt::format("  Little: mean requests at nodes L = λW = {:.4f}\n", lambda * response);
    if (!exact_routing || !exact_arrivals)
        out += fmt::format("  approximate:{}{}\n",
                           exact_routing
                               ? ""
                               : " per-node arrivals are not Poisson under " +
                                     std::string(to_string(a.load_balancer.policy)) + " routing;",
                           exact_arrivals ? ""
                                          : " session requests with think time are "
                                            "only approximately Poisson;");
    if (a.state.location == StateLocation::local && !a.load_balancer.sticky && n > 1 &&
        a.load_balancer.policy == BalancingPolicy::random)
        out += fmt::format("  lost sessions (random routing, local state): 1 - E[(1/N)^(k-1)] "
                           "= {:.4f}%\n",
                           100 * random_routing_loss(w.requests, n));
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
