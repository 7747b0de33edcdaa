#pragma once

namespace statesim::analytic {

// Closed forms used by `statesim analyze` and the validation suite. Rates per second, times in
// seconds; all assume a stable queue (rho < 1) unless stated.

// Erlang C: probability an arrival waits in M/M/c with offered load a = lambda/mu (erlangs).
double erlang_c(int servers, double offered_load);
// Mean response time (wait + service) in M/M/c.
double mmc_response_time(double lambda, double mean_service, int servers);
// Pollaczek-Khinchine: mean response time in M/G/1 given E[S] and Var[S].
double mg1_response_time(double lambda, double mean_service, double service_variance);
// M/M/c/K (K = servers + queue places): blocking probability and mean response time of the
// admitted customers, from the birth-death chain's stationary distribution (solved with Eigen).
struct FiniteQueue {
    double blocking = 0;
    double response_time = 0;
    double mean_in_system = 0;
};
FiniteQueue mmck(double lambda, double mean_service, int servers, int capacity);

} // namespace statesim::analytic
