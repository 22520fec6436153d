// group_view_fuzz: the Delivery Service's processing of a commit as a non-member. The input is
// `opaque view<V>` (a stored GroupView, as the DS reads it back from its database) followed by
// an MLSMessage. Decoding the view, re-encoding it, and applying the message must never crash;
// a decoded view re-encodes to exactly its bytes, and an accepted commit moves to the next
// epoch with a view that encodes and decodes again.
#include "candor/base/tls.h"
#include "candor/mls/group_view.h"
#include "candor/mls/mls_message.h"
#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  candor::tls::Reader r(candor::ByteView(data, size));
  auto view_bytes = r.OpaqueV();
  if (!view_bytes.ok()) return 0;
  candor::tls::Reader vr(*view_bytes);
  auto view = candor::mls::GroupView::Decode(vr);
  if (!view.ok() || !vr.ExpectEnd("view").ok()) return 0;
  candor::tls::Writer w;
  view->Encode(w);
  FUZZ_REQUIRE(candor::fuzz::SameBytes(w.bytes(), *view_bytes));
  auto rest = r.Fixed(r.remaining());
  if (!rest.ok()) return 0;
  auto message = candor::tls::DecodeExact<candor::mls::MLSMessage>(*rest);
  if (!message.ok()) return 0;
  auto step = view->ApplyCommit(*message, 0);
  if (step.ok()) {
    FUZZ_REQUIRE(step->next.epoch() == view->epoch() + 1);
    candor::tls::Writer next;
    step->next.Encode(next);
    candor::tls::Reader nr(next.bytes());
    auto back = candor::mls::GroupView::Decode(nr);
    FUZZ_REQUIRE(back.ok() && nr.ExpectEnd("next").ok());
  }
  return 0;
}
