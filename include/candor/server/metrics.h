// metrics.h: the one metrics registry of a candord process, rendered in the Prometheus text
// format at /metrics. Counters and gauges are atomics; a histogram has fixed buckets. Metrics
// are created once (by the services at start) and updated from any thread without locks.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace candor::server {

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Histogram {
 public:
  // Histogram has cumulative buckets with the given upper bounds (ascending), plus +Inf.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  // Render appends the _bucket, _sum and _count lines of `name`{labels}.
  void Render(const std::string& name, const std::string& labels, std::string& out) const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // one per bound, plus +Inf
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micro_{0};  // sum * 1e6, for integer atomics
};

class Metrics {
 public:
  // CounterFor returns the counter `name{labels}` (created on first use; `help` documents it).
  Counter& CounterFor(const std::string& name, const std::string& help,
                      const std::string& labels = "");
  // HistogramFor returns the histogram `name{labels}` with `bounds`.
  Histogram& HistogramFor(const std::string& name, const std::string& help,
                          std::vector<double> bounds, const std::string& labels = "");
  // AddGauge registers a gauge read by `read` at every rendering.
  void AddGauge(const std::string& name, const std::string& help, std::function<double()> read,
                const std::string& labels = "");
  // AddSource registers a function that appends lines of its own (a service's legacy metrics).
  void AddSource(std::function<void(std::string&)> source);

  // Render returns the exposition text.
  std::string Render() const;

 private:
  struct Entry {
    std::string name, help, type, labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> gauge;
  };
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::vector<std::function<void(std::string&)>> sources_;
};

}  // namespace candor::server
