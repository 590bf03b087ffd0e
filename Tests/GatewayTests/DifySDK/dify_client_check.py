"""Drives Relay with Dify's official Python SDK (dify-client), as an existing Dify client would.

Usage: python dify_client_check.py BASE_URL CHAT_KEY COMPLETION_KEY
Prints one JSON object of what it saw; exits non-zero at the first answer that is not what a Dify server gives.
"""
import io
import json
import sys

from dify_client import ChatClient, CompletionClient

base_url, chat_key, completion_key = sys.argv[1:4]
seen = {}


def check(condition, what):
    if not condition:
        print(json.dumps({"failed": what, "seen": seen}))
        sys.exit(1)


def ok(response, what):
    check(response.status_code in (200, 201), f"{what}: HTTP {response.status_code} {response.text}")
    return response.json()


chat = ChatClient(chat_key)
chat.base_url = base_url
completion = CompletionClient(completion_key)
completion.base_url = base_url

parameters = ok(chat.get_application_parameters("sdk-user"), "parameters")
seen["opening_statement"] = parameters["opening_statement"]

png = b"\x89PNG\r\n\x1a\n" + b"\x07" * 100
uploaded = ok(chat.file_upload("sdk-user", {"file": ("pixel.png", io.BytesIO(png), "image/png")}), "file upload")
seen["upload"] = {key: uploaded[key] for key in ("name", "size", "extension", "mime_type")}

blocking = ok(
    chat.create_chat_message(
        {}, "hello sdk", "sdk-user",
        files=[{"type": "image", "transfer_method": "local_file", "upload_file_id": uploaded["id"]}],
    ),
    "blocking chat",
)
seen["blocking_answer"] = blocking["answer"]
conversation_id = blocking["conversation_id"]

streamed = chat.create_chat_message({}, "streamed words", "sdk-user", response_mode="streaming", conversation_id=conversation_id)
check(streamed.status_code == 200, f"streaming chat: HTTP {streamed.status_code}")
answer, events = "", []
for line in streamed.iter_lines(decode_unicode=True):
    if line and line.startswith("data: "):
        event = json.loads(line[len("data: "):])
        events.append(event["event"])
        if event["event"] == "message":
            answer += event["answer"]
seen["streamed_answer"] = answer
seen["streamed_events"] = events

messages = ok(chat.get_conversation_messages("sdk-user", conversation_id=conversation_id), "messages")
seen["message_queries"] = [message["query"] for message in messages["data"]]

conversations = ok(chat.get_conversations("sdk-user", limit=10), "conversations")
seen["conversation_count"] = len(conversations["data"])

renamed = ok(chat.rename_conversation(conversation_id, "Renamed by the SDK", "sdk-user"), "rename")
seen["renamed"] = renamed["name"]

feedback = ok(chat.message_feedback(blocking["message_id"], "like", "sdk-user"), "feedback")
seen["feedback"] = feedback["result"]
rated = ok(chat.get_conversation_messages("sdk-user", conversation_id=conversation_id), "messages after feedback")
seen["first_rating"] = (rated["data"][0]["feedback"] or {}).get("rating")

completed = ok(completion.create_completion_message({"topic": "tides"}, "blocking", "sdk-user"), "completion")
seen["completion_answer"] = completed["answer"]

print(json.dumps(seen))
