"""jupyter_kernel_test's protocol suite against the trainlab kernel, with every sample configured.

    TRAINLAB_TEST_KERNEL=trainlab /usr/bin/python3 -m unittest -v tests/kernel/test_protocol.py
"""
import os
import unittest

import jupyter_kernel_test


class TrainlabKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = os.environ.get("TRAINLAB_TEST_KERNEL", "trainlab")
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went to stderr")'
    completion_samples = [
        {"text": "Math.flo", "matches": {"floor"}},
        {"text": "Number.isInt", "matches": {"isInteger"}},
    ]
    complete_code_samples = ["1", "const answer = 6 * 7;", "function f(): number {\n  return 1;\n}", "for (const x of [1, 2]) console.log(x)"]
    incomplete_code_samples = ["function f() {", "const a = [1,", "if (true) {\n  console.log(1);", "const s = `template"]
    invalid_code_samples = ["const = 5;", "1 +* 2", ")", "let 9x = 1"]
    code_page_something = "Math.max?"
    code_generate_error = 'throw new Error("boom")'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"trainlab".length', "result": "8"},
        {"code": "[1, 2].map((x) => x * 2)", "result": "[ 2, 4 ]"},
    ]
    code_display_data = [
        {"code": "display({ a: 1 })", "mime": "text/plain"},
        {"code": 'display({ [Symbol.for("Jupyter.display")]: () => ({ "text/html": "<b>hi</b>" }) })', "mime": "text/html"},
    ]
    code_history_pattern = '"trainlab".len*'
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Math.max"
    code_clear_output = "clearOutput()"


if __name__ == "__main__":
    unittest.main()
