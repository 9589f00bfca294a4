#include "store/writer.h"

#include <vector>

namespace store {

Writer::Writer(const Store& store, size_t max_batch)
    : store_(store), max_batch_(max_batch), thread_([this] { Loop(); }) {}

Writer::~Writer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::future<cs::Status> Writer::Submit(Unit unit) {
  Pending p{std::move(unit), {}};
  auto fut = p.done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(p));
  }
  cv_.notify_one();
  return fut;
}

void Writer::Loop() {
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::vector<cs::Status> results(batch.size());
    auto txn = store_.BeginWrite();
    if (!txn.ok()) {
      for (auto& p : batch) p.done.set_value(txn.status());
      continue;
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      auto child = txn->BeginNested();
      if (!child.ok()) {
        results[i] = child.status();
        continue;
      }
      cs::Status st;
      try {
        st = batch[i].unit(*child);
      } catch (const std::exception& e) {
        st = cs::Status::Internal(std::string("write unit threw: ") + e.what());
      }
      results[i] = st.ok() ? child->Commit() : st;
      if (!st.ok()) child->Abort();
    }
    cs::Status commit = txn->Commit();
    for (size_t i = 0; i < batch.size(); ++i)
      batch[i].done.set_value(commit.ok() ? results[i] : commit);
  }
}

}  // namespace store
