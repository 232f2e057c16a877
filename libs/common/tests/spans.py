"""Every span the library's test process records (the settings route them here)."""

from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

SPANS = InMemorySpanExporter()
PROCESSOR = SimpleSpanProcessor(SPANS)
