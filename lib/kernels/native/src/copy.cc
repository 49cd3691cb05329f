// Data movement kernels: gather (row copies), slice, copyOut (a tensor's readback into a JS buffer).
#include "kernels.h"
#include "thread_pool.h"

namespace tl {

// gather(heap, xOff, idxOff, outOff, batch, outer, dimSize, slice, nIdx, elemBytes): row copies.
// Returns -1 when all indices are in range, else the first bad index position.
Napi::Value Gather(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const uint8_t* x = heap + static_cast<size_t>(D(info[1]));
  const int32_t* idx = reinterpret_cast<const int32_t*>(heap + static_cast<size_t>(D(info[2])));
  uint8_t* out = heap + static_cast<size_t>(D(info[3]));
  int64_t batch = I64(info[4]), outer = I64(info[5]), dim = I64(info[6]), slice = I64(info[7]), nIdx = I64(info[8]);
  int64_t eb = I64(info[9]);
  for (int64_t i = 0; i < batch * nIdx; ++i)
    if (idx[i] < 0 || idx[i] >= dim) return Napi::Number::New(info.Env(), static_cast<double>(i));
  const size_t rowBytes = static_cast<size_t>(slice * eb);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t o = 0; o < outer; ++o) {
      const uint8_t* src = x + ((b * outer + o) * dim) * rowBytes;
      uint8_t* dst = out + ((b * outer + o) * nIdx) * rowBytes;
      const int32_t* ib = idx + b * nIdx;
      for (int64_t i = 0; i < nIdx; ++i) std::memcpy(dst + i * rowBytes, src + ib[i] * rowBytes, rowBytes);
    }
  return Napi::Number::New(info.Env(), -1);
}

// copyOut(heap, offset, dst:ArrayBuffer, bytes): copies bytes from the heap at offset into dst (a tensor's readback).
Napi::Value CopyOut(const Napi::CallbackInfo& info) {
  const uint8_t* src = HeapBase(info[0]) + static_cast<size_t>(D(info[1]));
  if (!info[2].IsArrayBuffer()) throw Napi::TypeError::New(info.Env(), "copyOut: expected a destination ArrayBuffer");
  Napi::ArrayBuffer dst = info[2].As<Napi::ArrayBuffer>();
  const size_t bytes = static_cast<size_t>(D(info[3]));
  if (bytes > dst.ByteLength()) throw Napi::RangeError::New(info.Env(), "copyOut: destination is smaller than the copy");
  ParallelCopy(static_cast<uint8_t*>(dst.Data()), src, bytes);
  return info.Env().Undefined();
}

// slice(heap, xOff, outOff, xShape:Int32Array, begin:Int32Array, size:Int32Array, elemBytes): copies only the slice.
Napi::Value Slice(const Napi::CallbackInfo& info) {
  uint8_t* heap = HeapBase(info[0]);
  const uint8_t* x = heap + static_cast<size_t>(D(info[1]));
  uint8_t* out = heap + static_cast<size_t>(D(info[2]));
  std::vector<int64_t> shape = IntList(info[3]), begin = IntList(info[4]), size = IntList(info[5]);
  int64_t eb = I64(info[6]);
  size_t r = shape.size();
  int64_t total = 1;
  for (auto s : size) total *= s;
  if (total == 0) return info.Env().Undefined();
  // Merge the trailing dims that are taken whole into one contiguous run.
  std::vector<int64_t> strides(r, 1);
  for (size_t d = r; d-- > 1;) strides[d - 1] = strides[d] * shape[d];
  size_t inner = r;  // dims [inner, r) are copied as one block
  int64_t block = 1;
  while (inner > 0) {
    size_t d = inner - 1;
    block *= size[d];
    inner = d;
    if (size[d] != shape[d]) break;
  }
  int64_t base = 0;
  for (size_t d = 0; d < r; ++d) base += begin[d] * strides[d];
  const size_t blockBytes = static_cast<size_t>(block * eb);
  std::vector<int64_t> idx(inner, 0);
  int64_t blocks = total / block;
  for (int64_t k = 0; k < blocks; ++k) {
    int64_t off = base;
    for (size_t d = 0; d < inner; ++d) off += idx[d] * strides[d];
    std::memcpy(out + k * blockBytes, x + off * eb, blockBytes);
    for (size_t d = inner; d-- > 0;) {
      if (++idx[d] < size[d]) break;
      idx[d] = 0;
    }
  }
  return info.Env().Undefined();
}
}  // namespace tl
