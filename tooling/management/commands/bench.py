"""manage.py bench [--scale city|province|decade] [--seed N] [--repeat N] [--json] [--size F]"""

import json

from django.core.management.base import BaseCommand, CommandError

from tooling import benchmarking, datagen


class Command(BaseCommand):
    help = (
        "测量各页面的服务端耗时（中位数、p95）、SQL 查询数和 SQL 耗时；"
        "数据库中没有该规模的生成数据时先生成（见 generate_data）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=datagen.SCALES, default="city", help="规模（默认 city）")
        parser.add_argument("--seed", type=int, default=datagen.DEFAULT_SEED, help="数据的随机种子（默认 1）")
        parser.add_argument("--repeat", type=int, default=20, help="每个页面测量的次数（默认 20）")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        parser.add_argument("--only", default="", help="只测这些页面（逗号分隔的名称，如 dashboard,matrix）")
        parser.add_argument(
            "--size",
            type=float,
            default=1.0,
            help="需要先生成数据时的规模系数（0–1，默认 1；已有数据时不起作用）",
        )

    def handle(self, *args, scale, seed, repeat, json: bool, size, only, **options):
        try:
            cases = benchmarking.chosen_cases(only)
            result = benchmarking.run(scale, seed=seed, repeat=repeat, size=size, cases=cases)
        except (datagen.GenerationError, benchmarking.BenchError) as error:
            raise CommandError(str(error)) from None
        if json:
            self.stdout.write(_dumps(result))
            return
        if result["generated"]:
            self.stdout.write(result["generated"])
        self.stdout.write(benchmarking.table(result))


def _dumps(value):
    return json.dumps(value, ensure_ascii=False)
