"""Prometheus metrics at /metrics, without the `python_info` series (it names the interpreter's exact version)."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from starlette.responses import Response

router = APIRouter()

_BANNERS = frozenset({"python_info"})


class _WithoutBanners(Collector):
    """The default registry's metrics, less the ones that only announce versions."""

    def collect(self) -> Iterable[Metric]:
        return (metric for metric in REGISTRY.collect() if metric.name not in _BANNERS)


_PUBLISHED = CollectorRegistry(auto_describe=False)
_PUBLISHED.register(_WithoutBanners())


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(_PUBLISHED), media_type=CONTENT_TYPE_LATEST)
