from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.model.text_embedding import TextEmbeddingModelConfig
from dify_plugin.entities.tool import ToolInvokeMessage


class EmbedTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        note = self.session.storage.get("note:" + tool_parameters["name"]).decode()
        result = self.session.model.text_embedding.invoke(
            model_config=TextEmbeddingModelConfig(provider=tool_parameters["provider"], model=tool_parameters["model"]),
            texts=[note],
        )
        yield self.create_json_message({"vector": result.embeddings[0], "tokens": result.usage.total_tokens})
