#include "statesim/stats/analytic.hpp"

#include <Eigen/Dense>

namespace statesim::analytic {

double erlang_c(int c, double a) {
    // Erlang B by the stable recursion, then C from B.
    double b = 1.0;
    for (int k = 1; k <= c; ++k)
        b = a * b / (k + a * b);
    const double rho = a / c;
    return b / (1 - rho + rho * b);
}

double mmc_response_time(double lambda, double mean_service, int c) {
    const double a = lambda * mean_service;
    const double mu = 1 / mean_service;
    return erlang_c(c, a) / (c * mu - lambda) + mean_service;
}

double mg1_response_time(double lambda, double es, double var) {
    const double rho = lambda * es;
    const double es2 = var + es * es;
    return lambda * es2 / (2 * (1 - rho)) + es;
}

FiniteQueue mmck(double lambda, double mean_service, int c, int capacity) {
    // Stationary distribution of the birth-death generator: pi Q = 0, sum pi = 1.
    const int n = capacity + 1;
    const double mu = 1 / mean_service;
    Eigen::MatrixXd q = Eigen::MatrixXd::Zero(n, n);
    for (int k = 0; k < n; ++k) {
        if (k + 1 < n) q(k, k + 1) = lambda;
        if (k > 0) q(k, k - 1) = mu * std::min(k, c);
        q(k, k) = -q.row(k).sum();
    }
    Eigen::MatrixXd a = q.transpose();
    a.row(n - 1).setOnes(); // replace one balance equation by the normalisation
    Eigen::VectorXd rhs = Eigen::VectorXd::Zero(n);
    rhs(n - 1) = 1;
    const Eigen::VectorXd pi = a.partialPivLu().solve(rhs);
    FiniteQueue r;
    r.blocking = pi(n - 1);
    for (int k = 0; k < n; ++k)
        r.mean_in_system += k * pi(k);
    r.response_time = r.mean_in_system / (lambda * (1 - r.blocking)); // Little's law
    return r;
}

} // namespace statesim::analytic
