#include "candor/server/metrics.h"

#include <cmath>
#include <cstdio>
#include <set>

namespace candor::server {
namespace {

std::string Num(double v) {
  char buf[64];
  (void)std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

std::string WithLabels(const std::string& labels, const std::string& extra) {
  if (labels.empty()) return "{" + extra + "}";
  return "{" + labels + "," + extra + "}";
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micro_.fetch_add(static_cast<uint64_t>(std::llround(std::max(0.0, v) * 1e6)),
                       std::memory_order_relaxed);
}

void Histogram::Render(const std::string& name, const std::string& labels, std::string& out) const {
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    const std::string le = i < bounds_.size() ? Num(bounds_[i]) : "+Inf";
    out += name + "_bucket" + WithLabels(labels, "le=\"" + le + "\"") + " " +
           std::to_string(cumulative) + "\n";
  }
  const std::string l = labels.empty() ? "" : "{" + labels + "}";
  out += name + "_sum" + l + " " +
         Num(static_cast<double>(sum_micro_.load(std::memory_order_relaxed)) / 1e6) + "\n";
  out += name + "_count" + l + " " + std::to_string(count_.load(std::memory_order_relaxed)) + "\n";
}

Counter& Metrics::CounterFor(const std::string& name, const std::string& help,
                             const std::string& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& e : entries_) {
    if (e->name == name && e->labels == labels && e->counter) return *e->counter;
  }
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->type = "counter";
  e->labels = labels;
  e->counter = std::make_unique<Counter>();
  Counter& c = *e->counter;
  entries_.push_back(std::move(e));
  return c;
}

Histogram& Metrics::HistogramFor(const std::string& name, const std::string& help,
                                 std::vector<double> bounds, const std::string& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& e : entries_) {
    if (e->name == name && e->labels == labels && e->histogram) return *e->histogram;
  }
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->type = "histogram";
  e->labels = labels;
  e->histogram = std::make_unique<Histogram>(std::move(bounds));
  Histogram& h = *e->histogram;
  entries_.push_back(std::move(e));
  return h;
}

void Metrics::AddGauge(const std::string& name, const std::string& help,
                       std::function<double()> read, const std::string& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  auto e = std::make_unique<Entry>();
  e->name = name;
  e->help = help;
  e->type = "gauge";
  e->labels = labels;
  e->gauge = std::move(read);
  entries_.push_back(std::move(e));
}

void Metrics::AddSource(std::function<void(std::string&)> source) {
  std::lock_guard<std::mutex> lock(mu_);
  sources_.push_back(std::move(source));
}

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  std::set<std::string> described;
  for (const auto& e : entries_) {
    if (described.insert(e->name).second) {
      out += "# HELP " + e->name + " " + e->help + "\n# TYPE " + e->name + " " + e->type + "\n";
    }
    const std::string l = e->labels.empty() ? "" : "{" + e->labels + "}";
    if (e->counter) out += e->name + l + " " + std::to_string(e->counter->value()) + "\n";
    if (e->gauge) out += e->name + l + " " + Num(e->gauge()) + "\n";
    if (e->histogram) e->histogram->Render(e->name, e->labels, out);
  }
  for (const auto& s : sources_) s(out);
  return out;
}

}  // namespace candor::server
