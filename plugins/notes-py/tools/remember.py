from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage


class RememberTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        name = tool_parameters["name"]
        self.session.storage.set("note:" + name, tool_parameters["text"].encode())
        yield self.create_text_message(f"remembered {name}")
        yield self.create_json_message({"name": name, "stored": True})
