/**
 * Checked exercises for the tutorial notebooks: the learner sets an answer variable, `checkAnswer` says whether it
 * is right, wrong (with a hint) or not answered yet. It never throws on a wrong or missing answer, so a notebook with
 * unanswered exercises still runs top to bottom unattended (CI, `npm start`).
 *
 *   let answer1: number | undefined = undefined;   // the learner writes their answer here
 *   checkAnswer("1. How many rows are in the test split?", answer1, split.test.numRows())
 */
import { DISPLAY, MimeBundle, escapeHtml } from "../display";

/** The outcome of a check: no answer yet, right, or wrong. */
export type ExerciseStatus = "unanswered" | "right" | "wrong";

/** How {@link checkAnswer} compares an answer with the expected value. */
export interface CheckOptions {
  /** Numbers: the largest absolute difference accepted (default 1e-9). */
  tolerance?: number;
  /** Shown with a wrong answer: where to look, without giving the answer away. */
  hint?: string;
}

/** A checked answer; displays as one coloured line in a notebook. */
export class ExerciseCheck {
  constructor(
    /** The exercise's title, e.g. "1. Which model is simplest among the tied?". */
    readonly exercise: string,
    readonly status: ExerciseStatus,
    /** What the learner reads: "right", or why it is wrong, or how to answer. */
    readonly message: string,
  ) {}

  /** True when the answer is right. */
  get right(): boolean {
    return this.status === "right";
  }

  toString(): string {
    const mark = this.status === "right" ? "RIGHT" : this.status === "wrong" ? "WRONG" : "NOT ANSWERED YET";
    return `${this.exercise}: ${mark}. ${this.message}`;
  }

  [DISPLAY](): MimeBundle {
    const colour = this.status === "right" ? "#1a7f37" : this.status === "wrong" ? "#b00" : "#666";
    const mark = this.status === "right" ? "✔ right" : this.status === "wrong" ? "✘ wrong" : "… not answered yet";
    return {
      "text/plain": this.toString(),
      "text/html": `<p class="trainlab-exercise trainlab-exercise-${this.status}"><b>${escapeHtml(this.exercise)}</b>: <span style="color:${colour}"><b>${escapeHtml(mark)}</b></span>. ${escapeHtml(this.message)}</p>`,
    };
  }
}

function normalise(value: unknown): unknown {
  return typeof value === "string" ? value.trim().toLowerCase().replace(/\s+/g, " ") : value;
}

function equal(answer: unknown, expected: unknown, tolerance: number): boolean {
  if (typeof expected === "number" && typeof answer === "number") {
    return Number.isFinite(answer) && Math.abs(answer - expected) <= tolerance;
  }
  if (Array.isArray(expected) && Array.isArray(answer)) {
    return answer.length === expected.length && expected.every((e, i) => equal(answer[i], e, tolerance));
  }
  return normalise(answer) === normalise(expected);
}

/**
 * Checks a learner's answer. `expected` is the right value (numbers within `tolerance`; strings compared without
 * case or surrounding space; arrays element by element) or a predicate that returns true for a right answer.
 * An `undefined` (or `null`) answer is "not answered yet", never an error.
 * @throws Error on an empty exercise title or a negative or non-finite tolerance (mistakes of the notebook's author).
 */
export function checkAnswer<T>(
  exercise: string,
  answer: T | undefined | null,
  expected: T | ((answer: T) => boolean),
  options: CheckOptions = {},
): ExerciseCheck {
  if (!exercise.trim()) throw new Error("checkAnswer needs the exercise's title as its first argument.");
  const tolerance = options.tolerance ?? 1e-9;
  if (!Number.isFinite(tolerance) || tolerance < 0)
    throw new Error(`checkAnswer("${exercise}"): tolerance must be a finite number ≥ 0, got ${tolerance}.`);
  if (answer === undefined || answer === null) {
    return new ExerciseCheck(exercise, "unanswered", "Set the answer variable in this cell and run it again.");
  }
  const ok =
    typeof expected === "function"
      ? Boolean((expected as (a: T) => boolean)(answer))
      : equal(answer, expected, tolerance);
  if (ok) return new ExerciseCheck(exercise, "right", "Well done.");
  return new ExerciseCheck(
    exercise,
    "wrong",
    `Your answer was ${JSON.stringify(answer)}.${options.hint ? ` Hint: ${options.hint}` : " Try again."}`,
  );
}
