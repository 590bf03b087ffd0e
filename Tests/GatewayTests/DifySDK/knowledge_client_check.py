"""Drives Relay's knowledge API with Dify's official Python SDK's knowledge client (dify_client.KnowledgeBaseClient),
as an existing Dify client would.

Usage: python knowledge_client_check.py BASE_URL DATASET_KEY   (BASE_URL like http://127.0.0.1:PORT/v1)
The SDK comes from scripts/knowledge-sdk-env (PyPI's dify-python-sdk, which republishes the official SDK's code:
the official dify-client on the index stops at 0.1.10, before KnowledgeBaseClient). Every call asserts what a Dify
server answers; the first mismatch prints one JSON line naming the call, the status and the body, and exits 1.
The last line printed is one JSON object summarising what was seen (no ids).
A few routes the SDK has no method for (get one document, list documents by status, create/delete a tag, delete a
metadata field) go through the SDK's own transport, `_send_request`, so they use its headers and base URL.
"""
import json
import os
import sys
import tempfile
import time
import uuid

from dify_client import KnowledgeBaseClient
from sdk_check_support import check, fail, last, remember, seen

base_url, key = sys.argv[1:3]


def call(what, fn, *args, expect=(200,), **kwargs):
    """Runs one SDK call; the response must have one of `expect`. Returns the parsed body (None when empty)."""
    last.clear()
    try:
        response = fn(*args, **kwargs)
    except Exception as error:  # the SDK raises on 4xx/5xx
        fail(what, error=f"{type(error).__name__}: {error}")
    check(response.status_code in expect, f"{what}: HTTP {response.status_code}, expected {expect}")
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        fail(f"{what}: body is not JSON")


def wait_indexed(kb, batch, what):
    deadline = time.time() + 30
    while True:
        body = call(f"{what}: indexing status", kb.batch_indexing_status, batch)
        items = body.get("data") or []
        check(items, f"{what}: indexing status lists no document")
        for item in items:
            for field in ("id", "indexing_status", "completed_segments", "total_segments"):
                check(field in item, f"{what}: indexing status has no {field}")
        states = [item["indexing_status"] for item in items]
        if all(state in ("completed", "error", "paused") for state in states):
            check(states == ["completed"] * len(states), f"{what}: indexing ended {states}")
            return items
        check(time.time() < deadline, f"{what}: not indexed within 30 s ({states})")
        time.sleep(0.2)


suffix = uuid.uuid4().hex[:6]
name = f"SDK Tides {suffix}"
kb = KnowledgeBaseClient(key, base_url=base_url)
kb._client.event_hooks["response"] = [remember]

# Datasets: the SDK's create sends only the name; the technique comes with the update.
created = call("create dataset", kb.create_dataset, name)
check(created.get("name") == name, "create dataset: name")
for field in ("id", "permission", "document_count", "word_count", "app_count", "created_at", "indexing_technique", "retrieval_model_dict"):
    check(field in created, f"create dataset: no {field}")
seen["created"] = {"name_matches": True, "indexing_technique": created["indexing_technique"], "document_count": created["document_count"], "permission": created["permission"]}
kb.dataset_id = created["id"]

renamed = f"SDK Tidal notes {suffix}"
updated = call("update dataset", kb.update_dataset, name=renamed, description="Notes on tides", indexing_technique="economy")
check(updated.get("name") == renamed and updated.get("description") == "Notes on tides", "update dataset: name and description")
check(updated.get("indexing_technique") == "economy", "update dataset: indexing_technique")

got = call("get dataset", kb.get_dataset)
check(got.get("name") == renamed and got.get("indexing_technique") == "economy", "get dataset: name and technique")
check(got.get("embedding_available") is True, "get dataset: embedding_available (economy datasets report true)")
seen["dataset"] = {"description": got.get("description"), "indexing_technique": got["indexing_technique"], "search_method": (got.get("retrieval_model_dict") or {}).get("search_method")}

listed = call("list datasets", kb.list_datasets, page=1, page_size=100)
for field in ("data", "has_more", "limit", "total", "page"):
    check(field in listed, f"list datasets: no {field}")
check(any(item.get("id") == kb.dataset_id for item in listed["data"]), "list datasets: the new dataset is missing")
seen["datasets_listed"] = {"limit": listed["limit"], "page": listed["page"], "contains_new": True}

# Documents by text and by file, economy indexing, paragraphs as segments.
rule = {
    "mode": "custom",
    "rules": {
        "pre_processing_rules": [{"id": "remove_extra_spaces", "enabled": True}, {"id": "remove_urls_emails", "enabled": False}],
        "segmentation": {"separator": "\n\n", "max_tokens": 200},
    },
}
tides = "Spring tides follow the new and the full moon.\n\nNeap tides come at the quarter moons, when the sun pulls across."
by_text = call("create document by text", kb.create_document_by_text, "tides.txt", tides,
               extra_params={"indexing_technique": "economy", "process_rule": rule})
check(by_text.get("batch") and by_text.get("document", {}).get("name") == "tides.txt", "create document by text: batch and document.name")
document = by_text["document"]
for field in ("id", "position", "data_source_type", "indexing_status", "enabled", "archived", "doc_form", "created_from", "display_status", "word_count", "hit_count"):
    check(field in document, f"create document by text: document has no {field}")
check(document["data_source_type"] == "upload_file" and document["created_from"] == "api", "create document by text: data_source_type upload_file, created_from api")
text_id = document["id"]
indexed = wait_indexed(kb, by_text["batch"], "document by text")
seen["text_document"] = {"doc_form": document["doc_form"], "segments": indexed[0]["total_segments"]}

folder = tempfile.mkdtemp(prefix="knowledge-sdk-")
path = os.path.join(folder, "harbour.txt")
with open(path, "w") as handle:
    handle.write("The harbour master posts the tide tables every morning.\n\nShips wait for high water at the bar.\n")
by_file = call("create document by file", kb.create_document_by_file, path, extra_params={"indexing_technique": "economy", "process_rule": rule})
check(by_file.get("document", {}).get("name") == "harbour.txt", "create document by file: document.name")
check(by_file["document"].get("data_source_type") == "upload_file", "create document by file: data_source_type")
file_id = by_file["document"]["id"]
indexed = wait_indexed(kb, by_file["batch"], "document by file")
seen["file_document"] = {"name": by_file["document"]["name"], "segments": indexed[0]["total_segments"]}

documents = call("list documents", kb.list_documents, page=1, page_size=20)
for field in ("data", "has_more", "limit", "total", "page"):
    check(field in documents, f"list documents: no {field}")
check(documents["total"] == 2, "list documents: total")
matching = call("list documents by keyword", kb.list_documents, keyword="harb")
check([item["name"] for item in matching["data"]] == ["harbour.txt"], "list documents by keyword: only harbour.txt")
available = call("list documents by status", kb._send_request, "GET", f"/datasets/{kb.dataset_id}/documents", params={"status": "available"})
seen["documents"] = {"total": documents["total"], "by_keyword": [item["name"] for item in matching["data"]], "available": available["total"]}

one = call("get document", kb._send_request, "GET", f"/datasets/{kb.dataset_id}/documents/{text_id}")
check(one.get("name") == "tides.txt" and one.get("indexing_status") == "completed", "get document: name and indexing_status")
check("doc_metadata" in one and "segment_count" in one, "get document: doc_metadata and segment_count")

# Segments.
segments = call("list segments", kb.query_segments, text_id)
for field in ("data", "doc_form", "total"):
    check(field in segments, f"list segments: no {field}")
check(len(segments["data"]) == 2, "list segments: two paragraphs, two segments")
for field in ("id", "position", "document_id", "content", "word_count", "tokens", "keywords", "index_node_id", "index_node_hash", "hit_count", "enabled", "status", "created_at"):
    check(field in segments["data"][0], f"list segments: segment has no {field}")
filtered = call("list segments by keyword and status", kb.query_segments, text_id, keyword="Neap", status="completed")
check(len(filtered["data"]) == 1 and filtered["data"][0]["content"].startswith("Neap"), "list segments by keyword: the Neap paragraph")

added = call("add segments", kb.add_segments, text_id, [{"content": "King tides are the highest of the year.", "keywords": ["king", "tide"]}])
check(len(added.get("data", [])) == 1 and added["data"][0]["content"] == "King tides are the highest of the year.", "add segments: content")
check(added.get("doc_form") == "text_model", "add segments: doc_form")
segment_id = added["data"][0]["id"]
changed = call("update segment", kb.update_document_segment, text_id, segment_id,
               {"content": "King tides are the highest tides of the year.", "keywords": ["king"], "enabled": True})
check(changed.get("data", {}).get("content") == "King tides are the highest tides of the year.", "update segment: content")
check(changed["data"].get("keywords") == ["king"], "update segment: keywords")
call("delete segment", kb.delete_document_segment, text_id, segment_id, expect=(200, 204))
after = call("list segments after delete", kb.query_segments, text_id)
seen["segments"] = {"listed": len(segments["data"]), "by_keyword": len(filtered["data"]), "added": len(added["data"]), "after_delete": len(after["data"]), "doc_form": segments["doc_form"]}

# Metadata.
field = call("create metadata field", kb.create_dataset_metadata, {"type": "string", "name": "author"}, expect=(201,))
check(field.get("name") == "author" and field.get("type") == "string" and field.get("id"), "create metadata field: name, type, id")
metadata_id = field["id"]
fields = call("list metadata fields", kb.get_dataset_metadata)
check("doc_metadata" in fields and "built_in_field_enabled" in fields, "list metadata fields: doc_metadata and built_in_field_enabled")
check([item["name"] for item in fields["doc_metadata"]] == ["author"], "list metadata fields: author")
check("count" in fields["doc_metadata"][0], "list metadata fields: count")
renamed_field = call("rename metadata field", kb.update_dataset_metadata, metadata_id, {"name": "writer"})
check(renamed_field.get("name") == "writer", "rename metadata field: name")
built_in = call("built-in metadata fields", kb.get_built_in_metadata)
built_in_names = [item.get("name") for item in built_in.get("fields", [])]
check({"document_name", "uploader", "upload_date", "last_update_date", "source"} <= set(built_in_names), "built-in metadata fields: names")
enabled = call("enable built-in metadata", kb.manage_built_in_metadata, "enable")
check(enabled == {"result": "success"}, "enable built-in metadata: result")
enabled_state = call("list metadata fields after enable", kb.get_dataset_metadata)["built_in_field_enabled"]
disabled = call("disable built-in metadata", kb.manage_built_in_metadata, "disable")
check(disabled == {"result": "success"}, "disable built-in metadata: result")
disabled_state = call("list metadata fields after disable", kb.get_dataset_metadata)["built_in_field_enabled"]
values = call("set document metadata", kb.update_documents_metadata,
              [{"document_id": text_id, "metadata_list": [{"id": metadata_id, "name": "writer", "value": "Ada"}]}])
check(values == {"result": "success"}, "set document metadata: result")
tagged = call("get document with metadata", kb._send_request, "GET", f"/datasets/{kb.dataset_id}/documents/{text_id}")
writer = [item for item in tagged.get("doc_metadata") or [] if item.get("name") == "writer"]
check(len(writer) == 1 and writer[0].get("value") == "Ada", "get document: doc_metadata has writer = Ada")
counted = call("list metadata fields after values", kb.get_dataset_metadata)
seen["metadata"] = {
    "created": field["name"], "renamed": renamed_field["name"], "built_in": sorted(built_in_names),
    "enabled_after_enable": enabled_state, "enabled_after_disable": disabled_state,
    "document_value": writer[0]["value"], "use_count": counted["doc_metadata"][0].get("count"),
}

# Retrieval (hit testing), plain and filtered by metadata.
keyword_search = {"search_method": "keyword_search", "reranking_enable": False, "top_k": 5, "score_threshold_enabled": False}
hits = call("hit testing", kb.hit_testing, "tides moon", retrieval_model=keyword_search)
check(hits.get("query", {}).get("content") == "tides moon", "hit testing: query.content")
check(hits.get("records"), "hit testing: no records")
for record in hits["records"]:
    check("segment" in record and "score" in record, "hit testing: record has segment and score")
    check(record["segment"].get("document", {}).get("name") in ("tides.txt", "harbour.txt"), "hit testing: segment.document.name")
only_ada = call("hit testing filtered by metadata", kb.hit_testing, "tides moon", retrieval_model={
    **keyword_search,
    "metadata_filtering_conditions": {"logical_operator": "and", "conditions": [{"name": "writer", "comparison_operator": "is", "value": "Ada"}]},
})
ada_documents = sorted({record["segment"]["document"]["name"] for record in only_ada.get("records", [])})
check(ada_documents == ["tides.txt"], "hit testing filtered by metadata: only tides.txt")
nobody = call("hit testing filtered by metadata, no match", kb.hit_testing, "tides moon", retrieval_model={
    **keyword_search,
    "metadata_filtering_conditions": {"logical_operator": "and", "conditions": [{"name": "writer", "comparison_operator": "is", "value": "Nobody"}]},
})
check(nobody.get("records") == [], "hit testing filtered by metadata, no match: no records")
seen["hit_testing"] = {"records": len(hits["records"]), "filtered_documents": ada_documents, "unmatched_records": 0}

# Tags (the SDK lists, binds and unbinds; creating and deleting a tag go through its transport).
tag = call("create tag", kb._send_request, "POST", "/datasets/tags", json={"name": f"sea-{suffix}"})
check(tag.get("name") == f"sea-{suffix}" and tag.get("id"), "create tag: name, id")
all_tags = call("list tags", kb.list_dataset_tags)
check(any(item.get("id") == tag["id"] for item in all_tags), "list tags: the new tag")
call("bind tag", kb.bind_dataset_tags, [tag["id"]], expect=(200, 204))
bound = call("tags of the dataset", kb.get_dataset_tags)
bound_names = [item.get("name") for item in bound.get("data", [])]
check(bound_names == [f"sea-{suffix}"] and bound.get("total") == 1, "tags of the dataset: the bound tag")
call("unbind tag", kb.unbind_dataset_tag, tag["id"], expect=(200, 204))
unbound = call("tags of the dataset after unbind", kb.get_dataset_tags)
call("delete tag", kb._send_request, "DELETE", "/datasets/tags", json={"tag_id": tag["id"]}, expect=(200, 204))
seen["tags"] = {"bound": len(bound_names), "after_unbind": len(unbound.get("data", []))}

# Document status.
statuses = {}
for action, expected in (("disable", "disabled"), ("enable", "available"), ("archive", "archived"), ("un_archive", "available")):
    result = call(f"document status {action}", kb.batch_update_document_status, action, [file_id])
    check(result == {"result": "success"}, f"document status {action}: result")
    listed_by_status = call(f"list documents {expected}", kb._send_request, "GET", f"/datasets/{kb.dataset_id}/documents", params={"status": expected})
    statuses[action] = [item["name"] for item in listed_by_status["data"]]
    check("harbour.txt" in statuses[action], f"document status {action}: harbour.txt is {expected}")
seen["document_status"] = statuses

# Updating documents re-indexes them.
replaced = call("update document by text", kb.update_document_by_text, text_id, "tides-2.txt",
                "Tides rise twice a day.\n\nThe moon drives them.")
check(replaced.get("document", {}).get("name") == "tides-2.txt" and replaced.get("batch"), "update document by text: name and batch")
wait_indexed(kb, replaced["batch"], "document updated by text")
with open(path, "w") as handle:
    handle.write("The harbour is dredged each spring.\n")
refiled = call("update document by file", kb.update_document_by_file, file_id, path)
check(refiled.get("document", {}).get("id") == file_id and refiled.get("batch"), "update document by file: same document, batch")
wait_indexed(kb, refiled["batch"], "document updated by file")
reread = call("list segments after update", kb.query_segments, text_id)
seen["updated"] = {"name": replaced["document"]["name"], "segments": len(reread["data"]), "file_name": refiled["document"]["name"]}

# Clean-up.
call("delete document", kb.delete_document, file_id, expect=(204,))
remaining = call("list documents after delete", kb.list_documents)
call("delete metadata field", kb._send_request, "DELETE", f"/datasets/{kb.dataset_id}/metadata/{metadata_id}", expect=(204,))
left = call("list metadata fields after delete", kb.get_dataset_metadata)
call("delete dataset", kb.delete_dataset, expect=(204,))
final = call("list datasets after delete", kb.list_datasets, page=1, page_size=100)
check(all(item.get("id") != kb.dataset_id for item in final["data"]), "list datasets after delete: the dataset is gone")
seen["deleted"] = {"documents_left": remaining["total"], "metadata_left": len(left["doc_metadata"]), "dataset_gone": True}

print(json.dumps(seen))
