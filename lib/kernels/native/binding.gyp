{
  "targets": [
    {
      "target_name": "trainlab_native",
      "sources": ["src/addon.cc", "src/thread_pool.cc", "src/gemm.cc", "src/conv.cc", "src/conv_smallk.cc", "src/pooling.cc",
                  "src/elementwise.cc", "src/copy.cc", "src/optimizers.cc", "src/mlp_step.cc",
                  "src/recurrent.cc", "src/binary.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "<!@(node -p \"process.env.TRAINLAB_BLAS_INCLUDE || ''\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-O3", "-std=c++17", "-fexceptions", "-Wno-free-nonheap-object", "-fno-math-errno"],
      "libraries": ["<!@(node -p \"process.env.TRAINLAB_BLAS_LIBS || '-lopenblas'\")"]
    }
  ]
}
