"""Drives Relay's knowledge API with the third-party dify-dataset-sdk (DifyDatasetClient), whose strict pydantic
response models parse every answer.

Usage: python dataset_sdk_check.py BASE_URL DATASET_KEY   (BASE_URL like http://127.0.0.1:PORT/v1; the SDK adds /v1
itself, so a trailing /v1 is dropped). The SDK comes from scripts/knowledge-sdk-env. The first answer that is not what a
Dify server gives (or that the SDK's models reject) prints one JSON line naming the call, the status and the body, and
exits 1. The last line printed is one JSON object summarising what was seen (no ids).
"""
import json
import os
import sys
import tempfile
import time
import uuid

from dify_dataset_sdk import DifyDatasetClient
from dify_dataset_sdk.datasets.models import RetrievalModel
from dify_dataset_sdk.documents.models import ProcessRule
from sdk_check_support import check, fail, last, remember, seen

base_url, key = sys.argv[1:3]
root = base_url.rstrip("/")
if root.endswith("/v1"):
    root = root[: -len("/v1")]


def call(what, fn, *args, expect=(200,), **kwargs):
    """Runs one SDK call (which parses the answer into its models); the HTTP status must be one of `expect`."""
    last.clear()
    try:
        result = fn(*args, **kwargs)
    except Exception as error:  # DifyError for 4xx/5xx, pydantic's ValidationError for a body its models reject
        fail(what, error=f"{type(error).__name__}: {error}")
    check(last.get("status") in expect, f"{what}: HTTP {last.get('status')}, expected {expect}")
    return result


def wait_indexed(dataset_id, batch, what):
    deadline = time.time() + 30
    while True:
        status = call(f"{what}: indexing status", client.documents.get_indexing_status, dataset_id, batch)
        check(status.data, f"{what}: indexing status lists no document")
        states = [item.indexing_status for item in status.data]
        if all(state in ("completed", "error", "paused") for state in states):
            check(states == ["completed"] * len(states), f"{what}: indexing ended {states}")
            return status.data
        check(time.time() < deadline, f"{what}: not indexed within 30 s ({states})")
        time.sleep(0.2)


suffix = uuid.uuid4().hex[:6]
name = f"Dataset SDK Rivers {suffix}"
client = DifyDatasetClient(api_key=key, base_url=root)
client._base._client.event_hooks["response"] = [remember]

# Datasets.
dataset = call("create dataset", client.datasets.create, name=name, description="Rivers and deltas", indexing_technique="economy")
check(dataset.name == name and dataset.indexing_technique == "economy" and dataset.permission == "only_me", "create dataset: name, technique, permission")
dataset_id = dataset.id
found = call("list datasets by keyword", client.datasets.list, keyword=f"SDK Rivers {suffix}")
check([item["id"] for item in found.data] == [dataset_id], "list datasets by keyword: a substring of the name finds it alone")
got = call("get dataset", client.datasets.get, dataset_id)
check(got.name == name and got.document_count == 0, "get dataset: name, document_count")
updated = call("update dataset", client.datasets.update, dataset_id, name=f"Dataset SDK Deltas {suffix}", description="Deltas")
check(updated.name == f"Dataset SDK Deltas {suffix}" and updated.description == "Deltas", "update dataset: name, description")
seen["dataset"] = {"indexing_technique": got.indexing_technique, "keyword_hits": len(found.data), "description": updated.description,
                   "search_method": got.retrieval_model.search_method if got.retrieval_model else None}

# Documents.
rule = ProcessRule(mode="custom", rules={
    "pre_processing_rules": [{"id": "remove_extra_spaces", "enabled": True}, {"id": "remove_urls_emails", "enabled": False}],
    "segmentation": {"separator": "\n\n", "max_tokens": 200},
})
text = "The Nile floods every summer.\n\nIts delta fans out into the Mediterranean."
by_text = call("create document by text", client.documents.create_by_text, dataset_id, name="nile.txt", text=text,
               indexing_technique="economy", doc_form="text_model", process_rule=rule)
check(by_text.document.name == "nile.txt" and by_text.document.doc_form == "text_model", "create document by text: name, doc_form")
text_id = by_text.document.id
indexed = wait_indexed(dataset_id, by_text.batch, "document by text")
folder = tempfile.mkdtemp(prefix="dataset-sdk-")
path = os.path.join(folder, "amazon.txt")
with open(path, "w") as handle:
    handle.write("The Amazon carries more water than any other river.\n\nIts mouth has no delta.\n")
by_file = call("create document by file", client.documents.create_by_file, dataset_id, path, indexing_technique="economy", process_rule=rule)
check(by_file.document.name == "amazon.txt", "create document by file: name")
file_id = by_file.document.id
wait_indexed(dataset_id, by_file.batch, "document by file")
documents = call("list documents", client.documents.list, dataset_id)
check(documents.total == 2, "list documents: total")
by_keyword = call("list documents by keyword", client.documents.list, dataset_id, keyword="amaz")
check([item["name"] for item in by_keyword.data] == ["amazon.txt"], "list documents by keyword: amazon.txt")
one = call("get document", client.documents.get, dataset_id, text_id)
check(one.name == "nile.txt" and one.indexing_status == "completed" and one.enabled and not one.archived, "get document: state")
seen["documents"] = {"total": documents.total, "by_keyword": [item["name"] for item in by_keyword.data], "segments": indexed[0].total_segments,
                     "display_status": one.display_status}

# Segments.
segments = call("list segments", client.segments.list, dataset_id, text_id)
check(len(segments.data) == 2 and segments.doc_form == "text_model", "list segments: two segments, text_model")
filtered = call("list segments by keyword and status", client.segments.list, dataset_id, text_id, keyword="delta", status="completed")
check(len(filtered.data) == 1 and "delta" in filtered.data[0].content, "list segments by keyword: the delta paragraph")
added = call("add segments", client.segments.create, dataset_id, text_id, [{"content": "The Blue Nile starts at Lake Tana.", "keywords": ["tana"]}])
check(len(added.data) == 1 and added.data[0].content == "The Blue Nile starts at Lake Tana.", "add segments: content")
segment_id = added.data[0].id
single = call("get segment", client.segments.get, dataset_id, text_id, segment_id)
check(single.get("data", {}).get("content") == "The Blue Nile starts at Lake Tana." and single.get("doc_form") == "text_model", "get segment: data.content, doc_form")
changed = call("update segment", client.segments.update, dataset_id, text_id, segment_id, {"content": "The Blue Nile rises at Lake Tana.", "keywords": ["tana"], "enabled": True})
check(changed.get("data", {}).get("content") == "The Blue Nile rises at Lake Tana.", "update segment: data.content")
call("delete segment", client.segments.delete, dataset_id, text_id, segment_id, expect=(200, 204))
after = call("list segments after delete", client.segments.list, dataset_id, text_id)
seen["segments"] = {"listed": len(segments.data), "by_keyword": len(filtered.data), "after_delete": len(after.data)}

# Child chunks: a second dataset holding a parent-child (hierarchical_model) document.
parents = call("create hierarchical dataset", client.datasets.create, name=f"Dataset SDK Chunks {suffix}", indexing_technique="economy")
hierarchical = ProcessRule(mode="hierarchical", rules={
    "pre_processing_rules": [{"id": "remove_extra_spaces", "enabled": True}],
    "segmentation": {"separator": "\n\n", "max_tokens": 500},
    "parent_mode": "paragraph",
    "subchunk_segmentation": {"separator": ". ", "max_tokens": 100},
})
nested = call("create hierarchical document", client.documents.create_by_text, parents.id, name="deltas.txt",
              text="Deltas form where rivers slow. Sand settles first. Silt travels further.\n\nSome deltas are arcuate. Others look like a bird's foot.",
              indexing_technique="economy", doc_form="hierarchical_model", process_rule=hierarchical)
check(nested.document.doc_form == "hierarchical_model", "create hierarchical document: doc_form")
wait_indexed(parents.id, nested.batch, "hierarchical document")
parent_segments = call("list parent segments", client.segments.list, parents.id, nested.document.id)
check(len(parent_segments.data) == 2 and parent_segments.doc_form == "hierarchical_model", "list parent segments: two paragraphs")
parent_id = parent_segments.data[0].id
children = call("list child chunks", client.segments.list_child_chunks, parents.id, nested.document.id, parent_id)
check(len(children.data) >= 2, "list child chunks: the paragraph's sentences")
child = call("add child chunk", client.segments.create_child_chunk, parents.id, nested.document.id, parent_id, content="Mud comes last.")
check(child.get("data", {}).get("content") == "Mud comes last.", "add child chunk: data.content")
child_id = child["data"]["id"]
edited = call("update child chunk", client.segments.update_child_chunk, parents.id, nested.document.id, parent_id, child_id, content="Clay settles last.")
check(edited.get("data", {}).get("content") == "Clay settles last.", "update child chunk: data.content")
more = call("list child chunks after add", client.segments.list_child_chunks, parents.id, nested.document.id, parent_id)
call("delete child chunk", client.segments.delete_child_chunk, parents.id, nested.document.id, parent_id, child_id, expect=(200, 204))
fewer = call("list child chunks after delete", client.segments.list_child_chunks, parents.id, nested.document.id, parent_id)
check(len(fewer.data) == len(children.data) and len(more.data) == len(children.data) + 1, "child chunks: one added, one deleted")
seen["child_chunks"] = {"parents": len(parent_segments.data), "children": len(children.data), "after_add": len(more.data), "after_delete": len(fewer.data)}
call("delete hierarchical dataset", client.datasets.delete, parents.id, expect=(204,))

# Metadata.
field = call("create metadata field", client.metadata.create, dataset_id, field_type="string", name="basin", expect=(201,))
check(field.name == "basin" and field.type == "string", "create metadata field: name, type")
fields = call("list metadata fields", client.metadata.list, dataset_id)
check([item.name for item in fields.doc_metadata] == ["basin"], "list metadata fields: basin")
renamed = call("rename metadata field", client.metadata.update, dataset_id, field.id, name="region")
check(renamed.name == "region", "rename metadata field: name")
on = call("enable built-in metadata", client.metadata.toggle_built_in, dataset_id, "enable")
check(on == {"result": "success"}, "enable built-in metadata: result")
enabled_state = call("list metadata after enable", client.metadata.list, dataset_id).built_in_field_enabled
off = call("disable built-in metadata", client.metadata.toggle_built_in, dataset_id, "disable")
check(off == {"result": "success"}, "disable built-in metadata: result")
disabled_state = call("list metadata after disable", client.metadata.list, dataset_id).built_in_field_enabled
values = call("set document metadata", client.metadata.update_document_metadata, dataset_id,
              [{"document_id": text_id, "metadata_list": [{"id": field.id, "name": "region", "value": "Africa"}]}])
check(values == {"result": "success"}, "set document metadata: result")
seen["metadata"] = {"created": field.name, "renamed": renamed.name, "enabled_after_enable": enabled_state, "enabled_after_disable": disabled_state}

# Retrieval.
keyword_search = dict(search_method="keyword_search", reranking_enable=False, top_k=5, score_threshold_enabled=False)
plain = call("retrieve", client.datasets.retrieve, dataset_id, "delta river", retrieval_model=RetrievalModel(**keyword_search))
check(plain.query.content == "delta river" and plain.records, "retrieve: query.content and records")
africa = call("retrieve filtered by metadata", client.datasets.retrieve, dataset_id, "delta river", retrieval_model=RetrievalModel(
    **keyword_search, metadata_filtering_conditions={"logical_operator": "and", "conditions": [{"name": "region", "comparison_operator": "is", "value": "Africa"}]}))
names = sorted({record.segment.document.name for record in africa.records if record.segment.document})
check(names == ["nile.txt"], "retrieve filtered by metadata: only nile.txt")
seen["retrieve"] = {"records": len(plain.records), "filtered_documents": names}

# Tags.
tag = call("create tag", client.tags.create, name=f"river-{suffix}")
check(tag.name == f"river-{suffix}", "create tag: name")
check(any(item.id == tag.id for item in call("list tags", client.tags.list)), "list tags: the new tag")
call("rename tag", client.tags.update, tag.id, name=f"stream-{suffix}")
call("bind tag", client.tags.bind_to_dataset, dataset_id, tag_ids=[tag.id], expect=(200, 204))
call("unbind tag", client.tags.unbind_from_dataset, dataset_id, tag_id=tag.id, expect=(200, 204))
call("delete tag", client.tags.delete, tag.id, expect=(200, 204))
seen["tags"] = {"created": True}

# Document status, update, delete.
for action in ("disable", "enable", "archive", "un_archive"):
    result = call(f"document status {action}", client.documents.batch_update_status, dataset_id, action, [file_id])
    check(result == {"result": "success"}, f"document status {action}: result")
state = call("get document after status changes", client.documents.get, dataset_id, file_id)
check(state.enabled and not state.archived, "document status: enabled and not archived again")
replaced = call("update document by text", client.documents.update_by_text, dataset_id, text_id, name="nile-2.txt", text="The Nile is long.\n\nIt flows north.")
check(replaced.document.name == "nile-2.txt", "update document by text: name")
wait_indexed(dataset_id, replaced.batch, "document updated by text")
with open(path, "w") as handle:
    handle.write("The Amazon basin is the largest.\n")
refiled = call("update document by file", client.documents.update_by_file, dataset_id, file_id, path)
check(refiled.document.id == file_id, "update document by file: same document")
wait_indexed(dataset_id, refiled.batch, "document updated by file")
call("delete document", client.documents.delete, dataset_id, file_id, expect=(204,))
remaining = call("list documents after delete", client.documents.list, dataset_id)
call("delete metadata field", client.metadata.delete, dataset_id, field.id, expect=(204,))
call("delete dataset", client.datasets.delete, dataset_id, expect=(204,))
gone = call("list datasets after delete", client.datasets.list, keyword=f"SDK Deltas {suffix}")
check(gone.data == [], "list datasets after delete: gone")
seen["final"] = {"updated_name": replaced.document.name, "documents_left": remaining.total, "dataset_gone": True}

print(json.dumps(seen))
