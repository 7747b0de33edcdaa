#pragma once
#include <limits>
#include <vector>

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
// E_k/M/1: one exponential server fed by Erlang-k interarrival times of mean 1/lambda (k phases
// of rate k lambda each), what each of k single-worker nodes sees when round robin deals a
// Poisson stream of rate k lambda to them in turn. A GI/M/1 queue, exact: an arrival finds n in
// the system w.p. (1 - sigma) sigma^n, sigma the root in (0, 1) of sigma = A*(mu (1 - sigma)),
// A*(s) = (k lambda / (k lambda + s))^k the interarrival time's Laplace-Stieltjes transform,
// mu = 1 / E[S]. So P(wait) = sigma and W = W_q + E[S] = E[S] / (1 - sigma). k = 1 is M/M/1
// (sigma = rho). At rho = lambda E[S] >= 1: sigma = 1, W infinite.
struct ErlangM1 {
    double sigma = 0;         // P(an arrival waits); P(it finds n or more) = sigma^n
    double response_time = 0; // W
};
ErlangM1 erlang_m1(int phases, double lambda, double mean_service);
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

// ---- tails ----

// P(X > t), and E[X; X > t] / E[X] (the share of the mean above t), for X of `d`: closed forms
// for constant, exponential, lognormal, uniform, erlang, hyperexp, weibull, pareto and
// empirical; NaN for geometric. Used to tell whether a client timeout cuts into the service.
double tail_probability(const Distribution &d, double t);
double tail_mean_share(const Distribution &d, double t);

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
// A client token when the m-th write overflows it (that request is rejected, then the session
// ends, `ends`, or starts over with an empty token), averaged over the requests served (not
// rejected): the writes the request's token carries, and the share that write themselves; and
// the share of the issued requests that are rejected (413). NaN for a length distribution
// without a closed form (as at_least_writes) or an m too large to iterate (the overflow is then
// negligible).
struct TokenWrites {
    double carried = 0, written = 0, rejected = 0;
};
TokenWrites token_writes(const Distribution &requests, double write_fraction, int m, bool ends);

// ---- failures ----

// Machine-repair model: `nodes` nodes, each fails at rate 1/mtbf while up; failed nodes are
// repaired (or replaced) at rate 1/mttr each, at most `repairmen` at a time (repairmen = nodes:
// independent repairs, the simulator's model: every failed node is replaced in parallel). The
// (nodes+1)-state CTMC on the number of nodes up is built as a generator matrix and pi Q = 0,
// sum pi = 1 solved with Eigen (roundoff below 0 is clamped). distribution[k] = P(k nodes up);
// availability = P(at least one up). mttr <= 0 or mtbf = infinity: always all up.
struct MachineRepair {
    double mean_up = 0;
    double availability = 0;
    std::vector<double> distribution;
};
MachineRepair machine_repair(int nodes, double mtbf, double mttr, int repairmen);

// Replaced nodes (failures.replace_failed: true): n independent slots, each an alternating
// renewal of its successive nodes. A node boots (`boot` s, not a target), registers `initial` and
// is probed every `interval` s from a uniform phase C ~ U(0, interval]; its first passing probe
// makes it healthy. It dies L ~ exponential(mtbf) after its boot (possibly before C); the
// `unhealthy_threshold`-th failing probe after that detects it (until then it stays the target
// it was), and its replacement boots at once. Shares of a slot's time (E[min(C, L)] =
// mtbf x P(L < C) = mtbf (1 - (1 - e^(-x))/x), x = interval/mtbf; a healthy node's next probe
// after its death comes E[R] = interval/(1 - e^(-x)) - mtbf later, exactly, by memorylessness):
//   healthy        H: (mtbf - E[min(C, L)]) / T
//   initial (up)   I: E[min(C, L)] / T
//   dead, healthy  X: (1 - P(L < C)) (E[R] + (threshold - 1) interval) / T (still a target)
//   dead, initial  Y: (interval/2 - E[min(C, L)] + P(L < C)(threshold - 1) interval) / T
//   booting        B: boot / T,   T = mtbf + the three down phases.
// The balancer routes to the healthy targets (dead ones included), or, when none is healthy, to
// every initial one (fail open). So a running node serves when H, or when I with no slot in H or
// X: availability = 1 - P(no H) + P(all in I, Y, B) - P(all in Y, B), and E[serving] =
// nH + nI (I + Y + B)^(n-1), products over independent slots. Long-run time averages; exact for
// exponential L (any boot distribution of that mean). mtbf infinite: always all serving.
struct ReplacedNodes {
    double healthy = 0, initial = 0, dead_healthy = 0, dead_initial = 0, booting = 0; // shares
    double down = 0;         // E[time from a node's death to its replacement's boot], s
    double mean_serving = 0; // E[nodes the balancer routes to that are running]
    double availability = 0; // P(at least one such node)
};
ReplacedNodes replaced_nodes(int nodes, double mtbf, double boot, double interval,
                             int unhealthy_threshold);

// A sticky session of k requests separated by exponential think times of mean `think`, on a
// node whose time to failure is exponential with mean `mttf` (memoryless: the node's age does
// not matter): the session is lost when the node fails during one of its k - 1 think times, so
// P(lost) = 1 - (1 + think/mttf)^-(k-1). Service and queueing times are ignored (they are short
// next to think times); the first request cannot be lost (no state yet).
double sticky_loss_probability(int requests, double think, double mttf);
// The same averaged over k geometric on {1, 2, ...} with mean m (the model's geometric session
// length): with x = mttf / (mttf + think) and p = 1/m, E[1 - x^(k-1)] = 1 - p / (1 - (1-p) x)
// = (m - 1) think / (m think + mttf).
double sticky_loss_probability_geometric(double mean_requests, double think, double mttf);

// ---- autoscaling ----

// The node count target tracking on cpu settles at under a steady load of `lambda` requests/s
// of mean service time `mean_service` on nodes of `workers` workers with target utilisation
// `target` (a fraction): ceil(lambda E[S] / (workers target)), clamped to [min, max]. Scaling out
// from below, desired = ceil(current x metric / target) with metric = lambda E[S] / (current
// workers) lands there in one step (AWS rounds the scale-out up); scale-in removes
// floor(current - current x metric / target) nodes, which is 0 there, so it stays. It assumes
// steady load (no ramp faster than the evaluation period) and that every node serves (no
// warm-up discount). A relative 1e-12 keeps roundoff on an exact ratio from adding a node.
int target_tracking_nodes(double lambda, double mean_service, int workers, double target,
                          int min_nodes = 0, int max_nodes = std::numeric_limits<int>::max());

} // namespace statesim::analytic
