"""manage.py generate_data --scale city|province|decade [--seed N] [--size F]"""

from django.core.management.base import BaseCommand, CommandError

from tooling import datagen


class Command(BaseCommand):
    help = (
        "生成测量用数据（不影响演示数据）：city 一个城市一年，province 17 个城市，decade 一个城市十年。"
        "同一规模和种子在一个数据库里只生成一次，再次运行会报错。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=datagen.SCALES, default="city", help="规模（默认 city）")
        parser.add_argument("--seed", type=int, default=datagen.DEFAULT_SEED, help="随机种子（默认 1）")
        parser.add_argument(
            "--size", type=float, default=1.0, help="规模系数，0–1，缩小每个城市（测试和试跑用，默认 1）"
        )

    def handle(self, *args, scale, seed, size, **options):
        try:
            data, counts, seconds = datagen.generate(scale, seed=seed, size=size)
        except datagen.GenerationError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(datagen.summary(data, counts, seconds))
