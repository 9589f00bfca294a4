// Group commit: one thread runs many small write units in one LMDB transaction and one fsync,
// then answers them all. Each unit runs in its own nested transaction, so a unit that fails
// leaves no trace while the others commit. Thread-safe; the destructor drains and joins.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "store/lmdb_store.h"

namespace store {

class Writer {
 public:
  using Unit = std::function<cs::Status(Txn&)>;

  explicit Writer(const Store& store, size_t max_batch = 256);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues `unit`; the future resolves once its writes are durable (or with its error).
  std::future<cs::Status> Submit(Unit unit);
  // Submit and wait.
  cs::Status Run(Unit unit) { return Submit(std::move(unit)).get(); }

 private:
  struct Pending {
    Unit unit;
    std::promise<cs::Status> done;
  };
  void Loop();

  const Store& store_;
  const size_t max_batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace store
