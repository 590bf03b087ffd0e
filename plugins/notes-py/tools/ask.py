from collections.abc import Generator
from typing import Any

from dify_plugin import Tool
from dify_plugin.entities.model.llm import LLMModelConfig
from dify_plugin.entities.model.message import SystemPromptMessage, UserPromptMessage
from dify_plugin.entities.tool import ToolInvokeMessage


class AskTool(Tool):
    def _invoke(self, tool_parameters: dict[str, Any]) -> Generator[ToolInvokeMessage, None, None]:
        note = self.session.storage.get("note:" + tool_parameters["name"]).decode()
        result = self.session.model.llm.invoke(
            model_config=LLMModelConfig(
                provider=tool_parameters["provider"], model=tool_parameters["model"], mode="chat", completion_params={}
            ),
            prompt_messages=[SystemPromptMessage(content="Answer briefly."), UserPromptMessage(content=note)],
            stream=False,
        )
        yield self.create_text_message(result.message.content)
        yield self.create_json_message({"tokens": result.usage.total_tokens})
