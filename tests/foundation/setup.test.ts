/**
 * Specification of the project set-up: package.json, environment.yml and the kernelspec the set-up registers.
 */
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import { builtinModules } from "module";
import * as path from "path";
import * as yaml from "js-yaml";
import { DISPLAY_NAME, KERNEL_NAME, install, jupyterPython, kernelSpec } from "../../kernel/install";

const root = path.resolve(__dirname, "..", "..", "..");

describe("project set-up", () => {
  describe("environment.yml", () => {
    const env = yaml.load(fs.readFileSync(path.join(root, "environment.yml"), "utf8")) as {
      name: string;
      dependencies: string[];
    };
    const packages = env.dependencies.map((d) => d.split(/[<>=\s]/)[0]);

    it("is a valid conda file named trainlab", () => {
      assert.equal(env.name, "trainlab");
    });

    it("holds everything the README promises", () => {
      for (const name of ["python", "jupyterlab", "nbclient", "nbconvert", "plotly", "nodejs"])
        assert.ok(packages.includes(name), name);
      const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
      assert.match(readme, /conda env create -f environment\.yml/);
      for (const promised of readme.match(/environment\.yml[^\n]*provides: ([^\n]+)/)?.[1].split(/,\s*/) ?? []) {
        assert.ok(packages.includes(promised.replace(/[`.]/g, "").split(" ")[0]), `README promises ${promised}`);
      }
    });

    it("pins the versions the issue asks for", () => {
      assert.ok(env.dependencies.includes("python>=3.11"));
      assert.ok(env.dependencies.some((d) => /^jupyterlab>=4/.test(d)));
      assert.ok(env.dependencies.some((d) => /^nodejs>=20/.test(d)));
    });
  });

  describe("package.json", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    it("pins exact versions and carries the overrides this registry needs", () => {
      for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
        assert.match(String(version), /^\d+\.\d+\.\d+(-[\w.]+)?$/, `${name}@${version} is not exact`);
      }
      assert.equal(pkg.overrides["@uwdata/flechette"], "~2.6.0");
      assert.equal(pkg.overrides["danfojs-node"].xlsx, "0.18.5");
      assert.equal(pkg.overrides["danfojs-node"]["@tensorflow/tfjs-node"], "npm:@tensorflow/tfjs@4.22.0");
      assert.equal(pkg.dependencies["@tensorflow/tfjs-node-gpu"], undefined, "tfjs-node-gpu must stay optional");
    });

    it("declares every package the kernel imports as a direct dependency, at the version package-lock.json installs", () => {
      const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8"));
      const kernelDir = path.join(root, "kernel");
      const imported = new Set<string>();
      for (const file of fs.readdirSync(kernelDir).filter((f) => f.endsWith(".ts"))) {
        for (const m of fs
          .readFileSync(path.join(kernelDir, file), "utf8")
          .matchAll(/^import [^;]*?from "([^"]+)";|^import "([^"]+)";/gm)) {
          const spec = m[1] ?? m[2];
          if (spec.startsWith(".") || spec.startsWith("node:") || builtinModules.includes(spec)) continue;
          imported.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
        }
      }
      assert.ok(imported.has("zeromq") && imported.has("typescript"), [...imported].join(", "));
      for (const name of imported) {
        assert.ok(
          pkg.dependencies[name],
          `kernel/ imports ${name}, which package.json does not declare (it is only a transitive dependency)`,
        );
        assert.equal(
          pkg.dependencies[name],
          lock.packages[`node_modules/${name}`]?.version,
          `${name}: package.json and package-lock.json disagree`,
        );
      }
    });
  });

  describe("kernelspec", () => {
    it("describes the trainlab kernel with message interrupts", () => {
      const spec = kernelSpec();
      assert.equal(spec.display_name, "TypeScript (trainlab)");
      assert.equal(spec.interrupt_mode, "message");
      assert.equal(spec.language, "typescript");
    });

    it("is registered with Jupyter, and re-installing is harmless", () => {
      install([]);
      const where = install([]);
      const listed = JSON.parse(
        execFileSync(jupyterPython(), ["-m", "jupyter", "kernelspec", "list", "--json"]).toString(),
      );
      const spec = listed.kernelspecs[KERNEL_NAME];
      assert.ok(spec, "trainlab kernelspec is listed");
      assert.equal(spec.spec.display_name, DISPLAY_NAME);
      assert.equal(path.resolve(spec.resource_dir), path.resolve(where));
      assert.ok(fs.existsSync(path.join(where, "logo-64x64.png")));
      assert.ok(fs.existsSync(spec.spec.argv[1]), "argv points at the built kernel");
    });
  });
});
