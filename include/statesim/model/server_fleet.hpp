#pragma once
#include <memory>
#include <optional>
#include <string>

#include "statesim/model/autoscaler.hpp"
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
    void run_step(std::uint32_t attempt, NodeRef pinned) override;
    bool holds(NodeRef where) const override {
        return nodes_.holds(where) && nodes_[where.index].up();
    }
    LossCause gone_cause() const override { return LossCause::node_failure; }

    // A crash of the node in slot `index` (fault injection or its failure process); with
    // replace_failed: false and a repair time (failures.nodes.mttr) it comes back after it.
    void kill(int index);
    // Slots of the nodes that are up (running), ascending.
    std::vector<int> running_nodes() const;
    // The group's desired capacity: launches or retires nodes to reach it (`why` for events.csv).
    void set_desired(int desired, const std::string &why);
    int desired() const { return desired_; }
    // A zone goes down (its nodes die; launches go to the other zones) or comes back (the
    // group rebalances: it launches there first, then retires nodes from the fullest zones).
    void zone_down(int zone);
    void zone_up(int zone);
    // A rolling deployment of a new release: batch after batch, launch new nodes, wait until
    // they are healthy, then drain and terminate as many old ones (lost_deployment). A
    // deployment asked for while one runs is skipped (marked in events.csv).
    void deploy();
    // Takes a node out of service: deregistered at once, drained for deregistration_delay (or
    // not: drain = false), then terminated; state still on it is lost with `cause`.
    void retire(int index, LossCause cause, bool drain);
    const NodeGroup &nodes() const { return nodes_; }
    StateBackend &state() { return *state_; }

  private:
    void on_node_arrival(int node, std::uint32_t attempt);
    // `arriving`: 1 when the attempt comes straight in (not from the queue).
    void start_service(int node, std::uint32_t attempt, int arriving);
    void start_waiting(int node);
    void on_service_done(int node, std::uint32_t attempt, std::uint32_t generation);
    void on_store_step(int node, std::uint32_t attempt, std::uint32_t generation);
    void balancer_error(std::uint32_t attempt);
    void respond(std::uint32_t attempt, bool ok);
    void on_probe(int node, std::uint32_t generation);
    void on_booted(int node, std::uint32_t generation);
    void on_launch_retry(int node, std::uint32_t generation);
    void on_failure(int node, std::uint32_t generation);
    void on_repaired(int node, std::uint32_t generation);
    void on_drain_done(int node, std::uint32_t generation);
    // The attempt's node does not answer: a dead host connect_timeout after `since`, a dead
    // process now.
    void unreachable(std::uint32_t attempt, SimTime since, bool sent_to_dead);
    void finish_drain_if_idle(int node);
    void terminate(int node, LossCause cause, bool crashed = false);
    std::vector<std::uint32_t> drop_work(int node, LossCause cause);
    void schedule_repair(int node, std::uint64_t key);
    void became_up(int node); // running after boot or repair: its failure clock starts
    void cancel_failure(Node &n);
    bool repairs() const; // failed nodes come back (replace_failed: false with an mttr)
    bool awaiting_repair(const Node &n) const; // failed, and will come back

    int in_group() const; // nodes the group counts toward desired (not draining, not freed)
    // What the group launches or retires toward: the desired capacity plus the nodes launched
    // beyond it for a deployment batch or a zone rebalance.
    int group_target() const { return desired_ + surge_ + rebalance_surge_; }
    std::vector<int> nodes_per_zone() const; // booting, running, failed awaiting repair
    void reconcile();                        // launch or retire toward desired_
    int victim() const; // the node a scale-in retires (autoscaling.termination)
    int launch_zone() const;
    int launch(int zone);         // the new node's slot
    void schedule_boot(int node); // its boot ends a boot_time draw from now
    void report_fleet();
    int capacity(const Node &n) const;
    std::string name(int node) const;
    void mark(MarkedEvent what, std::string target, std::string detail = {}) {
        ctx_.sink.mark(ctx_.now(), what, std::move(target), std::move(detail));
    }

    void on_scaling_tick();
    void on_scheduled_action(std::uint32_t i);
    // Brings the node's autoscaling metric integrals up to now (before its load changes).
    void account(Node &n) {
        if (!scaler_) return;
        const auto dt = static_cast<double>(ctx_.now() - n.metric_since);
        n.busy_area += n.busy * dt;
        n.in_flight_area += (n.busy + static_cast<double>(n.queue.size())) * dt;
        n.metric_since = ctx_.now();
    }
    void reset_metric(Node &n) {
        n.busy_area = n.in_flight_area = 0;
        n.served = 0;
        n.metric_since = n.metric_from = ctx_.now();
    }

    ModelContext &ctx_;
    Clients &clients_;
    AttemptPool &attempts_;
    NodeGroup nodes_;
    LoadBalancer lb_;
    HealthChecker health_;
    std::unique_ptr<StateBackend> state_;
    Rng net_rng_, boot_rng_;
    std::uint64_t failure_seed_; // per-node failure and repair streams derive from it
    SimTime warmup_period_;
    int desired_ = 0;
    // Rolling deployment: the release being rolled out, the size of the running batch (0: no
    // deployment) and the nodes launched for it beyond the desired capacity (the autoscaler
    // sees desired_ without them).
    int release_ = 0, batch_ = 0, surge_ = 0;
    bool completing_ = false; // retiring a finished batch's old nodes
    void next_batch();
    int batch_pending() const;
    // Once no node of the running batch is booting or waiting for its health checks, retires as
    // many old nodes and starts the next batch.
    void complete_batch_if_ready();
    // Zone rebalancing: nodes launched in the emptiest zones beyond the desired capacity, each
    // retiring one node of the fullest zone once it is healthy (or given up if it goes first).
    int rebalance_surge_ = 0;
    void rebalanced(int node);
    void forget_rebalance(Node &n);          // a rebalancing node terminated before it was healthy
    std::vector<int> zone_outages_;          // per zone: outages under way (dark while > 0)
    std::optional<Autoscaler> scaler_;       // autoscaling.enabled
    std::int64_t schedule_applied_ = -1;     // policy: scheduled: the latest entry applied
    Session orphan_;                         // routes attempts whose session has ended
    std::vector<int> *launch_log_ = nullptr; // zone_down: the slots reconcile() launches
};

} // namespace statesim
