/**
 * Bundles the JupyterLab harness page (src/index.js and the packages' CSS) into build/ with esbuild.
 *   node build.js
 * jupyterlab-plotly loads `plotly.js/dist/plotly` at first render; package.json's override makes `plotly.js` the
 * prebuilt plotly.js-dist-min of the same release (2.35.2), and the plugin below points that import at its bundle.
 */
const esbuild = require("esbuild");
const fs = require("fs");
const path = require("path");

const plotlyBundle = {
  name: "plotly-dist",
  setup(build) {
    build.onResolve({ filter: /^plotly\.js\/dist\/plotly(\.min)?(\.js)?$/ }, () => ({
      path: require.resolve("plotly.js-dist-min"),
    }));
  },
};

// JupyterLab imports its icons into JS as SVG text; a stylesheet's url(...) needs them as image data.
const svgInCss = {
  name: "svg-in-css",
  setup(build) {
    build.onResolve({ filter: /\.svg$/ }, (args) =>
      args.kind === "url-token" ? { path: path.resolve(args.resolveDir, args.path), namespace: "svg-url" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "svg-url" }, (args) => ({
      contents: fs.readFileSync(args.path),
      loader: "dataurl",
    }));
  },
};

esbuild
  .build({
    entryPoints: [path.join(__dirname, "src", "index.js")],
    bundle: true,
    outdir: path.join(__dirname, "build"),
    format: "iife",
    platform: "browser",
    target: "chrome110",
    minify: true,
    sourcemap: false,
    logLevel: "warning",
    logOverride: { "invalid-@import": "silent" },
    define: { "process.env.NODE_ENV": '"production"', global: "window" },
    loader: {
      ".svg": "text",
      ".woff": "file",
      ".woff2": "file",
      ".ttf": "file",
      ".eot": "file",
      ".png": "dataurl",
      ".gif": "dataurl",
    },
    plugins: [plotlyBundle, svgInCss],
  })
  .catch(() => process.exit(1));
