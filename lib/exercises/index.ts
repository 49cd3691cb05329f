/** Checked exercises for the tutorial notebooks (`checkAnswer`). */
export * from "./check";
