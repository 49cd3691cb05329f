// trainlab native kernel pack: the N-API entry points, one line each, grouped by the file that defines them.
// Each takes the wasm heap (the tfjs-backend-wasm module's memory as an ArrayBuffer) and byte offsets of tensors
// inside it (see addon.cc's opening comment); addon.cc registers them under the names given in brackets.
// Files: thread_pool (WorkerPool, ParallelCopy), gemm (Sgemm, epilogue, matmul), conv_geom / conv / conv_smallk
// (convolutions), pooling, elementwise, binary (broadcasting +, -, ×, ÷), copy, optimizers (adam, sgd), mlp_step
// (fused MLP step, softmax CE), recurrent (whole LSTM / GRU sequences, forward and backward).
#ifndef TRAINLAB_NATIVE_KERNELS_H
#define TRAINLAB_NATIVE_KERNELS_H

#include "common.h"

namespace tl {

Napi::Value MatMul(const Napi::CallbackInfo& info);               // gemm.cc [matmul]
Napi::Value Conv2D(const Napi::CallbackInfo& info);               // conv.cc [conv2d]
Napi::Value Conv2DBackpropInput(const Napi::CallbackInfo& info);  // conv.cc [conv2dBackpropInput]
Napi::Value Conv2DBackpropFilter(const Napi::CallbackInfo& info); // conv.cc [conv2dBackpropFilter]
Napi::Value MaxPool(const Napi::CallbackInfo& info);              // pooling.cc [maxPool]
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info);          // pooling.cc [maxPoolGrad]
Napi::Value BiasAdd(const Napi::CallbackInfo& info);              // elementwise.cc [biasAdd]
Napi::Value ReduceSum(const Napi::CallbackInfo& info);            // elementwise.cc [reduceSum]
Napi::Value Relu(const Napi::CallbackInfo& info);                 // elementwise.cc [relu]
Napi::Value ReluGrad(const Napi::CallbackInfo& info);             // elementwise.cc [reluGrad]
Napi::Value Step(const Napi::CallbackInfo& info);                 // elementwise.cc [step]
Napi::Value ClipGrad(const Napi::CallbackInfo& info);             // elementwise.cc [clipGrad]
Napi::Value SoftmaxGrad(const Napi::CallbackInfo& info);          // elementwise.cc [softmaxGrad]
Napi::Value Binary(const Napi::CallbackInfo& info);               // binary.cc [binary]
Napi::Value Gather(const Napi::CallbackInfo& info);               // copy.cc [gather]
Napi::Value Slice(const Napi::CallbackInfo& info);                // copy.cc [slice]
Napi::Value CopyOut(const Napi::CallbackInfo& info);              // copy.cc [copyOut]
Napi::Value Adam(const Napi::CallbackInfo& info);                 // optimizers.cc [adam]
Napi::Value Sgd(const Napi::CallbackInfo& info);                  // optimizers.cc [sgd]
Napi::Value MlpStep(const Napi::CallbackInfo& info);              // mlp_step.cc [mlpStep]
Napi::Value SoftmaxCrossEntropy(const Napi::CallbackInfo& info);  // mlp_step.cc [softmaxCrossEntropy]
Napi::Value LstmForward(const Napi::CallbackInfo& info);          // recurrent.cc [lstmForward]
Napi::Value LstmBackward(const Napi::CallbackInfo& info);         // recurrent.cc [lstmBackward]
Napi::Value GruForward(const Napi::CallbackInfo& info);           // recurrent.cc [gruForward]
Napi::Value GruBackward(const Napi::CallbackInfo& info);          // recurrent.cc [gruBackward]

}  // namespace tl

#endif  // TRAINLAB_NATIVE_KERNELS_H
