from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.tool import ToolInvokeMessage


class RecallTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        key = "note:" + tool_parameters["name"]
        if not self.session.storage.exist(key):
            raise ValueError(f"no note named {tool_parameters['name']}")
        yield self.create_text_message(self.session.storage.get(key).decode())
