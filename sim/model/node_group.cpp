#include "statesim/model/node_group.hpp"

namespace statesim {

int NodeGroup::launch(int zone) {
    int i;
    if (free_.empty()) {
        nodes_.emplace_back();
        i = static_cast<int>(nodes_.size() - 1);
    } else {
        i = free_.back();
        free_.pop_back();
    }
    Node &n = nodes_[static_cast<std::size_t>(i)];
    n.launch_generation = ++n.generation;
    n.id = ++launched_;
    n.state = NodeState::booting;
    n.zone = zone;
    n.warm_from_start = false;
    n.rebalance = false;
    n.waits_for_zone = false;
    n.first_request_at = -1;
    n.reset_work();
    return i;
}

void NodeGroup::terminate(int index) {
    Node &n = nodes_[static_cast<std::size_t>(index)];
    n.state = NodeState::free;
    ++n.generation; // references to the terminated node no longer match
    n.queue.clear();
    n.oldest_resident = n.newest_resident = kNoSlot;
    n.sessions_held = 0;
    free_.push_back(index);
}

} // namespace statesim
