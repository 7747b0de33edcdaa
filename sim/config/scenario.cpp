#include "statesim/config/scenario.hpp"

namespace statesim {

const char *to_string(BalancingPolicy p) {
    switch (p) {
    case BalancingPolicy::round_robin:
        return "round_robin";
    case BalancingPolicy::random:
        return "random";
    case BalancingPolicy::least_outstanding:
        return "least_outstanding";
    case BalancingPolicy::power_of_two:
        return "power_of_two";
    case BalancingPolicy::consistent_hash:
        return "consistent_hash";
    }
    return "?";
}

const char *to_string(StateLocation l) {
    switch (l) {
    case StateLocation::none:
        return "none";
    case StateLocation::local:
        return "local";
    case StateLocation::store:
        return "store";
    case StateLocation::client:
        return "client";
    }
    return "?";
}

const char *to_string(StoreKind k) {
    switch (k) {
    case StoreKind::dynamodb:
        return "dynamodb";
    case StoreKind::redis:
        return "redis";
    case StoreKind::memcached:
        return "memcached";
    }
    return "?";
}

} // namespace statesim
