"""A real Jupyter client (jupyter_client) driven by the mocha tests over JSON lines.

    "$(cat dist/python-path)" tests/kernel/driver.py KERNEL_NAME CWD

Reads one JSON command per line on stdin and writes one JSON answer per line on stdout:
  {"op": "execute", "code": ..., "stdin": ["reply", ...], "interrupt_after": seconds,
   "silent": false, "store_history": true, "user_expressions": {}, "timeout": 60}
      -> {"reply": content, "outputs": [{"msg_type", "content"}...], "input_requests": [content...],
          "statuses": [...], "execute_input": bool}
  {"op": "request", "msg_type": "comm_info_request", "content": {}, "channel": "shell"|"control", "collect": true}
      -> {"reply": content, "reply_type": msg_type, "outputs": [...], "reply_seconds": s}
         (outputs: IOPub messages of that request, until its idle status; none with "collect": false)
  {"op": "send", "msg_type": "comm_open", "content": {...}, "wait": seconds} -> {"outputs": [...]}
  {"op": "comm", "msg_type": "comm_open"|"comm_msg"|"comm_close", "content": {...}, "metadata": {...},
   "buffers": [base64...], "until": text, "wait": seconds} -> {"outputs": [...], "statuses": [...]}
      (sends a comm message with metadata and binary buffers; collects its IOPub messages until idle and,
       with "until", on until an output whose JSON contains the text, for at most "wait" seconds)
  {"op": "submit", "code": ..., "wait_for": text, "then_sleep": seconds} -> {"msg_id": id, "seen": bool}
      (sends an execute_request without waiting for its reply; waits up to 30 s until the cell's busy
       status ("wait_for": "busy") or a stream output containing the text, then sleeps then_sleep)
  {"op": "restart"} -> {"alive": bool}
  {"op": "shutdown", "timeout": seconds} -> {"reply": content, "alive_after": bool, "reply_seconds": s, "exit_seconds": s,
                                             "shell_replies": [{"parent": msg_id, "content": ...}]}
      (shell_replies: the execute replies that arrived on shell meanwhile, e.g. of a submitted cell)
  {"op": "alive"} -> {"alive": bool}
"""
import base64
import json
import queue
import sys
import time

from jupyter_client.manager import KernelManager


def main():
    kernel_name, cwd = sys.argv[1], sys.argv[2]
    km = KernelManager(kernel_name=kernel_name)
    # The kernel's stdout goes to this driver's stderr: sharing the stdout pipe, Node would make it
    # non-blocking, and a long answer line written here would be cut short.
    km.start_kernel(cwd=cwd, stdout=sys.stderr.fileno())
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)

    def out(obj):
        sys.stdout.write(json.dumps(obj, default=str) + "\n")
        sys.stdout.flush()

    def collect_iopub(msg_id, until_idle=True, timeout=60, also=None):
        outputs, statuses, execute_input = [], [], False
        deadline = time.time() + timeout
        while time.time() < deadline:
            if also:
                also()
            try:
                msg = kc.get_iopub_msg(timeout=0.05)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            t = msg["msg_type"]
            if t == "status":
                statuses.append(msg["content"]["execution_state"])
                if until_idle and msg["content"]["execution_state"] == "idle":
                    break
            elif t == "execute_input":
                execute_input = True
            else:
                entry = {"msg_type": t, "content": msg["content"]}
                if msg.get("metadata"):
                    entry["metadata"] = msg["metadata"]
                if msg.get("buffers"):
                    entry["buffers"] = [base64.b64encode(bytes(b)).decode("ascii") for b in msg["buffers"]]
                outputs.append(entry)
        return outputs, statuses, execute_input

    def collect_until(msg_id, text, timeout):
        """IOPub messages of msg_id until idle and, if text is given, until one contains it."""
        deadline = time.time() + timeout
        outputs, statuses, _ = collect_iopub(msg_id, timeout=timeout)
        while text and not any(text in json.dumps(o) for o in outputs) and time.time() < deadline:
            more, more_statuses, _ = collect_iopub(msg_id, until_idle=False, timeout=min(0.5, max(0.0, deadline - time.time())))
            outputs += more
            statuses += more_statuses
        return outputs, statuses

    out({"ready": True})
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        op = cmd["op"]
        try:
            if op == "execute":
                replies = list(cmd.get("stdin", []))
                msg_id = kc.execute(
                    cmd["code"],
                    silent=cmd.get("silent", False),
                    store_history=cmd.get("store_history", True),
                    user_expressions=cmd.get("user_expressions", {}),
                    allow_stdin=bool(replies) or cmd.get("allow_stdin", False),
                    stop_on_error=cmd.get("stop_on_error", True),
                )
                started = time.time()
                state = {"interrupted": False, "inputs": []}

                def poll():
                    if cmd.get("interrupt_after") is not None and not state["interrupted"] and time.time() - started > cmd["interrupt_after"]:
                        km.interrupt_kernel()
                        state["interrupted"] = True
                    try:
                        m = kc.get_stdin_msg(timeout=0)
                    except queue.Empty:
                        return
                    if m["msg_type"] == "input_request":
                        state["inputs"].append(m["content"])
                        if cmd.get("bad_stdin_first"):
                            # A wrongly signed input_reply first: the kernel must ignore it and keep waiting.
                            bad = kc.session.msg("input_reply", {"value": "forged"}, parent=m["header"])
                            frames = kc.session.serialize(bad)
                            i = frames.index(b"<IDS|MSG>")
                            frames[i + 1] = b"0" * len(frames[i + 1])
                            kc.stdin_channel.socket.send_multipart(frames)
                            time.sleep(0.5)
                        kc.input(replies.pop(0) if replies else "")

                outputs, statuses, execute_input = collect_iopub(msg_id, timeout=cmd.get("timeout", 60), also=poll)
                reply = kc.get_shell_msg(timeout=10)
                while reply["parent_header"].get("msg_id") != msg_id:
                    reply = kc.get_shell_msg(timeout=10)
                out({"reply": reply["content"], "outputs": outputs, "statuses": statuses, "execute_input": execute_input, "input_requests": state["inputs"]})
            elif op == "request":
                channel = kc.control_channel if cmd.get("channel") == "control" else kc.shell_channel
                msg = kc.session.msg(cmd["msg_type"], cmd.get("content", {}))
                started = time.time()
                channel.send(msg)
                getter = kc.get_control_msg if cmd.get("channel") == "control" else kc.get_shell_msg
                reply = getter(timeout=cmd.get("timeout", 30))
                while reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
                    reply = getter(timeout=cmd.get("timeout", 30))
                reply_seconds = time.time() - started
                outputs, statuses = [], []
                if cmd.get("collect", True):
                    outputs, statuses, _ = collect_iopub(msg["header"]["msg_id"], timeout=30)
                out({"reply": reply["content"], "reply_type": reply["msg_type"], "outputs": outputs, "statuses": statuses, "reply_seconds": reply_seconds})
            elif op == "send":
                msg = kc.session.msg(cmd["msg_type"], cmd.get("content", {}))
                kc.shell_channel.send(msg)
                outputs, statuses, _ = collect_iopub(msg["header"]["msg_id"], timeout=cmd.get("wait", 30))
                out({"outputs": outputs, "statuses": statuses})
            elif op == "comm":
                msg = kc.session.msg(cmd["msg_type"], cmd.get("content", {}), metadata=cmd.get("metadata"))
                buffers = [base64.b64decode(b) for b in cmd.get("buffers", [])]
                kc.session.send(kc.shell_channel.socket, msg, buffers=buffers)
                outputs, statuses = collect_until(msg["header"]["msg_id"], cmd.get("until"), cmd.get("wait", 30))
                out({"msg_id": msg["header"]["msg_id"], "outputs": outputs, "statuses": statuses})
            elif op == "submit":
                msg_id = kc.execute(cmd["code"], allow_stdin=False, stop_on_error=cmd.get("stop_on_error", True))
                seen, wanted = False, cmd.get("wait_for")
                deadline = time.time() + 30
                while wanted and not seen and time.time() < deadline:
                    try:
                        m = kc.get_iopub_msg(timeout=0.1)
                    except queue.Empty:
                        continue
                    if m["parent_header"].get("msg_id") != msg_id:
                        continue
                    if wanted == "busy":
                        seen = m["msg_type"] == "status" and m["content"]["execution_state"] == "busy"
                    else:
                        seen = m["msg_type"] == "stream" and wanted in m["content"]["text"]
                time.sleep(cmd.get("then_sleep", 0))
                out({"msg_id": msg_id, "seen": seen})
            elif op == "restart":
                km.restart_kernel(now=False)
                kc.wait_for_ready(timeout=60)
                out({"alive": km.is_alive()})
            elif op == "shutdown":
                msg = kc.session.msg("shutdown_request", {"restart": False})
                started = time.time()
                kc.control_channel.send(msg)
                reply = kc.get_control_msg(timeout=cmd.get("timeout", 10))
                while reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
                    reply = kc.get_control_msg(timeout=cmd.get("timeout", 10))
                reply_seconds = time.time() - started
                deadline = time.time() + cmd.get("timeout", 10)
                while km.is_alive() and time.time() < deadline:
                    time.sleep(0.05)
                exit_seconds = time.time() - started
                shell_replies = []
                while True:
                    try:
                        m = kc.get_shell_msg(timeout=0.2)
                    except queue.Empty:
                        break
                    shell_replies.append({"parent": m["parent_header"].get("msg_id"), "content": m["content"]})
                out({"reply": reply["content"], "reply_type": reply["msg_type"], "alive_after": km.is_alive(),
                     "reply_seconds": reply_seconds, "exit_seconds": exit_seconds, "shell_replies": shell_replies})
                km.cleanup_resources()
                return
            elif op == "alive":
                out({"alive": km.is_alive()})
            elif op == "execute_until_exit":
                # A cell that ends the kernel: wait for the process to go, report how it ended, restart it.
                msg_id = kc.execute(cmd["code"], allow_stdin=False)
                deadline = time.time() + cmd.get("timeout", 30)
                while km.is_alive() and time.time() < deadline:
                    time.sleep(0.05)
                proc = getattr(getattr(km, "provisioner", None), "process", None) or getattr(km, "kernel", None)
                code = proc.poll() if proc is not None else None
                alive = km.is_alive()
                km.restart_kernel(now=True)
                kc.wait_for_ready(timeout=60)
                out({"exited": not alive, "exit_code": code})
            elif op == "raw":
                # Sends frames as given (a replay, or a wrongly signed message) on a channel's socket.
                channel = {"shell": kc.shell_channel, "control": kc.control_channel, "stdin": kc.stdin_channel}[cmd["channel"]]
                channel.socket.send_multipart([f.encode() if isinstance(f, str) else f for f in cmd["frames"]])
                out({"sent": True})
            elif op == "signed_execute":
                # An execute_request whose exact frames are returned, so a test can replay them.
                msg = kc.session.msg("execute_request", {"code": cmd["code"], "silent": False, "store_history": True,
                                                         "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
                frames = kc.session.serialize(msg)
                kc.shell_channel.socket.send_multipart(frames)
                reply = kc.get_shell_msg(timeout=30)
                while reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
                    reply = kc.get_shell_msg(timeout=30)
                out({"reply": reply["content"], "frames": [f.decode() for f in frames]})
            else:
                out({"error": "unknown op " + op})
        except Exception as e:  # report to the test instead of dying silently
            out({"error": "%s: %s" % (type(e).__name__, e)})
    kc.stop_channels()
    if km.is_alive():
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
