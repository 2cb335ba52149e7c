"""manage.py loadtest [--duration S] [--max-requests N] [--reporters N] [--coordinators N] [--workers N] [--json]"""

import json

from django.core.management.base import BaseCommand, CommandError

from tooling import datagen, loadtest


class Command(BaseCommand):
    help = (
        "压力测试：在 127.0.0.1 上用 gunicorn（多进程）启动本系统，模拟联络员保存、报送和统筹人员审核，"
        "报告吞吐量、p50/p95/p99 延迟和错误，然后核对数据库：确认过的写入一条不少、一条不重。"
        "用当前 DATABASE_URL 的数据库（建议 PostgreSQL，单独建库）；没有 city 规模的生成数据时先生成。"
    )

    def add_arguments(self, parser):
        defaults = loadtest.Options()
        parser.add_argument("--duration", type=float, default=defaults.duration, help="最长秒数（默认 60）")
        parser.add_argument(
            "--max-requests", type=int, default=defaults.max_requests, help="最多请求数（默认 50000）"
        )
        parser.add_argument(
            "--reporters", type=int, default=defaults.reporters, help="并发联络员数（默认 12）"
        )
        parser.add_argument(
            "--coordinators", type=int, default=defaults.coordinators, help="并发统筹人员数（默认 2）"
        )
        parser.add_argument("--workers", type=int, default=defaults.workers, help="gunicorn 进程数（默认 5）")
        parser.add_argument("--periods", type=int, default=defaults.periods, help="新开的报送期数（默认 4）")
        parser.add_argument("--seed", type=int, default=datagen.DEFAULT_SEED, help="生成数据的种子（默认 1）")
        parser.add_argument("--size", type=float, default=1.0, help="需要先生成数据时的规模系数（默认 1）")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, **options):
        chosen = loadtest.Options(
            duration=options["duration"],
            max_requests=options["max_requests"],
            reporters=options["reporters"],
            coordinators=options["coordinators"],
            workers=options["workers"],
            periods=options["periods"],
            seed=options["seed"],
            size=options["size"],
        )
        quiet = options["json"]
        try:
            result = loadtest.run(chosen, progress=(lambda text: None) if quiet else self.stdout.write)
        except (loadtest.LoadTestError, datagen.GenerationError) as error:
            raise CommandError(str(error)) from None
        if quiet:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(loadtest.table(result))
        if result["problems"]:
            raise CommandError(f"核对发现 {len(result['problems'])} 个问题（见上）。")
