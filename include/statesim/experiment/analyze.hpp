#pragma once
#include <string>

#include "statesim/config/scenario.hpp"

namespace statesim {

// Analytic predictions (queueing formulas, routing-loss closed form) for every architecture
// whose model reduces to one; says why where it does not. Text for `statesim analyze`.
std::string analyze_scenario(const Scenario &sc);

// P(a session of k requests is lost) when each request is routed uniformly at random over N
// nodes and state lives on the node of the first request: 1 - E[(1/N)^(k-1)].
double random_routing_loss(const Distribution &requests, int nodes);

} // namespace statesim
