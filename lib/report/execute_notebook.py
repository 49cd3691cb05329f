"""Executes one notebook in a fresh Jupyter kernel for trainlab's report runner (lib/report/run-notebooks.ts).

    python3 execute_notebook.py REQUEST.json

REQUEST.json: {"input": str, "output": str, "result": str, "kernel": str, "cwd": str, "timeout": int,
               "startup_timeout": int}

Runs every code cell in order with nbclient and stops at the first failing cell. Writes, to "result", a JSON
object: {"ok": bool, "seconds": float, "language_info": {...}, "rendered": {...}, "error": {...}}.
On success the executed notebook goes to "output"; "rendered" carries the HTML of markdown cells, markdown
outputs and syntax-highlighted code, so the TypeScript side assembles the page without a markdown parser.
Exit status: 0 on success, 3 when a cell failed, 4 when the kernel could not start or died.
"""
import json
import sys
import time
import traceback


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as handle:
        request = json.load(handle)
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(request["input"], as_version=4)
    state = {"index": None}

    total = len(nb.cells)
    progress = bool(request.get("progress"))

    def on_cell_start(cell, cell_index):
        state["index"] = cell_index
        if progress and cell.cell_type == "code":
            print(f"cell {cell_index + 1}/{total}", flush=True)

    client = NotebookClient(
        nb,
        kernel_name=request.get("kernel", "trainlab"),
        timeout=request.get("timeout", 900),
        startup_timeout=request.get("startup_timeout", 120),
        allow_errors=False,
        record_timing=True,
        resources={"metadata": {"path": request["cwd"]}},
        on_cell_start=on_cell_start,
    )
    started = time.time()
    result = {"ok": False}
    status = 0
    try:
        client.execute()
        result["ok"] = True
    except (CellExecutionError, CellTimeoutError) as err:
        result["error"] = describe_failure(nb, state["index"], err)
        status = 3
    except DeadKernelError as err:
        result["error"] = describe_failure(nb, state["index"], err, kind="the kernel died")
        status = 4
    except Exception as err:  # kernel did not start, missing kernelspec, ...
        result["error"] = {
            "kind": "kernel",
            "message": f"{type(err).__name__}: {err}",
            "traceback": traceback.format_exc(),
            "cellIndex": state["index"],
        }
        status = 4
    result["seconds"] = time.time() - started
    result["language_info"] = nb.metadata.get("language_info", {})
    if result["ok"]:
        nbformat.write(nb, request["output"])
        result["rendered"] = render(nb)
    with open(request["result"], "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    return status


def describe_failure(nb, index, err, kind="a cell failed"):
    """Where and why execution stopped: cell position, its source, and the error the kernel reported."""
    info = {"kind": kind, "cellIndex": index, "message": str(err)}
    for name in ("ename", "evalue"):
        if getattr(err, name, None):
            info[name] = getattr(err, name)
    if index is not None and index < len(nb.cells):
        cell = nb.cells[index]
        info["codeCellNumber"] = sum(1 for c in nb.cells[: index + 1] if c.cell_type == "code")
        info["source"] = cell.source
        details = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                details.append("\n".join(output.get("traceback", [])) or f"{output.get('ename')}: {output.get('evalue')}")
            elif output.get("output_type") == "stream" and output.get("name") == "stderr":
                details.append(output.get("text", ""))
        info["outputs"] = "\n".join(details)
    return info


def render(nb):
    """HTML for markdown cells and markdown outputs, and highlighted code, keyed by cell index."""
    from nbconvert.filters import markdown2html
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import TypeScriptLexer

    lexer = TypeScriptLexer()
    formatter = HtmlFormatter(nowrap=True)
    rendered = {"markdown": {}, "code": {}, "outputMarkdown": {}, "css": HtmlFormatter().get_style_defs(".highlight")}
    for index, cell in enumerate(nb.cells):
        key = str(index)
        if cell.cell_type == "markdown":
            rendered["markdown"][key] = markdown2html(cell.source)
        elif cell.cell_type == "code":
            rendered["code"][key] = highlight(cell.source, lexer, formatter)
            for j, output in enumerate(cell.get("outputs", [])):
                data = output.get("data", {})
                if "text/markdown" in data and "text/html" not in data:
                    text = data["text/markdown"]
                    rendered["outputMarkdown"][f"{index}:{j}"] = markdown2html("".join(text) if isinstance(text, list) else text)
    return rendered


if __name__ == "__main__":
    sys.exit(main())
