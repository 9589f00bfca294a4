#include "store/peers.h"

#include "store/codec.h"
#include "store/record_access.h"

namespace store {
namespace {

constexpr uint64_t kPeerRecordVersion = 1;

}  // namespace

std::string PeerRecord::Encode() const {
  Encoder e;
  e.U64(kPeerRecordVersion).Str(authority).Str(software).Str(version);
  e.I64(checked_ms).I64(next_check_ms).Str(last_error);
  return e.Take();
}

std::optional<PeerRecord> PeerRecord::Decode(std::string_view bytes) {
  return detail::DecodeVersioned<PeerRecord>(bytes, kPeerRecordVersion,
                                             [](Decoder& d, PeerRecord& r) {
                                               d.Str(r.authority).Str(r.software).Str(r.version);
                                               d.I64(r.checked_ms).I64(r.next_check_ms);
                                               d.Str(r.last_error);
                                             });
}

cs::Result<PeerRecord> GetPeer(const Txn& txn, std::string_view authority) {
  return detail::GetDecoded<PeerRecord>(txn, Db::kPeers, detail::LowerAscii(authority));
}

cs::Status PutPeer(Txn& txn, const PeerRecord& peer) {
  PeerRecord r = peer;
  r.authority = detail::LowerAscii(peer.authority);
  return txn.Put(Db::kPeers, r.authority, r.Encode());
}

}  // namespace store
