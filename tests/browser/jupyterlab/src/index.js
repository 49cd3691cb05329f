/**
 * A JupyterLab 3.6 notebook page built from JupyterLab's own packages, the way JupyterLab's `examples/notebook`
 * assembles one: ServiceManager (REST + kernel websocket of the jupyter_server that serves this page),
 * DocumentManager + NotebookWidgetFactory (NotebookPanel with its default toolbar), the standard RenderMime
 * factories plus jupyterlab-plotly's mime renderer, Jupyter widgets (@jupyter-widgets/jupyterlab-manager's
 * WidgetManager and renderer, see registerWidgets), CodeMirror editors and the kernel completer.
 *
 * The page opens the notebook named by `?path=` (relative to the server's root) without starting a kernel; the
 * user picks one from the toolbar's kernel name, as in JupyterLab. Keyboard: Shift-Enter runs a cell, Tab
 * completes, Escape/Enter switch modes, I I interrupts. A "Run all" toolbar button runs every cell, like
 * JupyterLab's Run > Run All Cells; `document.body.dataset.runAll` says "running", "ok" or "stopped".
 * `window.trainlabLab` exposes the panel for tests that read the notebook model. Autosave is off: nothing is written
 * back to the server unless someone presses Save.
 */
import "@lumino/widgets/style/index.js";
import "@jupyterlab/theme-light-extension/style/variables.css";
import "@jupyterlab/notebook/style/index.js";
// base.css @imports these after its first rule, which CSS (and esbuild) ignore; webpack inlines them anyway.
import "@jupyterlab/notebook/style/toolbar.css";
import "@jupyterlab/notebook/style/executionindicator.css";
import "@jupyterlab/completer/style/index.js";
import "@jupyterlab/outputarea/style/index.js";
import "@jupyterlab/codemirror/style/index.js";
import "@jupyterlab/docmanager/style/index.js";
import "jupyterlab-plotly/style/index.css";
// The stylesheets @jupyter-widgets/jupyterlab-manager's plugin imports.
import "@jupyter-widgets/base/css/index.css";
import "@jupyter-widgets/controls/css/widgets-base.css";
import "./index.css";

import { CommandRegistry } from "@lumino/commands";
import { BoxPanel, Widget } from "@lumino/widgets";
import { PageConfig } from "@jupyterlab/coreutils";
import { ServiceManager } from "@jupyterlab/services";
import { sessionContextDialogs, ToolbarButton } from "@jupyterlab/apputils";
import { DocumentManager } from "@jupyterlab/docmanager";
import { DocumentRegistry } from "@jupyterlab/docregistry";
import { RenderMimeRegistry, standardRendererFactories } from "@jupyterlab/rendermime";
import { editorServices } from "@jupyterlab/codemirror";
import { NotebookActions, NotebookModelFactory, NotebookPanel, NotebookWidgetFactory } from "@jupyterlab/notebook";
import { Completer, CompleterModel, CompletionConnector, CompletionHandler } from "@jupyterlab/completer";
import { rendererFactory as plotlyRendererFactory } from "jupyterlab-plotly/lib/plotly-renderer";
import * as widgetsBase from "@jupyter-widgets/base";
import * as widgetsControls from "@jupyter-widgets/controls";
import { JUPYTER_CONTROLS_VERSION } from "@jupyter-widgets/controls/lib/version";
import { WidgetManager, WIDGET_VIEW_MIMETYPE } from "@jupyter-widgets/jupyterlab-manager/lib/manager";
import { WidgetRenderer } from "@jupyter-widgets/jupyterlab-manager/lib/renderer";
import { OutputModel, OutputView, OUTPUT_WIDGET_VERSION } from "@jupyter-widgets/jupyterlab-manager/lib/output";

const RUN_ALL = "notebook:run-all-cells";

async function main() {
  const path = new URLSearchParams(window.location.search).get("path") || PageConfig.getOption("notebookPath");
  if (!path) throw new Error("No notebook to open: add ?path=NAME.ipynb to the URL.");
  const manager = new ServiceManager();
  await manager.ready;

  const commands = new CommandRegistry();
  document.addEventListener("keydown", (event) => commands.processKeydownEvent(event), true);

  // The renderers JupyterLab ships, plus jupyterlab-plotly's (rank 0: preferred for application/vnd.plotly.v1+json).
  const rendermime = new RenderMimeRegistry({ initialFactories: standardRendererFactories });
  rendermime.addFactory(plotlyRendererFactory, 0);

  const docRegistry = new DocumentRegistry();
  const docManager = new DocumentManager({ registry: docRegistry, manager, opener: { open: () => undefined } });
  // Never write the notebook back: the page runs the project's own tutorials, which are committed without outputs.
  docManager.autosave = false;
  const editorFactory = editorServices.factoryService.newInlineEditor;
  const contentFactory = new NotebookPanel.ContentFactory({ editorFactory });
  docRegistry.addModelFactory(new NotebookModelFactory({}));
  docRegistry.addWidgetFactory(
    new NotebookWidgetFactory({
      name: "Notebook",
      modelName: "notebook",
      fileTypes: ["notebook"],
      defaultFor: ["notebook"],
      // Open without a kernel: the user picks one from the toolbar, as a new user does in JupyterLab.
      preferKernel: false,
      canStartKernel: true,
      rendermime,
      contentFactory,
      mimeTypeService: editorServices.mimeTypeService,
      sessionDialogs: sessionContextDialogs,
    }),
  );

  const panel = docManager.open(path, "Notebook");
  if (!panel) throw new Error(`Could not open ${path}.`);
  const notebook = panel.content;
  const widgetManager = registerWidgets(panel);

  // Completion: the kernel's complete_request through JupyterLab's completer widget.
  const completer = new Completer({ editor: null, model: new CompleterModel() });
  const handler = new CompletionHandler({
    completer,
    connector: new CompletionConnector({ session: null, editor: null }),
  });
  const connect = () => {
    const editor = notebook.activeCell ? notebook.activeCell.editor : null;
    const session = panel.sessionContext.session;
    handler.editor = editor;
    handler.connector = new CompletionConnector({ session, editor });
  };
  notebook.activeCellChanged.connect(connect);
  panel.sessionContext.sessionChanged.connect(connect);
  panel.sessionContext.kernelChanged.connect(connect);
  completer.hide();
  Widget.attach(completer, document.body);

  commands.addCommand("completer:invoke", {
    execute: () => {
      if (notebook.activeCell && notebook.activeCell.model.type === "code") return handler.invoke();
    },
  });
  commands.addCommand("completer:select", { execute: () => handler.completer.selectActive() });
  commands.addCommand("notebook:run-cell-and-select-next", {
    execute: () => NotebookActions.runAndAdvance(notebook, panel.sessionContext),
  });
  commands.addCommand(RUN_ALL, {
    label: "Run all",
    execute: async () => {
      document.body.dataset.runAll = "running";
      const ok = await NotebookActions.runAll(notebook, panel.sessionContext);
      document.body.dataset.runAll = ok ? "ok" : "stopped";
      return ok;
    },
  });
  commands.addCommand("notebook:interrupt-kernel", {
    execute: () =>
      panel.sessionContext.session &&
      panel.sessionContext.session.kernel &&
      panel.sessionContext.session.kernel.interrupt(),
  });
  commands.addCommand("notebook:enter-edit-mode", {
    execute: () => {
      notebook.mode = "edit";
    },
  });
  commands.addCommand("notebook:enter-command-mode", {
    execute: () => {
      notebook.mode = "command";
    },
  });
  commands.addKeyBinding({
    selector: ".jp-Notebook.jp-mod-editMode .jp-mod-completer-enabled",
    keys: ["Tab"],
    command: "completer:invoke",
  });
  commands.addKeyBinding({ selector: ".jp-mod-completer-active", keys: ["Enter"], command: "completer:select" });
  commands.addKeyBinding({
    selector: ".jp-Notebook",
    keys: ["Shift Enter"],
    command: "notebook:run-cell-and-select-next",
  });
  commands.addKeyBinding({
    selector: ".jp-Notebook.jp-mod-commandMode:focus",
    keys: ["I", "I"],
    command: "notebook:interrupt-kernel",
  });
  commands.addKeyBinding({
    selector: ".jp-Notebook.jp-mod-commandMode:focus",
    keys: ["Enter"],
    command: "notebook:enter-edit-mode",
  });
  commands.addKeyBinding({
    selector: ".jp-Notebook.jp-mod-editMode",
    keys: ["Escape"],
    command: "notebook:enter-command-mode",
  });

  panel.toolbar.insertAfter(
    "run",
    "run-all",
    new ToolbarButton({
      label: "Run all",
      className: "trainlab-run-all",
      tooltip: "Run all cells",
      onClick: () => void commands.execute(RUN_ALL),
    }),
  );

  const main = new BoxPanel();
  main.id = "main";
  main.addWidget(panel);
  Widget.attach(main, document.body);
  window.addEventListener("resize", () => main.update());

  await panel.context.ready;
  connect();
  window.trainlabLab = { panel, manager, commands, widgetManager };
  document.body.dataset.notebookReady = "true";
}

/**
 * Jupyter widgets as @jupyter-widgets/jupyterlab-manager's plugins set them up in JupyterLab (lib/plugin.js:
 * managerPlugin, baseWidgetsPlugin, controlWidgetsPlugin, outputWidgetPlugin, registerNotebookWidgetManager): one
 * WidgetManager for the panel's document context (it follows the session's kernel changes and restarts itself),
 * the base, controls and output widget modules registered with it, and a renderer of
 * application/vnd.jupyter.widget-view+json bound to it in the panel's own RenderMime (rank -10, as there). The
 * plugin waits for a kernel id before it creates the manager; the harness opens notebooks without a kernel, so the
 * manager is made at once and picks up the kernel when the user chooses one.
 */
function registerWidgets(panel) {
  const rendermime = panel.content.rendermime;
  const widgetManager = new WidgetManager(panel.context, rendermime, { saveState: false });
  widgetManager.register({
    name: "@jupyter-widgets/base",
    version: widgetsBase.JUPYTER_WIDGETS_VERSION,
    exports: {
      WidgetModel: widgetsBase.WidgetModel,
      WidgetView: widgetsBase.WidgetView,
      DOMWidgetView: widgetsBase.DOMWidgetView,
      DOMWidgetModel: widgetsBase.DOMWidgetModel,
      LayoutModel: widgetsBase.LayoutModel,
      LayoutView: widgetsBase.LayoutView,
      StyleModel: widgetsBase.StyleModel,
      StyleView: widgetsBase.StyleView,
      ErrorWidgetView: widgetsBase.ErrorWidgetView,
    },
  });
  widgetManager.register({
    name: "@jupyter-widgets/controls",
    version: JUPYTER_CONTROLS_VERSION,
    exports: widgetsControls,
  });
  widgetManager.register({
    name: "@jupyter-widgets/output",
    version: OUTPUT_WIDGET_VERSION,
    exports: { OutputModel, OutputView },
  });
  rendermime.removeMimeType(WIDGET_VIEW_MIMETYPE);
  rendermime.addFactory(
    {
      safe: false,
      mimeTypes: [WIDGET_VIEW_MIMETYPE],
      createRenderer: (options) => new WidgetRenderer(options, widgetManager),
    },
    -10,
  );
  panel.disposed.connect(() => widgetManager.dispose());
  return widgetManager;
}

main().catch((err) => {
  console.error(err);
  document.body.dataset.startError = String((err && err.stack) || err);
});
