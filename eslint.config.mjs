// ESLint's configuration: the recommended JavaScript and TypeScript rules over every hand-written source file.
// `npm test` runs ESLint and Prettier (tests/architecture/lint.test.ts) and accepts zero warnings.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "**/node_modules/**",
      "lib/kernels/native/build/**",
      "tests/browser/jupyterlab/build/**",
      "tests/browser/artifacts/**",
      "reports/**",
      "runs/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // `_name` marks a parameter or binding that is deliberately unused (a callback's unused argument, a rest-omit).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      // `import x = require("m")` is TypeScript's static import of a CommonJS module object (tests patch one); only
      // the dynamic `require()` call is a back door.
      "@typescript-eslint/no-require-imports": ["error", { allowAsImport: true }],
      // An inner `function` that must keep its own `this` (a timer's receiver) reaches the instance through `tasks`.
      "@typescript-eslint/no-this-alias": ["error", { allowedNames: ["tasks"] }],
    },
  },
  {
    // In lib/ and kernel/ every require() and import() is on the allow-list of tests/architecture/layers.test.ts,
    // each with its reason (an optional backend, a package without an ES entry, a worker's own module): that test
    // governs dynamic loads there, so this rule would only duplicate it.
    files: ["lib/**/*.ts", "kernel/**/*.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Plain Node scripts (bench runner, anchors, the lab harness's build) are CommonJS.
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // The JupyterLab harness's frontend runs in the browser.
    files: ["tests/browser/jupyterlab/src/**/*.js"],
    languageOptions: { sourceType: "module", globals: { ...globals.browser } },
  },
);
