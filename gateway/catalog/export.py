"""Catalogue exports: plain JSON, and DCAT-style JSON-LD (W3C DCAT v3 vocabulary)."""

from __future__ import annotations

from typing import Any

from gateway.catalog.model import Entry

_FREQUENCY = {
    "realtime": "http://purl.org/cld/freq/continuous",
    "daily": "http://purl.org/cld/freq/daily",
    "weekly": "http://purl.org/cld/freq/weekly",
    "monthly": "http://purl.org/cld/freq/monthly",
    "quarterly": "http://purl.org/cld/freq/quarterly",
    "yearly": "http://purl.org/cld/freq/annual",
}


def json_catalog(entries: list[Entry]) -> dict[str, Any]:
    return {
        "entries": [
            {
                **entry.spec.document(),
                "status": entry.status.value,
                "version": entry.version,
                "version_hash": entry.version_hash,
                "previous_hash": entry.previous_hash,
            }
            for entry in entries
        ]
    }


def dcat_catalog(entries: list[Entry], base_url: str) -> dict[str, Any]:
    datasets = []
    for entry in entries:
        spec = entry.spec
        dataset: dict[str, Any] = {
            "@id": f"{base_url}/api/v1/catalog/entries/{spec.id}",
            "@type": "dcat:Dataset",
            "dct:identifier": spec.id,
            "dct:title": [{"@value": spec.name, "@language": "zh"}],
            "dct:description": [{"@value": spec.description, "@language": "zh"}],
            "dct:publisher": {"@id": f"urn:alliance:member:{spec.provider}"},
            "dcat:version": str(entry.version),
            "adms:versionNotes": entry.version_hash,
            "dct:accessRights": {
                "@id": f"urn:alliance:sharing:{spec.sharing_class.value}",
                "skos:prefLabel": spec.sharing_class.label_zh,
            },
            "adms:status": entry.status.value,
            "dcat:keyword": [f.description or f.name for f in spec.fields],
            "dcat:distribution": {
                "@type": "dcat:Distribution",
                "dcat:accessService": {
                    "@type": "dcat:DataService",
                    "dcat:endpointURL": f"{base_url}/api/v1/query/{spec.id}",
                },
                "dct:format": "application/json",
            },
        }
        if spec.name_en:
            dataset["dct:title"].append({"@value": spec.name_en, "@language": "en"})
        if spec.update_frequency in _FREQUENCY:
            dataset["dct:accrualPeriodicity"] = {"@id": _FREQUENCY[spec.update_frequency]}
        datasets.append(dataset)
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "adms": "http://www.w3.org/ns/adms#",
            "skos": "http://www.w3.org/2004/02/skos/core#",
        },
        "@id": f"{base_url}/api/v1/catalog/export?format=dcat",
        "@type": "dcat:Catalog",
        "dct:title": [{"@value": "政务数据共享目录", "@language": "zh"}],
        "dcat:dataset": datasets,
    }
