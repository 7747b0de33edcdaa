#pragma once
#include <vector>

namespace statesim {

// Mean and 95% confidence half-width (Student t over independent replications).
struct Estimate {
    double mean = 0;
    double half_width = 0; // 0 with fewer than two samples
    int n = 0;
};

Estimate estimate(const std::vector<double> &samples, double confidence = 0.95);
// Two-sided Student t quantile, e.g. t_quantile(0.95, 4) = 2.776.
double t_quantile(double confidence, int degrees_of_freedom);

} // namespace statesim
