#pragma once
#include <limits>

#include "statesim/model/metrics_sink.hpp"
#include "statesim/model/run_result.hpp"

namespace statesim {

// The one measurement rule (README "Measurement"): everything counts from the end of the
// warm-up to the end of the window, [warmup, warmup + duration]; session outcomes count for the
// cohort of sessions that started in it, followed to their outcome after the window; levels
// (busy workers, serving capacity, nodes billed, availability) are time-weighted over the
// window; the timeseries and the marked events cover the run from t = 0 (warm-up included) to
// the end of the window.
class Recorder final : public MetricsSink {
  public:
    Recorder(SimTime warmup, SimTime end, SimTime interval);

    bool session_started(SimTime now) override;
    void session_ended(SimTime now, bool measured, Outcome how) override;
    void session_lost(SimTime now, bool measured, LossCause cause) override;
    void request_begun(SimTime now) override;
    void request_done(SimTime now, SimTime latency) override;
    void attempt_failed(SimTime now, bool retried) override;
    void work_changed(SimTime now, int in_system_delta, int busy_delta) override;
    void served(SimTime now, SimTime at_node) override;
    void fleet_changed(SimTime now, const Fleet &fleet) override;
    void store_op(SimTime now, bool write, bool ok, std::uint32_t units,
                  std::uint32_t throttles) override;
    void environments_changed(SimTime now, int environments) override;
    void throttled(SimTime now) override;
    void invocation(SimTime now, SimTime billed, bool cold) override;
    bool workflow_started(SimTime now) override;
    void workflow_ended(SimTime now, bool measured, bool completed, LossCause cause,
                        SimTime took) override;
    void state_transition(SimTime now) override;
    void mark(SimTime now, MarkedEvent what, std::string target, std::string detail) override;

    // Closes the window at `now` (end, or earlier when interrupted) and returns the result.
    RunResult finish(SimTime now);

  private:
    // A level integrated over time, both over the window and over the current interval.
    struct Level {
        double value = 0;
        SimTime since = 0;
        double window_area = 0, interval_area = 0; // value x ns
    };
    void advance(Level &l, SimTime now) const;
    void set(Level &l, double value, SimTime now) {
        advance(l, now);
        l.value = value;
    }
    bool counts(SimTime t) const { return t >= warmup_ && t <= end_; }
    // Emits the timeseries rows of intervals that ended by `now` (called by every report: the
    // test is inline, the rows are not).
    void roll(SimTime now) {
        if (next_row_ <= now && next_row_ <= end_) roll_rows(now);
    }
    void roll_rows(SimTime now, bool last = false);

    static constexpr SimTime kNoMoreRows = std::numeric_limits<SimTime>::max();
    SimTime warmup_, end_, interval_, next_row_; // next_row_: the end of the open row
    RunResult r_;
    Level busy_, in_system_, serving_workers_, serving_nodes_, billed_;
    Level up_; // 1 while at least one node serves (or a serverless platform), else 0
    Level environments_;
    int environments_now_ = 0;
    bool serverless_ = false; // busy workers are busy environments
    Fleet fleet_;
    TimeseriesRow row_;
    Histogram row_latency_;
    std::uint64_t open_ = 0, lost_total_ = 0;
    double node_time_sum_ns_ = 0;
    std::uint64_t node_time_count_ = 0;
};

} // namespace statesim
