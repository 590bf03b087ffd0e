"""Reads Prometheus' text format on standard input with the official client's parser and prints every sample as one
JSON list: [{"family", "type", "name", "labels", "value"}]. The parser raises on anything a scraper would reject."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

samples = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for sample in family.samples:
        samples.append(
            {"family": family.name, "type": family.type, "name": sample.name, "labels": sample.labels, "value": sample.value}
        )
print(json.dumps(samples))
