"""Catalogue search and paging latency at 10,000 entries next to 100 entries, in one run.

Run: .venv/bin/python tests/bench/bench_catalog.py [--requests 1000]

Entries go straight into the SQL index (publishing 10,000 versions on chain would measure
the chain, not search); every request goes through the real Flask app with a real bearer
token: routing, OAuth check, search, paging, serialisation, ETag.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from gateway import create_app
from gateway.catalog.model import EntrySpec, FieldSpec, ServiceBinding, SharingClass
from gateway.catalog.service import ZERO_HASH, version_hash
from gateway.instance import initialise
from gateway.members.model import Member, MemberProfile, MemberStatus, Role
from gateway.settings import load_settings

REGIONS = [
    "南京",
    "苏州",
    "无锡",
    "常州",
    "镇江",
    "扬州",
    "泰州",
    "南通",
    "盐城",
    "淮安",
    "宿迁",
    "连云港",
    "徐州",
]
TOPICS = [
    "不动产登记",
    "户籍人口",
    "企业登记",
    "社会保险",
    "住房公积金",
    "婚姻登记",
    "契税缴纳",
    "司法查封",
    "电子证照",
    "网签备案",
    "医疗保障",
    "教育学籍",
    "车辆登记",
    "驾驶证照",
    "残疾人证",
    "低保救助",
    "养老服务",
    "就业登记",
    "税务登记",
    "环境监测",
    "食品许可",
    "药品许可",
    "建设工程",
    "规划许可",
    "交通运输",
    "水利工程",
    "农业补贴",
    "林权登记",
    "海域使用",
    "文物保护",
    "旅游资质",
    "体育场馆",
    "公共信用",
    "行政处罚",
    "行政许可",
    "统计调查",
    "审计结果",
    "财政支付",
    "国资产权",
    "金融监管",
]
KINDS = ["信息查询", "数据核验", "统计汇总", "目录清单", "变更记录"]


def make_entries(count: int, seed: int, topics: int = len(TOPICS)) -> list[EntrySpec]:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    entries = []
    for index in range(count):
        topic = TOPICS[index % topics]
        name = f"{rng.choice(REGIONS)}{topic}{rng.choice(KINDS)}"
        entries.append(
            EntrySpec(
                id=f"BENCH-{index:06d}",
                provider="NRD",
                name=name,
                name_en=f"dataset {index}",
                description=f"{name}，按统一社会信用代码或公民身份号码提供。",
                sharing_class=rng.choice(list(SharingClass)),
                update_frequency="daily",
                service=ServiceBinding("http", f"/api/bench/{index}"),
                parameters=(),
                fields=(FieldSpec("record_id", "string", "记录编号"),),
            )
        )
    return entries


def measure(count: int, topics: int, requests: int, query: str) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as directory:
        settings = load_settings(
            environ={
                "ALLIANCE_DATA_DIR": str(Path(directory) / "var"),
                "ALLIANCE_LOG_LEVEL": "WARNING",
                "ALLIANCE_OAUTH_API_RATE_LIMIT": "1000000/minute",
            }
        )
        app = create_app(settings)
        container = app.extensions["alliance"]
        initialise(container, with_chain=False)
        now = datetime.now(UTC)
        container.members.index.save(
            Member(
                profile=MemberProfile("NRD", "省自然资源厅", "", "", Role.PROVIDER | Role.CONSUMER),
                status=MemberStatus.ACTIVE,
                public_key="00" * 64,
                account="0x" + "00" * 20,
                updated_at=now,
            )
        )
        token = "bench-token-" + "x" * 30
        container.tokens.save(token, "nrd-bench", "NRD", "catalog:read", 3600)
        for spec in make_entries(count, seed=count, topics=topics):
            container.catalog.index.save_version(
                spec, 0, version_hash(spec, 0, ZERO_HASH), ZERO_HASH, None, "bench", now
            )
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        url = f"/api/v1/catalog/entries?q={query}&limit=20"
        found = len(client.get(url, headers=headers).get_json()["items"])
        for _ in range(20):  # warm-up
            client.get(url, headers=headers)
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        container.close()
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.99) - 1], found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--query", default="不动产")
    args = parser.parse_args()
    # The query's topic is 1 in 4 of the small catalogue (25 matches) and 1 in 40 of the large
    # one (250 matches): both fill a page, so the ratio measures searching, not page size.
    small = measure(100, 4, args.requests, args.query)
    large = measure(10_000, len(TOPICS), args.requests, args.query)
    print(f"query q={args.query!r}, {args.requests} requests each, page size 20")
    print(f"{'entries':>8} {'p50 ms':>8} {'p99 ms':>8} {'page':>5}")
    for count, (p50, p99, found) in ((100, small), (10_000, large)):
        print(f"{count:>8} {p50:>8.2f} {p99:>8.2f} {found:>5}")
    print(
        f"p50 ratio 10k/100: {large[0] / small[0]:.2f}   "
        f"p99 ratio 10k/100: {large[1] / small[1]:.2f} (goal <= 2)"
    )


if __name__ == "__main__":
    main()
