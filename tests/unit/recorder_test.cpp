// The recorder fed by hand: availability is the time share of the window with a serving node,
// marked events are listed from t = 0 (warm-up included) but scale events count only inside the
// window, and the timeseries carries the fleet's desired and draining nodes.
#include <doctest/doctest.h>

#include <cmath>

#include "statesim/output/recorder.hpp"

using namespace statesim;

namespace {

MetricsSink::Fleet fleet(double serving, int desired, int draining) {
    MetricsSink::Fleet f;
    f.serving_nodes = serving;
    f.serving_workers = 4 * serving;
    f.billed = f.running = static_cast<int>(serving) + draining;
    f.desired = desired;
    f.draining = draining;
    return f;
}

} // namespace

TEST_CASE("recorder: availability, marked events and the fleet in the timeseries") {
    // Window [10 s, 50 s], rows every 10 s.
    Recorder rec(10 * kSecond, 50 * kSecond, 10 * kSecond);
    rec.fleet_changed(0, fleet(0, 2, 0)); // booting during the warm-up: outside the window
    rec.mark(3 * kSecond, MarkedEvent::scale_out, "group", "desired 0->2");
    rec.fleet_changed(5 * kSecond, fleet(2, 2, 0));
    rec.mark(22 * kSecond, MarkedEvent::zone_down, "zone 1", "");
    rec.fleet_changed(22 * kSecond, fleet(0, 3, 1)); // nothing serves for 10 s of 40
    rec.mark(25 * kSecond, MarkedEvent::scale_out, "group", "desired 2->3");
    rec.fleet_changed(32 * kSecond, fleet(1, 3, 0));
    rec.mark(35 * kSecond, MarkedEvent::scale_in, "node 7", "desired 3->2");
    rec.mark(40 * kSecond, MarkedEvent::kill, "node 3", "sessions lost 12");
    rec.mark(60 * kSecond, MarkedEvent::scale_in, "node 8", "after the window");
    const RunResult r = rec.finish(50 * kSecond);

    CHECK(r.availability == doctest::Approx(0.75).epsilon(1e-12));
    CHECK(r.scale_out_events == 1); // the one at 3 s is in the warm-up
    CHECK(r.scale_in_events == 1);  // the one at 60 s is after the window

    REQUIRE(r.events.size() == 5); // warm-up included, after the window not
    CHECK(r.events[0].time_s == doctest::Approx(3));
    CHECK(r.events[0].what == MarkedEvent::scale_out);
    CHECK(r.events[0].target == "group");
    CHECK(r.events[0].detail == "desired 0->2");
    CHECK(r.events[1].what == MarkedEvent::zone_down);
    CHECK(r.events[1].target == "zone 1");
    CHECK(r.events[4].time_s == doctest::Approx(40));
    CHECK(r.events[4].what == MarkedEvent::kill);
    CHECK(r.events[4].detail == "sessions lost 12");
    CHECK(std::string(name_of(MarkedEvent::deploy_batch)) == "deploy_batch");

    // Each row shows the fleet as the interval ended.
    REQUIRE(r.timeseries.size() == 5);
    const int desired[] = {2, 2, 3, 3, 3}, draining[] = {0, 0, 1, 0, 0},
              running[] = {2, 2, 1, 1, 1};
    for (std::size_t i = 0; i < 5; ++i) {
        CAPTURE(i);
        CHECK(r.timeseries[i].time_s == doctest::Approx(10.0 * static_cast<double>(i + 1)));
        CHECK(r.timeseries[i].nodes_desired == desired[i]);
        CHECK(r.timeseries[i].nodes_draining == draining[i]);
        CHECK(r.timeseries[i].nodes_in_service == running[i]);
    }
}

TEST_CASE("recorder: always serving is availability 1, never serving 0") {
    Recorder up(0, 100 * kSecond, 10 * kSecond);
    up.fleet_changed(0, fleet(3, 3, 0));
    up.fleet_changed(40 * kSecond, fleet(0.5, 3, 0)); // a warming node still serves
    CHECK(up.finish(100 * kSecond).availability == 1);
    Recorder down(0, 100 * kSecond, 10 * kSecond);
    down.fleet_changed(0, fleet(0, 3, 0));
    const RunResult r = down.finish(100 * kSecond);
    CHECK(r.availability == 0);
    CHECK(r.events.empty());
    CHECK(r.scale_out_events == 0);
    // Of no capacity and no request: undefined, not 0 (an empty cell, n/a in the table).
    CHECK(std::isnan(r.utilization));
    CHECK(std::isnan(r.node_response_mean_ms));
    // Capacity that served nothing is a defined 0.
    Recorder idle(0, 100 * kSecond, 10 * kSecond);
    idle.fleet_changed(0, fleet(3, 3, 0));
    CHECK(idle.finish(100 * kSecond).utilization == 0);
}

TEST_CASE("recorder: the last timeseries row ends at the end of the window") {
    // Window ends at 360 s (the newcomer's 1 m warm-up + 5 m); 50 s rows leave 10 s over.
    Recorder rec(60 * kSecond, 360 * kSecond, 50 * kSecond);
    rec.fleet_changed(0, fleet(2, 2, 0));
    rec.request_begun(345 * kSecond);
    rec.request_done(352 * kSecond, 20 * kMillisecond);
    rec.request_begun(355 * kSecond);
    rec.attempt_failed(358 * kSecond, false);
    rec.request_begun(370 * kSecond); // after the window: in no row
    const RunResult r = rec.finish(400 * kSecond);
    REQUIRE(r.timeseries.size() == 8);
    CHECK(r.timeseries[6].time_s == doctest::Approx(350));
    CHECK(r.timeseries[6].arrivals == 1);
    const TimeseriesRow &last = r.timeseries.back();
    CHECK(last.time_s == doctest::Approx(360)); // a 10 s row
    CHECK(last.arrivals == 1);
    CHECK(last.completions == 1);
    CHECK(last.failures == 1);
    CHECK(last.nodes_in_service == 2);
}

TEST_CASE("recorder: an interval longer than the run gives one row for the whole run") {
    Recorder rec(60 * kSecond, 360 * kSecond, 420 * kSecond);
    rec.fleet_changed(0, fleet(2, 2, 0));
    rec.request_begun(100 * kSecond);
    const RunResult r = rec.finish(360 * kSecond);
    REQUIRE(r.timeseries.size() == 1);
    CHECK(r.timeseries[0].time_s == doctest::Approx(360));
    CHECK(r.timeseries[0].arrivals == 1);
}

TEST_CASE("recorder: a window of whole intervals keeps its rows") {
    Recorder rec(0, 240 * kSecond, 60 * kSecond);
    const RunResult r = rec.finish(240 * kSecond);
    REQUIRE(r.timeseries.size() == 4);
    CHECK(r.timeseries.back().time_s == doctest::Approx(240));
}
