/** The shared seeded generator (lib/random.ts), imported by models and their worker threads. */
export { SeededRandom } from "../random";
