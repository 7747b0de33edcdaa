#pragma once
#include "statesim/engine/distribution.hpp"

namespace statesim::analytic {

// Closed forms used by `statesim analyze` and the validation suite. Rates per second, times in
// seconds. Every probability returned lies in [0, 1] (clamped where roundoff could push it out).

// ---- queues ----

// Erlang C: probability an arrival waits in M/M/c with offered load a = lambda/mu (erlangs);
// 1 when a >= c (the queue is unstable and every arrival eventually waits).
double erlang_c(int servers, double offered_load);
// Mean response time (wait + service) in M/M/c; infinity when lambda >= c/E[S].
double mmc_response_time(double lambda, double mean_service, int servers);
// Pollaczek-Khinchine: mean response time in M/G/1 given E[S] and Var[S].
double mg1_response_time(double lambda, double mean_service, double service_variance);
// M/G/c mean response time by the Allen-Cunneen (= Lee-Longton for Poisson arrivals)
// approximation W_q ~ W_q(M/M/c) (1 + cv^2) / 2 with cv^2 = Var[S] / E[S]^2. Exact for c = 1
// (it is Pollaczek-Khinchine) and for exponential service (cv^2 = 1); an approximation otherwise,
// typically within a few percent at moderate to high load.
double mgc_response_time(double lambda, double mean_service, double service_variance, int servers);
// M/M/c/K (K = servers + queue places): blocking probability and mean response time of the
// admitted customers, from the birth-death chain's product-form stationary distribution
// (computed in log space, so tiny tail probabilities keep their relative accuracy and are never
// negative).
struct FiniteQueue {
    double blocking = 0;
    double response_time = 0;
    double mean_in_system = 0;
};
FiniteQueue mmck(double lambda, double mean_service, int servers, int capacity);

// ---- sessions ----
// A session has k = max(1, floor(X)) requests for X drawn from `requests` (what the model
// draws). The forms below are exact for constant, empirical and geometric X and return NaN for
// the other kinds (no closed form).

// E[k] and E[k^2].
double session_requests_mean(const Distribution &requests);
double session_requests_second_moment(const Distribution &requests);
// E[x^(k-1)]: the probability that each of the k - 1 later requests independently "succeeds"
// with probability x (e.g. lands on the node holding the session's state).
double every_later_request(const Distribution &requests, double x);
// E[min(k, J)] where J is the first later request that fails (each w.p. 1 - x): the requests a
// session issues when it ends right after the first failing one is served.
double requests_until_first_failure(const Distribution &requests, double x);
// P(at least m of the session's k requests are writes), each a write w.p. write_fraction.
double at_least_writes(const Distribution &requests, double write_fraction, int m);
// E[min(k, T_m)], T_m the index of the m-th write: the requests a session issues when it ends
// right after its m-th write is served.
double requests_until_writes(const Distribution &requests, double write_fraction, int m);

} // namespace statesim::analytic
