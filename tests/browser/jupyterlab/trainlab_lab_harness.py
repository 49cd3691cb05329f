"""A jupyter_server extension that serves the JupyterLab harness page (tests/browser/jupyterlab/build).

    PYTHONPATH=tests/browser/jupyterlab python3 -m jupyter_server \
        --ServerApp.jpserver_extensions='{"trainlab_lab_harness": True}' --ServerApp.root_dir=notebooks

then open http://HOST:PORT/trainlab-lab?path=04-train.ipynb&token=TOKEN. The page gets JupyterLab's page config
(base URL, token) the way JupyterLab's own page does: a JSON script with id "jupyter-config-data".
"""
import json
import os

import tornado.web
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join

BUILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "build")


class HarnessPage(JupyterHandler):
    """The notebook page: the bundle plus the page config JupyterLab's services read."""

    @tornado.web.authenticated
    def get(self):
        config = {
            "baseUrl": self.base_url,
            "wsUrl": "",
            "token": self.settings.get("token", ""),
            "appName": "trainlab JupyterLab harness",
            "notebookPath": self.get_argument("path", ""),
        }
        static = url_path_join(self.base_url, "trainlab-lab", "static")
        data = json.dumps(config).replace("</", "<\\/")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.write(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>trainlab · JupyterLab</title>"
            f"<link rel=\"stylesheet\" href=\"{static}/index.css\">"
            f"<script id=\"jupyter-config-data\" type=\"application/json\">{data}</script>"
            f"</head><body class=\"jp-ThemedContainer\"><script src=\"{static}/index.js\"></script></body></html>"
        )


def _jupyter_server_extension_points():
    return [{"module": "trainlab_lab_harness"}]


def _load_jupyter_server_extension(serverapp):
    if not os.path.exists(os.path.join(BUILD, "index.js")):
        raise RuntimeError(f"The JupyterLab harness is not built: run `node build.js` in {os.path.dirname(BUILD)}.")
    base = serverapp.web_app.settings["base_url"]
    serverapp.web_app.add_handlers(".*$", [
        (url_path_join(base, "trainlab-lab"), HarnessPage),
        (url_path_join(base, "trainlab-lab", "static", "(.*)"), tornado.web.StaticFileHandler, {"path": BUILD}),
    ])


# jupyter_server before 2 also looks for the name without the leading underscore.
load_jupyter_server_extension = _load_jupyter_server_extension
