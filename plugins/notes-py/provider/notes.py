from typing import Any

from dify_plugin import ToolProvider
from dify_plugin.errors.tool import ToolProviderCredentialValidationError


class NotesProvider(ToolProvider):
    def _validate_credentials(self, credentials: dict[str, Any]) -> None:
        if not str(credentials.get("api_key", "")).startswith("nk-"):
            raise ToolProviderCredentialValidationError("the API key must start with nk-")
