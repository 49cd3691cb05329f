/**
 * The wire protocol's defences, in a real kernel with a real Jupyter client (jupyter_client), as
 * jupyter_client's own Session has them: a signed message sent again (a replay) is refused; a wrongly
 * signed input_reply on stdin is ignored, and the pending prompt() still gets the real answer; signatures
 * are compared in constant time and a signature of the wrong length is refused without an exception.
 */
import { strict as assert } from "assert";
import { withKernel } from "./client";
import { Signer, makeHeader } from "../../kernel/wire";

describe("kernel: the wire protocol refuses replays and forgeries", function () {
  this.timeout(180_000);
  const kernel = withKernel();

  it("executes a signed execute_request once: the same frames sent again are refused", async () => {
    assert.equal((await kernel.execute("let replays = 0;")).reply.status, "ok");
    const first = await kernel.command({ op: "signed_execute", code: "replays += 1;" });
    assert.equal(first.reply.status, "ok");
    await kernel.command({ op: "raw", channel: "shell", frames: first.frames });
    // Shell requests run in order: had the replay been accepted, it would have run before this cell.
    assert.equal(await kernel.value("replays"), "1");
  });

  it("ignores a wrongly signed input_reply: the prompt gets the real answer", async () => {
    const r = await kernel.execute('const answer = prompt("Your name?");\nanswer', {
      stdin: ["Ada"],
      bad_stdin_first: true,
    });
    assert.equal(r.reply.status, "ok", JSON.stringify(r.reply));
    assert.equal(r.outputs.find((o) => o.msg_type === "execute_result")?.content.data["text/plain"], "'Ada'");
  });

  it("refuses wrong signatures of any length, and replays, in the Signer itself", () => {
    const signer = new Signer("secret-key");
    const frames = signer
      .encode({
        identities: [],
        header: makeHeader("kernel_info_request", undefined, "s"),
        parent_header: {},
        metadata: {},
        content: {},
      })
      .map((f) => Buffer.from(f));
    const tampered = frames.map((f, i) => (i === 1 ? Buffer.from("f".repeat(64)) : f));
    assert.throws(() => signer.decode(tampered), /invalid signature/);
    const short = frames.map((f, i) => (i === 1 ? Buffer.from("abc") : f));
    assert.throws(() => signer.decode(short), /invalid signature/);
    assert.equal(signer.decode(frames).header.msg_type, "kernel_info_request");
    assert.throws(() => signer.decode(frames), /replayed/);
  });
});
