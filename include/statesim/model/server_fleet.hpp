#pragma once
#include <memory>

#include "statesim/model/clients.hpp"
#include "statesim/model/compute_backend.hpp"
#include "statesim/model/health_checker.hpp"
#include "statesim/model/load_balancer.hpp"
#include "statesim/model/node_group.hpp"
#include "statesim/model/state_backend.hpp"

namespace statesim {

// Servers behind an application load balancer: the balancer routes each attempt to a node; a
// node serves `workers` requests at once with a FIFO queue (queue_limit places) in front;
// crashed nodes fail their work and keep receiving traffic until the health checks mark them,
// then the group replaces them (replace_failed) with a node that boots, passes its checks and
// serves at warmup_capacity for warmup_period from its first routed request.
class ServerFleet final : public ComputeBackend {
  public:
    ServerFleet(ModelContext &ctx, Clients &clients, AttemptPool &attempts);

    void start() override;
    void on_request(std::uint32_t attempt) override;
    void handle(const Event &e) override;

    // A crash of the node in slot `index` (fault injection).
    void kill(int index);
    // Slots of the nodes that are up (running), ascending.
    std::vector<int> running_nodes() const;
    const NodeGroup &nodes() const { return nodes_; }
    StateBackend &state() { return *state_; }

  private:
    void on_node_arrival(int node, std::uint32_t attempt);
    // `arriving`: 1 when the attempt comes straight in (not from the queue).
    void start_service(int node, std::uint32_t attempt, int arriving);
    void start_waiting(int node);
    void on_service_done(int node, std::uint32_t attempt, std::uint32_t generation);
    void respond(std::uint32_t attempt, bool ok);
    void on_probe(int node, std::uint32_t generation);
    void on_booted(int node, std::uint32_t generation);
    void launch(int zone);
    void report_fleet();
    int capacity(const Node &n) const;

    ModelContext &ctx_;
    Clients &clients_;
    AttemptPool &attempts_;
    NodeGroup nodes_;
    LoadBalancer lb_;
    HealthChecker health_;
    std::unique_ptr<StateBackend> state_;
    Rng net_rng_, boot_rng_;
    SimTime warmup_period_;
    Session orphan_; // routes attempts whose session has ended
};

} // namespace statesim
