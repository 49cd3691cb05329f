/**
 * Helpers shared by the widget protocol tests (widgets.test.ts, widgets-interact.test.ts): reading the comm
 * messages, streams and displayed widget views out of a cell's outputs, and building a frontend's update.
 */
import { strict as assert } from "assert";
import { Execution, Json, Output } from "./client";

/** The MIME type of a widget view. */
export const VIEW = "application/vnd.jupyter.widget-view+json";

/** The execution, after asserting its reply is ok (the outputs in the message if not). */
export function ok(r: Execution): Execution {
  assert.equal(r.reply.status, "ok", `cell failed: ${JSON.stringify(r.reply)} ${JSON.stringify(r.outputs)}`);
  return r;
}

/** The comm_open messages, in order. */
export function opens(outputs: Output[]): Output[] {
  return outputs.filter((o) => o.msg_type === "comm_open");
}

/** The comm_msg messages with this method (optionally on one comm), in order. */
export function msgs(outputs: Output[], method: string, commId?: string): Array<Json> {
  return outputs
    .filter(
      (o) => o.msg_type === "comm_msg" && o.content.data.method === method && (!commId || o.content.comm_id === commId),
    )
    .map((o) => o.content.data);
}

/** The text a cell printed to stdout. */
export function stdout(outputs: Output[]): string {
  return outputs
    .filter((o) => o.msg_type === "stream" && o.content.name === "stdout")
    .map((o) => o.content.text)
    .join("");
}

/** The model id a cell displayed (its execute_result's widget view). */
export function shownModel(r: Execution): string {
  const shown = r.outputs.find(
    (o) => (o.msg_type === "execute_result" || o.msg_type === "display_data") && o.content.data[VIEW],
  );
  assert.ok(shown, `nothing shown: ${JSON.stringify(r.outputs)}`);
  return shown.content.data[VIEW].model_id;
}

/** A frontend's comm_msg content setting these state attributes of a model (buffers at bufferPaths). */
export function update(
  commId: string,
  state: Record<string, unknown>,
  bufferPaths: unknown[] = [],
): Record<string, unknown> {
  return { comm_id: commId, data: { method: "update", state, buffer_paths: bufferPaths } };
}
