"""Read a process's /metrics over HTTP, as Prometheus does, and look samples up by labels."""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass

from prometheus_client.parser import text_string_to_metric_families


@dataclass(frozen=True)
class Scrape:
    """One scrape: every sample as (name, labels) -> value."""

    samples: dict[tuple[str, frozenset[tuple[str, str]]], float]

    def value(self, name: str, **labels: str) -> float | None:
        """The sample ``name`` whose labels are exactly ``labels``; None if absent."""
        return self.samples.get((name, frozenset(labels.items())))

    def total(self, name: str, **labels: str) -> float:
        """The sum of every ``name`` sample that has ``labels`` (others may differ); 0 if none."""
        wanted = set(labels.items())
        return sum(
            value
            for (sample, sample_labels), value in self.samples.items()
            if sample == name and wanted <= sample_labels
        )

    def label_values(self, name: str, label: str, **labels: str) -> set[str]:
        """Every value ``label`` takes among the ``name`` samples that have ``labels``."""
        wanted = set(labels.items())
        return {
            dict(sample_labels)[label]
            for (sample, sample_labels), _ in self.samples.items()
            if sample == name and wanted <= sample_labels and label in dict(sample_labels)
        }


def parse(exposition: str) -> Scrape:
    samples = {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }
    return Scrape(samples)


def scrape(url: str, *, timeout: float = 5.0) -> Scrape:
    """GET ``url`` (a /metrics endpoint) and parse it; raises on a non-200 answer."""
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - test URLs
        return parse(response.read().decode())
