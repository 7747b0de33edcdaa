#pragma once
// What the model simulates, in one place. The config loader parses and validates every key of
// SPEC §4, but a setting whose feature the model does not simulate yet is refused with a
// located "... is not implemented in statesim VERSION yet" error (exit 2): never silently
// ignored. When the model implements a feature, flip its flag here (and update the "Not
// implemented yet" sections of docs/configuration.md and README.md).
//
// While a flag is false, the loader also keeps the defaults that describe what the model does
// today: `failures.mode` defaults to `process` (not `host`); the DynamoDB `capacity` defaulted
// to a fixed `4000/s` until kModelsStoreCapacityModes made it `{mode: on_demand}`.

namespace statesim {

// failures.nodes: per-node MTBF/MTTR failure process.
inline constexpr bool kModelsNodeFailureProcess = true;
// failures.zones (zone failure process) and `kill: zone` events.
inline constexpr bool kModelsZones = true;
// failures.store (store failure process) and `outage: store` events.
inline constexpr bool kModelsStoreFailures = true;
// state.store.capacity as {mode: on_demand | provisioned}; a plain rate is always modelled.
inline constexpr bool kModelsStoreCapacityModes = true;
// failures.deployments (periodic rolling deployments) and `deploy: rolling` events.
inline constexpr bool kModelsDeployments = true;
// autoscaling (every policy).
inline constexpr bool kModelsAutoscaling = true;
// failures.mode: host (a dead host does not answer: attempts wait load_balancer.connect_timeout).
inline constexpr bool kModelsConnectTimeout = true;
// load_balancer.drain: sessions.
inline constexpr bool kModelsDrainSessions = true;
// workflows (long-running processes, in_memory or orchestrated).
inline constexpr bool kModelsWorkflows = true;

// The flags as a value, so the loader can be run with all of them on (tests of the parser
// itself) while `statesim` uses the constants above.
struct Modelled {
    bool node_failure_process = kModelsNodeFailureProcess;
    bool zones = kModelsZones;
    bool store_failures = kModelsStoreFailures;
    bool store_capacity_modes = kModelsStoreCapacityModes;
    bool deployments = kModelsDeployments;
    bool autoscaling = kModelsAutoscaling;
    bool connect_timeout = kModelsConnectTimeout;
    bool drain_sessions = kModelsDrainSessions;
    bool workflows = kModelsWorkflows;

    // Every feature on: what the loader accepts once the model implements all of SPEC §4.
    static constexpr Modelled everything() {
        return {true, true, true, true, true, true, true, true, true};
    }
};

} // namespace statesim
