// Entry of the browser bundle (bench/dist/bench.js): exposes the shared suite
// to run.mjs, which calls it through playwright's page.evaluate.
import { runSuite } from "./cases.mjs";

window.runBench = (timing) => runSuite({ ...timing, onProgress: (step) => console.log(step) });
