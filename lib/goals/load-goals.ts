/** Reading goals back from the JSON `goals.save(file)` wrote. */
import * as fs from "fs";
import { Goals, GoalsDefinition } from "./goals";

/**
 * Reads goals saved with `goals.save(file)`.
 * @throws Error naming the file when it is missing or not a goals JSON.
 */
export function loadGoals(file: string): Goals {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(
      `Cannot read goals from ${file}: ${(err as Error).message}. Save them first with goals.save("${file}").`,
      { cause: err },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(
      `${file} is not valid JSON (${(err as Error).message}); it should hold goals written by goals.save().`,
      { cause: err },
    );
  }
  try {
    return new Goals(parsed as GoalsDefinition);
  } catch (err) {
    throw new Error(`${file} does not hold valid goals: ${(err as Error).message}`, { cause: err });
  }
}
